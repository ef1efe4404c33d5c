"""Seed the demo: Gemeente Belveld's collections, users and documents. Safe to run again.

The corpus is text written for this project (ops/demo/corpus/<collection>/); a PDF and a DOCX are
generated once from ops/demo/generate/ so the demo shows those formats too. Documents go through the
normal ingest service, so the demo exercises the same path as a real drop folder.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.db.engine import read_session
from appliance.db.tables import User
from appliance.storage.files import atomic_path

if TYPE_CHECKING:
    from appliance.context import Appliance

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
GENERATE = HERE / "generate"

# (name, title, groups that may read it)
COLLECTIONS: list[tuple[str, str, tuple[str, ...]]] = [
    ("publiek", "Publieke informatie Gemeente Belveld", ("iedereen",)),
    ("personeel", "Personeel en organisatie (HR)", ("hr",)),
]
# collection -> escalation route: (department, handler groups, sensitive topics). No mailbox: the demo
# box has no mail server, tickets wait in the appliance (/tickets).
ROUTES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "publiek": ("Onthaal Gemeente Belveld", (), ()),
    "personeel": ("Dienst Personeel", ("hr",), ("ontslag", "tuchtprocedure", "klacht over een collega")),
}
# (username, role, groups, display name): personeelsdienst reads the HR collection, demo does not;
# archivaris and admin work the triage queue (/triage).
USERS: list[tuple[str, str, tuple[str, ...], str]] = [
    ("demo", "staff", ("iedereen",), "Demo medewerker"),
    ("archivaris", "archivist", ("iedereen", "triage"), "Archivaris"),
    ("personeelsdienst", "staff", ("iedereen", "hr"), "Dienst Personeel"),
    ("admin", "admin", ("iedereen", "hr", "triage"), "Beheerder"),
]
# generated file -> (source text, collection, title)
GENERATED: dict[str, tuple[str, str, str]] = {
    "beleidsnota-bibliotheek-2026-2031.pdf": ("beleidsnota-bibliotheek.txt", "publiek",
                                              "Beleidsnota bibliotheek 2026–2031"),
    "reglement-evenementen.docx": ("reglement-evenementen.txt", "publiek",
                                   "Reglement voor evenementen op het openbaar domein"),
}
# Pages worth trying, printed after the seed: path -> what it shows.
TRY_PAGES = [
    ("/ask", "ask a question (e.g. Hoeveel kost een reispas?); unanswered ones become tickets (/tickets)"),
    ("/recordings", "the council meeting recording, its transcript and draft minutes (/minutes)"),
    ("/triage", "citizen mails waiting for a person (archivaris, admin)"),
]


@dataclass
class SeedReport:
    password: str = ""
    password_is_new: bool = False
    users_created: list[str] = field(default_factory=list)
    states: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    triage: Counter[str] = field(default_factory=Counter)
    recording_id: int | None = None
    lblod_minutes_id: int | None = None  # the approved earlier council meeting, ready to publish (LBLOD)


def _write_docx(text: str, target: Path, title: str) -> None:
    import docx

    doc = docx.Document()
    doc.core_properties.title = title
    paras = [p for p in text.split("\n\n") if p.strip()]
    doc.add_heading(paras[0].strip(), level=1)
    for para in paras[1:]:
        head, _, rest = para.partition("\n")
        if rest:
            doc.add_heading(head.strip(), level=2)
            doc.add_paragraph(rest.strip())
        else:
            doc.add_paragraph(head.strip())
    doc.save(str(target))


def stage_corpus(target: Path) -> dict[str, list[Path]]:
    """Copy the corpus to target/<collection>/ and generate the PDF and DOCX there (once: regenerated
    files would differ in bytes, and a rerun must find the same content hashes)."""
    from ops.demo.pdfwrite import write_pdf

    out: dict[str, list[Path]] = {}
    for coll_dir in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        dest = target / coll_dir.name
        dest.mkdir(parents=True, exist_ok=True)
        for src in sorted(coll_dir.iterdir()):
            if src.is_file():
                shutil.copyfile(src, dest / src.name)
                out.setdefault(coll_dir.name, []).append(dest / src.name)
    for name, (source, collection, title) in GENERATED.items():
        dest = target / collection / name
        if not dest.exists():
            text = (GENERATE / source).read_text("utf-8")
            with atomic_path(dest) as tmp:
                if name.endswith(".pdf"):
                    write_pdf(text, tmp, title)
                else:
                    _write_docx(text, tmp, title)
        out.setdefault(collection, []).append(dest)
    return out


def demo_password(app: Appliance, environ: dict[str, str] | None = None) -> tuple[str, bool]:
    """BELFORT_DEMO_PASSWORD, else the one generated at the first seed (kept in the data folder)."""
    env = os.environ if environ is None else environ
    if env.get("BELFORT_DEMO_PASSWORD"):
        return env["BELFORT_DEMO_PASSWORD"], False
    path = app.layout.demo_password
    if path.exists():
        return path.read_text("utf-8").strip(), False
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", "utf-8")
    path.chmod(0o600)
    return password, True


def _existing_users(app: Appliance) -> set[str]:
    with read_session(app.db) as s:
        return set(s.exec(select(User.username)).all())


def seed_demo(app: Appliance, log: Callable[[str], None] = print,
              environ: dict[str, str] | None = None) -> SeedReport:
    from appliance.access import create_user
    from appliance.documents import ensure_collection, ingest_file

    report = SeedReport()
    report.password, report.password_is_new = demo_password(app, environ)
    from appliance.ask import get_route, set_route

    for name, title, groups in COLLECTIONS:
        ensure_collection(app, name, title, groups)
        department, handlers, topics = ROUTES[name]
        if not get_route(app, name).department:  # an admin's own route is never overwritten
            set_route(app, name, department=department, handler_groups=list(handlers),
                      sensitive_topics=list(topics), actor="demo-seed")
    from ops.demo.seed_triage import ensure_triage_group, seed_triage

    joined = ensure_triage_group(app, USERS)  # before new users create the group
    if joined:
        log(f"demo: added to group 'triage': {', '.join(joined)}")
    existing = _existing_users(app)
    for username, role, groups, display in USERS:
        if username not in existing:
            create_user(app, username, report.password, role=role, groups=groups, display_name=display,
                        actor="demo-seed")
            report.users_created.append(username)
    staged = stage_corpus(app.layout.demo_corpus)
    for collection, paths in staged.items():
        for path in paths:
            outcome = ingest_file(app, path, collection, source_name=path.name, actor="demo-seed",
                                  keep_source=True)
            report.states[outcome.state] += 1
            if not outcome.ok:
                report.failures.append(f"{collection}/{path.name}: {outcome.code} {outcome.message}")
    log(f"demo: {sum(report.states.values())} documents "
        f"({', '.join(f'{n} {s}' for s, n in sorted(report.states.items()))}); "
        f"users created: {', '.join(report.users_created) or 'none'}")
    for failure in report.failures:
        log(f"demo: FAILED {failure}")
    from ops.demo.seed_minutes import seed_recording

    report.triage = seed_triage(app, log)
    rec = seed_recording(app, log)
    from ops.demo.seed_lblod import seed_lblod

    report.lblod_minutes_id = seed_lblod(app, log)
    report.recording_id = rec.id if rec is not None else None
    web = app.settings.web
    host = "localhost" if web.host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost") else web.host
    for page, what in TRY_PAGES:
        log(f"demo: try http://{host}:{web.port}{page}: {what}")
    return report
