"""Triage intake: store, parse, flag, classify on arrival, decide, route through the outbox.

The classifier is a scripted scorer behind the real TriageClassifier (the routing rules under test
live in `TriageClassifier.decide` and in intake/route); attachments go through real document ingest
with the fake embedder."""

from __future__ import annotations

import socket
from collections.abc import Sequence
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, Document, OutboxMessage, TriageItem
from appliance.errors import BelfortError
from appliance.storage.layout import DataLayout
from appliance.triage.classifier import TriageClassifier
from appliance.triage.intake import receive, receive_file, receive_form
from appliance.triage.routing import export_csv, route
from appliance.triage.store import active_taxonomy, import_taxonomy
from models.fakes import FakeEmbedder
from tests.conftest import REPO, make_settings

TAXONOMY = REPO / "docs" / "examples" / "taxonomy-gemeente.yaml"
OWN = "belfort@gemeente.example"


class Scripted:
    """A scorer that gives one category a fixed probability and records what it was asked."""

    kind = "supervised"
    version = "scripted-1"
    max_chars = 4000

    def __init__(self, labels: list[str], embedder_id: str, best: str, p: float) -> None:
        self.labels, self.embedder_id, self.best, self.p = labels, embedder_id, best, p
        self.texts: list[str] = []

    def proba_from_vectors(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        self.texts.extend(texts)
        rest = (1.0 - self.p) / (len(self.labels) - 1)
        row = np.array([self.p if k == self.best else rest for k in self.labels])
        return np.tile(row, (len(texts), 1))


@pytest.fixture
def app(tmp_path: Path) -> Appliance:
    settings = make_settings(tmp_path, mail={"from_address": OWN}, intake={"max_item_mb": 1})
    appliance = open_appliance(settings, embedder=FakeEmbedder())
    import_taxonomy(settings, TAXONOMY)
    return appliance


def scripted(app: Appliance, best: str, p: float = 1.0) -> TriageClassifier:
    taxonomy = active_taxonomy(app.settings)
    scorer = Scripted(taxonomy.keys, app.embedder.id, best, p)
    return TriageClassifier(taxonomy, app.embedder, scorer)  # type: ignore[arg-type]


def mail(body: str | None = "Er ligt zwerfvuil en een sluikstort aan de glasbol in de Kerkstraat 12.", *,
         subject: str = "Sluikstort", sender: str = "An Peeters <an.peeters@example.be>",
         headers: dict[str, str] | None = None, html: str | None = None,
         attachments: list[tuple[str, bytes, str]] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "meldingen@gemeente.example", subject
    msg["Message-ID"] = f"<{abs(hash((body, subject, html)))}@example.be>"
    for k, v in (headers or {}).items():
        msg[k] = v
    if html is not None:
        msg.set_content(html, subtype="html")
    elif body is not None:
        msg.set_content(body)
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


def outbox_rows(app: Appliance) -> list[OutboxMessage]:
    with read_session(app.db) as s:
        return list(s.exec(select(OutboxMessage)).all())


def audit(app: Appliance, action: str) -> list[AuditEvent]:
    with read_session(app.db) as s:
        return list(s.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_confident_item_is_routed_with_mail_and_audit(app: Appliance) -> None:
    item = receive(app, mail(), source="imap", external_id="<a@x>", classifier=scripted(app, "afval", 0.97))
    assert (item.state, item.category, item.department, item.routed_by) == ("routed", "afval", "omgeving", "auto")
    assert item.reason == "auto" and item.suggested == "afval" and item.model_version == "scripted-1"
    assert item.deadline == (item.received_at.date().fromordinal(item.received_at.date().toordinal() + 7)).isoformat()
    rows = outbox_rows(app)
    assert [(r.channel, r.target, r.ref, r.state) for r in rows] == [
        ("smtp", "omgeving@gemeente.example", f"triage:{item.id}", "pending")]
    assert rows[0].payload["attachments"] == [{"path": item.original_path, "name": f"original-{item.id}.eml"}]
    assert "Kerkstraat" in rows[0].body and "AI" in rows[0].body
    (event,) = audit(app, "triage.route")
    assert event.detail["model_version"] == "scripted-1" and event.detail["confidence"] == 0.97
    assert event.detail["suggested"] == "afval" and event.detail["chosen"] == "afval" and event.actor == "auto"
    assert audit(app, "triage.classified")[0].detail["ai_made"] is True


def test_human_only_is_never_auto_routed_even_at_certainty(app: Appliance) -> None:
    raw = mail("Ik kan mijn energiefactuur niet betalen en vraag financiële steun.", subject="Steun")
    item = receive(app, raw, source="imap", external_id="<b@x>", classifier=scripted(app, "sociale-steun", 1.0))
    assert item.state == "queued" and item.reason == "human_only" and item.category == ""
    assert item.confidence == pytest.approx(1.0)
    assert outbox_rows(app) == [] and audit(app, "triage.route") == []
    with pytest.raises(BelfortError) as exc:
        route(app, item.id, "sociale-steun", by="auto")
    assert exc.value.code == "triage.needs_person"
    routed = route(app, item.id, "sociale-steun", by="maatschappelijk.werker")
    assert routed.state == "routed" and routed.routed_by == "maatschappelijk.werker"
    assert [r.target for r in outbox_rows(app)] == ["sociale.dienst@gemeente.example"]
    assert audit(app, "triage.route")[0].detail["by"] == "maatschappelijk.werker"
    # Routing again to the same category sends nothing twice.
    route(app, item.id, "sociale-steun", by="maatschappelijk.werker")
    assert len(outbox_rows(app)) == 1


def test_below_threshold_waits_in_the_queue(app: Appliance) -> None:
    item = receive(app, mail(), source="imap", external_id="<c@x>", classifier=scripted(app, "afval", 0.4))
    assert item.state == "queued" and item.reason == "below_threshold" and item.suggested == "afval"
    assert outbox_rows(app) == []


@pytest.mark.parametrize("headers", [
    {"Authentication-Results": "mx.gemeente.example; spf=fail smtp.mailfrom=evil.example; dkim=none"},
    {"Received-SPF": "softfail (domain of transitioning evil.example does not designate 1.2.3.4)"},
    {"Return-Path": "<bounce@totally-elsewhere.example>"},
])
def test_spoofed_sender_is_flagged_and_never_auto_routed(app: Appliance, headers: dict[str, str]) -> None:
    item = receive(app, mail(headers=headers), source="imap", external_id="<d@x>",
                   classifier=scripted(app, "afval", 1.0))
    assert "spoofed_sender" in item.flags and item.meta["spoof_signals"]
    assert item.state == "queued" and item.reason == "flagged"
    assert outbox_rows(app) == []


def test_display_name_showing_another_address_is_spoofing(app: Appliance) -> None:
    raw = mail(sender='"burgemeester@gemeente.example" <x@evil.example>')
    item = receive(app, raw, source="imap", external_id="<e@x>", classifier=scripted(app, "afval"))
    assert item.meta["spoof_signals"] == ["address_in_display_name"]


@pytest.mark.parametrize("headers,sender,signal", [
    ({"X-Belfort-Route": "triage:4"}, "An <an@example.be>", "route_header"),
    ({"Auto-Submitted": "auto-replied"}, "Omgeving <omgeving@gemeente.example>", "auto_submitted"),
    ({}, f"Belfort <{OWN}>", "own_address"),
    ({"In-Reply-To": "<belfort.0123abcd@gemeente.example>"}, "Omgeving <o@gemeente.example>", "reply_to_own"),
])
def test_loops_are_stored_closed_and_not_routed(app: Appliance, headers: dict[str, str], sender: str,
                                                 signal: str) -> None:
    item = receive(app, mail(headers=headers, sender=sender), source="imap", external_id=f"<{signal}@x>",
                   classifier=scripted(app, "afval", 1.0))
    assert "loop" in item.flags and signal in item.meta["loop_signals"]
    assert item.state == "closed" and item.reason == "loop"
    assert Path(item.original_path).exists()
    assert outbox_rows(app) == []


def test_own_message_id_is_a_loop(app: Appliance) -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"] = "x@example.be", "Fwd"
    msg["Message-ID"] = "<belfort.00ff@gemeente.example>"
    msg.set_content("doorgestuurd")
    item = receive(app, msg.as_bytes(), source="imap", external_id="<belfort.00ff@gemeente.example>",
                   classifier=scripted(app, "afval"))
    assert item.meta["loop_signals"] == ["own_message_id"] and item.state == "closed"


def test_no_body_only_attachment_classifies_on_the_attachment_text(app: Appliance) -> None:
    text = b"Melding: voor Stationsstraat 14 is een diepe put in het fietspad ontstaan."
    raw = mail(None, subject="", attachments=[("melding.txt", text, "text/plain")])
    clf = scripted(app, "wegschade", 0.9)
    item = receive(app, raw, source="imap", external_id="<f@x>", classifier=clf)
    assert "no_body" in item.flags and item.text == ""
    assert len(item.attachment_document_ids) == 1
    assert "diepe put" in clf.scorer.texts[0]  # type: ignore[attr-defined]
    with read_session(app.db) as s:
        doc = s.get(Document, item.attachment_document_ids[0])
    assert doc is not None and doc.source_path == f"item-{item.id}/melding.txt"
    assert item.language == "nl" and item.state == "routed"


def test_too_large_attachment_is_refused_but_the_item_is_kept(app: Appliance) -> None:
    big = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)  # max_item_mb is 1 in this fixture
    raw = mail(attachments=[("plan.pdf", big, "application/pdf"),
                            ("note.txt", b"Sluikstort aan de glasbol.", "text/plain")])
    item = receive(app, raw, source="imap", external_id="<g@x>", classifier=scripted(app, "afval", 0.3))
    assert "attachment_refused" in item.flags
    refused = [a for a in item.meta["attachments"] if a["state"] == "refused"]
    assert refused == [{"name": "plan.pdf", "size": len(big), "state": "refused",
                        "code": "triage.attachment_too_large"}]
    assert len(item.attachment_document_ids) == 1  # the small one went through
    assert Path(item.original_path).stat().st_size == len(raw)  # nothing lost: the original holds it


def test_html_only_with_tracking_pixel_is_read_without_fetching(app: Appliance,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    attempts: list[Any] = []

    def refuse(*args: Any, **kw: Any) -> None:
        attempts.append(args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    html = ('<html><body><p>Bonjour, la collecte des <b>encombrants</b> n\'a pas eu lieu hier dans notre rue.</p>'
            '<img src="https://tracker.example/open.gif?u=123" width="1" height="1">'
            '<img src="cid:logo"></body></html>')
    item = receive(app, mail(html=html, subject="Collecte"), source="imap", external_id="<h@x>",
                   classifier=scripted(app, "afval", 0.3))
    assert attempts == []
    assert "encombrants" in item.text and "tracker" not in item.text
    assert "html_only" in item.flags and item.language == "fr"


def test_unknown_charset_is_decoded_with_a_fallback(app: Appliance) -> None:
    raw = (b"From: =?x-klingon-8?q?Jan_Caf=E9?= <jan@example.be>\r\nSubject: =?x-klingon-8?q?Afval_caf=E9?=\r\n"
           b"Message-ID: <u@x>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=\"x-klingon-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
           + "De container aan het café is niet geledigd, er ligt overal afval.".encode("latin-1"))
    item = receive(app, raw, source="imap", external_id="<u@x>", classifier=scripted(app, "afval", 0.3))
    assert "charset_unknown" in item.flags
    assert "container" in item.text and "caf" in item.text
    assert item.language == "nl" and item.subject.startswith("Afval") and item.sender == "jan@example.be"


def test_english_and_french_mail_get_their_language(app: Appliance) -> None:
    fr = receive(app, mail("Bonjour, je voudrais renouveler ma carte d'identité et mon permis de conduire.",
                           subject="Carte"), source="imap", external_id="<fr@x>",
                 classifier=scripted(app, "burgerzaken", 0.3))
    en = receive(app, mail("Hello, there is a large pothole in the cycle path near the school.",
                           subject="Pothole"), source="imap", external_id="<en@x>",
                 classifier=scripted(app, "wegschade", 0.3))
    assert (fr.language, en.language) == ("fr", "en")


def test_idempotent_by_external_id_and_by_bytes(app: Appliance) -> None:
    raw = mail()
    first = receive(app, raw, source="imap", external_id="<same@x>", classifier=scripted(app, "afval", 0.3))
    again = receive(app, raw, source="folder", external_id="", classifier=scripted(app, "afval", 0.3))
    other_bytes = receive(app, mail("anders"), source="imap", external_id="<same@x>",
                          classifier=scripted(app, "afval", 0.3))
    assert first.id == again.id == other_bytes.id
    with read_session(app.db) as s:
        assert len(s.exec(select(TriageItem)).all()) == 1
    original = Path(first.original_path)
    assert original.read_bytes() == raw and not original.stat().st_mode & 0o222  # read-only
    assert original.parent.name == first.sha256[:2] and original.name == f"{first.sha256}.eml"


def test_unreadable_mail_is_kept_for_a_person(app: Appliance) -> None:
    item = receive(app, b"\x00\x01\x02 not a mail \xff" * 20, source="folder", external_id="",
                   classifier=scripted(app, "afval", 1.0))
    assert "unparseable" in item.flags and item.state == "queued"
    assert Path(item.original_path).exists()


def test_form_intake_and_drop_folder_file(app: Appliance, tmp_path: Path) -> None:
    item = receive_form(app, {"adres": "Kerkstraat 1", "soort": "sluikstort"}, sender="Burger@Example.be",
                        subject="Melding", text="Er ligt afval naast de glasbol.", external_id="form-1",
                        classifier=scripted(app, "afval", 0.95))
    assert item.source == "api" and item.state == "routed" and "Kerkstraat 1" in item.text
    assert item.sender == "burger@example.be" and Path(item.original_path).suffix == ".json"
    assert receive_form(app, {}, text="iets anders", external_id="form-1").id == item.id
    drop = app.layout.inbox / "_triage"
    drop.mkdir(parents=True)
    (drop / "m.eml").write_bytes(mail(headers={"X-Belfort-Route": "triage:1"}))
    new_id = receive_file(app, drop / "m.eml")
    assert new_id is not None and not (drop / "m.eml").exists()


def test_unknown_category_and_missing_item_are_errors(app: Appliance) -> None:
    item = receive(app, mail(), source="imap", external_id="<z@x>", classifier=scripted(app, "afval", 0.3))
    with pytest.raises(BelfortError) as exc:
        route(app, item.id, "nope", by="someone")
    assert exc.value.code == "triage.unknown_category"
    with pytest.raises(BelfortError) as exc:
        route(app, 9999, "afval", by="someone")
    assert exc.value.code == "triage.not_found"


def test_csv_export_is_formula_safe(app: Appliance) -> None:
    receive(app, mail(subject="=HYPERLINK(\"http://x\",\"klik\")"), source="imap", external_id="<csv@x>",
            classifier=scripted(app, "afval", 0.3))
    out = export_csv(app)
    header, row = out.splitlines()[:2]
    assert header.startswith("id,received_at,source,sender")
    assert "'=HYPERLINK" in row and ",=HYPERLINK" not in row


def test_without_taxonomy_an_item_still_arrives_queued(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    item = receive(app, mail(), source="imap", external_id="<nt@x>")
    assert item.state == "queued" and item.reason == "triage.no_taxonomy"


def test_drop_folder_oneshot_takes_mail_in_and_refuses_other_files(app: Appliance) -> None:
    from ops.commands.ingest import watch_oneshot

    drop = app.layout.inbox / app.settings.intake.drop_folder
    drop.mkdir(parents=True)
    (drop / "melding.eml").write_bytes(mail())
    (drop / "scan.pdf").write_bytes(b"%PDF-1.4 not a mail")
    assert watch_oneshot(app) == 1  # the pdf failed: exit status says so
    assert list(drop.iterdir()) == []
    with read_session(app.db) as s:
        (item,) = s.exec(select(TriageItem)).all()
    assert item.source == "folder" and item.subject == "Sluikstort"
    failed = app.layout.failed / app.settings.intake.drop_folder
    assert sorted(p.name for p in failed.iterdir()) == ["scan.pdf", "scan.pdf.reason.json"]
    with read_session(app.db) as s:  # the drop folder is not a document collection
        assert s.exec(select(Document)).all() == []


def test_a_failing_route_leaves_the_item_queued_with_a_reason(app: Appliance, tmp_path: Path) -> None:
    import yaml

    taxonomy = yaml.safe_load(TAXONOMY.read_text("utf-8"))
    taxonomy["departments"][0]["mailbox"] = "not an address"  # omgeving
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(taxonomy), "utf-8")
    import_taxonomy(app.settings, path)
    item = receive(app, mail(), source="imap", external_id="<broken@x>", classifier=scripted(app, "afval", 1.0))
    assert item.state == "queued" and item.reason == "intake_error"
    assert item.meta["intake_error"] == "outbox.invalid_address" and item.suggested == "afval"
    assert outbox_rows(app) == []


def test_outlook_msg_in_the_drop_folder(app: Appliance, tmp_path: Path) -> None:
    from tests.filefactory import make_msg

    drop = app.layout.inbox / app.settings.intake.drop_folder
    path = make_msg(drop / "vraag.msg", subject="Fietsenstalling", body="Waar kan ik mijn fiets stallen?",
                    attachments=[("plan.txt", b"Plan van de fietsenstalling aan het station.")])
    item_id = receive_file(app, path)
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    assert item is not None and item.subject == "Fietsenstalling" and "fiets" in item.text
    assert item.sender == "zoe.peeters@belfort.example" and item.sender_name == "Zoë Peeters"
    assert Path(item.original_path).suffix == ".msg" and len(item.attachment_document_ids) == 1


def test_a_mail_saved_from_the_mailbox_and_dropped_is_the_same_item(app: Appliance) -> None:
    fetched = mail(headers={"X-Spam-Score": "0.1"})  # the mailbox copy: other bytes, same Message-ID
    saved = mail()
    message_id = str(message_from_bytes(saved)["Message-ID"])
    item = receive(app, fetched, source="imap", external_id=message_id, classifier=scripted(app, "afval", 0.3))
    drop = app.layout.inbox / app.settings.intake.drop_folder
    drop.mkdir(parents=True)
    (drop / "saved.eml").write_bytes(saved)
    assert receive_file(app, drop / "saved.eml") == item.id


def test_worker_delivers_the_outbox_every_minute_and_polls_only_a_configured_mailbox(tmp_path: Path) -> None:
    from datetime import datetime

    from appliance.jobs import queue_for

    plain = queue_for(make_settings(tmp_path / "a"), immediate=True)
    periodic = {t.name: t for t in plain._registry.periodic_tasks}
    assert "outbox_deliver" in periodic and "triage_imap_poll" not in periodic
    assert periodic["outbox_deliver"].validate_datetime(datetime(2026, 1, 1, 9, 7))
    mailbox = queue_for(make_settings(tmp_path / "b", intake={"imap_host": "imap.gemeente.example",
                                                                "poll_seconds": 300}), immediate=True)
    poll = {t.name: t for t in mailbox._registry.periodic_tasks}["triage_imap_poll"]
    assert poll.validate_datetime(datetime(2026, 1, 1, 9, 5))
    assert not poll.validate_datetime(datetime(2026, 1, 1, 9, 7))
    # A dropped mail is handed to the worker as a task of its own (immediate mode runs it here).
    drop = DataLayout.of(plain.settings).inbox / "_triage" / "drop.eml"
    drop.parent.mkdir(parents=True)
    drop.write_bytes(mail())
    plain.triage_intake_file_task(str(drop))
    from appliance.jobs import worker_appliance

    with read_session(worker_appliance(plain.settings).db) as s:
        (item,) = s.exec(select(TriageItem)).all()
    assert item.source == "folder" and not drop.exists()


def test_missing_required_information_holds_a_confident_item_for_a_person(app: Appliance) -> None:
    """wegschade needs an address: without one the department cannot act, so the item waits with
    its drafted request (sent after a person approves it) instead of being routed."""
    clf = scripted(app, "wegschade", 0.99)
    vague = receive(app, mail("Er liggen stenen los op het voetpad, iemand is al gestruikeld.", subject="Voetpad"),
                    source="imap", external_id="<m1@x>", classifier=clf)
    assert vague.state == "queued" and vague.reason == "missing_information" and vague.missing == ["address"]
    assert outbox_rows(app) == [] and audit(app, "triage.route") == []
    precise = receive(app, mail("Er liggen stenen los op het voetpad van de Kerkstraat 12, 9000 Gent.",
                                subject="Voetpad Kerkstraat"), source="imap", external_id="<m2@x>", classifier=clf)
    assert precise.state == "routed" and precise.missing == []
