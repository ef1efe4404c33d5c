"""WCAG 2.1 AA: axe-core on every page of the real app (uvicorn on loopback, headless Debian chromium).

Needs /usr/bin/chromium and `npm install` in tests/browser (axe-core, chrome-remote-interface);
skips with the reason when either is missing. Nothing is downloaded: no browser download.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.browser_support import free_port, live_app, wait_http
from tests.identity_support import driver_env
from tests.integration.web_support import PW, build_world

SECOND_FACTOR_PAGES = ("/sign-in/second-factor", "/sign-in/second-factor/enrol", "/sign-in/second-factor/codes")

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NODE = shutil.which("node")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
]

pytestmark = [pytest.mark.browser, pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


def _missing() -> str:
    if not Path(CHROMIUM).exists():
        return "chromium not installed (apt-get install chromium)"
    if NODE is None:
        return "node not installed (apt-get install nodejs npm)"
    if (
        not (HERE / "node_modules" / "axe-core" / "axe.min.js").exists()
        or not (HERE / "node_modules" / "chrome-remote-interface").exists()
    ):
        return "tests/browser/node_modules missing (run `npm install` in tests/browser)"
    return ""


@pytest.fixture
def server(appliance, tmp_path):

    from appliance import documents
    from tests.filefactory import make_corrupt_pdf

    world = build_world(appliance, tmp_path)
    # A failed file, so the ingest page shows its table and retry button.
    documents.ingest_file(appliance, make_corrupt_pdf(tmp_path / "src" / "kapot.pdf"), "bouw")
    # A redaction review of the PDF, so its page (image, proposals table, forms) is checked too.
    from appliance.access.principals import SYSTEM
    from appliance.documents.redaction_review import add_manual, start_review, submit

    world.docs["review"] = start_review(appliance, SYSTEM, world.docs["bouw"]).id  # type: ignore[assignment]
    assert add_manual(appliance, SYSTEM, world.docs["review"], 2, "sporthal", "privacy") == 1
    # Submitted with names found by rules only (pii.ner = none): the page shows that notice, and the
    # admin, a second reviewer, gets the confirmation checkbox.
    assert submit(appliance, SYSTEM, world.docs["review"]).state == "submitted"
    # An answer forwarded as a ticket, so the ticket pages and the audit record page have content.
    from appliance.ask import tickets as ticket_service
    from appliance.ask.answering import answer
    from appliance.audit import log as audit_service

    asked = answer(appliance, SYSTEM, "Wie verleende de omgevingsvergunning voor de sporthal?")
    audit_service.record_feedback(appliance, SYSTEM, asked.audit_id, helpful=False, comment="te kort")
    world.docs["answer"] = asked.audit_id
    ticket = ticket_service.forward(appliance, SYSTEM, asked.audit_id, "graag nakijken")
    world.docs["ticket"] = ticket.id or 0
    # Ask: an AI answer with a citation (a stored record over the same sources), shown after the
    # extractive one above, so /ask/answer shows the conversation, citations, sources and forms.
    payload = audit_service.get_record(appliance, SYSTEM, asked.audit_id)["payload"]
    world.docs["ai_answer"] = audit_service.record_answer(
        appliance, SYSTEM, question="En wie verleende ze?", status="answered", model="smollm2-135m-instruct-q4_1",
        answer="De vergunning werd door het college verleend [1].",
        details={"language": "nl", "sources": payload["sources"],
                 "citations": [{"number": 1, "sentence": "De vergunning werd door het college verleend [1].",
                                "support": 0.8, "reason": "overlap"}]})
    # Minutes: a draft under review (forms, citations, flags) and approved ones (read-only).
    from tests.minutes_support import make_minutes

    world.docs["minutes"] = make_minutes(appliance)["minutes"]
    world.docs["minutes_approved"] = make_minutes(appliance, approved=True)["minutes"]
    from tests.lblod_support import lblod_world  # LBLOD publication: a draft with forms, an approved meeting

    world.docs.update(lblod_world(appliance))
    # Triage: the example taxonomy, a waiting item (hostile subject, missing address: a drafted
    # request) and a routed one, so the queue, item, department inbox, dashboard and editor have content.
    from tests.integration.test_web_triage import HOSTILE, TAXONOMY
    from tests.unit.triage_items import add_item, use_taxonomy

    use_taxonomy(appliance, TAXONOMY, tmp_path)
    world.docs["triage"] = add_item(appliance, HOSTILE, "Er zit een put in onze straat.", suggested="wegschade",
                                    language="nl", urgent=True)
    add_item(appliance, "Leefloon", suggested="sociale-steun", reason="human_only", flags=["spoofed_sender"])
    add_item(appliance, "Glasbol vol", suggested="afval", state="routed", category="afval", department="omgeving",
             routed_by="auto", deadline="2000-01-01")
    # Insight: a few weeks of intake on one theme, so the themes page has a chart and the forecast a line.
    from tests.insight_data import add_theme_items

    add_theme_items(appliance, 12, days=80)
    # Plain language: a reply draft on a triage item (extractive here: no model in tests).
    from appliance.plain import draft_reply

    world.docs["reply"] = add_item(appliance, "Sporthal", "Goedendag,\n\nWie verleende de omgevingsvergunning "
                                   "voor de sporthal?\n\nGroeten,\nJan", language="nl")
    draft_reply(appliance, SYSTEM, world.docs["reply"])
    # Recordings: a transcribed one with a corrected segment (editor: player, forms per segment, history).
    from appliance.recordings import transcript_edit
    from appliance.recordings.transcripts import transcribe_recording
    from models.base import Segment
    from models.fakes import FakeTranscriber
    from tests.asr_fixture import silence

    made = transcribe_recording(appliance, silence(tmp_path / "raad.wav", 8.0), transcriber=FakeTranscriber([
        Segment(1.0, 3.0, "Welkom op de gemeenteraad.", speaker="S1", avg_logprob=-0.2),
        Segment(4.0, 6.5, "Ik heb een vraag over de begroting.", avg_logprob=-0.2)]))
    world.docs["recording"] = made.recording_id
    segment = transcript_edit.segments_of(appliance, made.recording_id)[1].id or 0
    transcript_edit.edit_segment(appliance, SYSTEM, made.recording_id, segment, "Ik heb een vraag over de <b>begroting</b>.")
    world.docs["segment"] = segment
    # Compare: two versions of a regulation with a changed figure, a table row and an added article.
    from tests.filefactory import make_text

    old = ("Reglement\nArtikel 1.\nDe premie bedraagt 250 euro.\nArtikel 2.\nTarieven:\n"
           "Woning: premie € 250,00; maximum € 500,00\nArtikel 3.\nHet college beslist binnen twee maanden.\n")
    new = old.replace("250 euro", "300 euro").replace("maximum € 500,00", "maximum € 600,00") + \
        "Artikel 4.\nDit reglement treedt in werking op 1 januari 2026.\n"
    for name, text in (("reg_old", old), ("reg_new", new)):
        world.docs[name] = documents.ingest_file(appliance, make_text(tmp_path / "src" / f"{name}.txt", text),
                                                 "bouw").document_id
    # Governance: a retention rule, a legal hold and a person to find (the subject page's results table).
    from appliance import governance

    governance.save_rule(appliance, "admin", {"target": "answers", "days": "3650", "duty": "true"})
    governance.place_hold(appliance, "admin", "document", str(world.docs["bouw"]), reason="bezwaar")
    add_item(appliance, "Parkeerkaart", "Groeten, Mieke Dierckx", suggested="afval")
    from tests.identity_support import identity_world

    world.tokens.update(identity_world(appliance))  # admin's second factor, an OIDC provider and user
    with live_app(appliance) as base:
        yield world, base


@pytest.fixture
def chromium(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [
            CHROMIUM,
            *FLAGS,
            f"--remote-debugging-port={port}",
            "--remote-debugging-address=127.0.0.1",
            f"--user-data-dir={tmp_path / 'chrome'}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/json/version")
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_every_page_has_no_wcag21aa_violations(server, chromium):
    world, base = server
    doc = world.docs["bouw"]
    paths = [
        "/",
        "/?q=omgevingsvergunning+sporthal",
        f"/documents/{doc}?page=2&chunk=2&mark=4-40#chunk-2",
        "/upload",
        "/ingest",
        "/admin",
        "/documents/999999",
        f"/redactions/{world.docs['review']}?page=2",
        "/tickets",
        f"/tickets/{world.docs['ticket']}",
        "/admin/audit",
        f"/admin/audit/{world.docs['answer']}",
        "/admin/audit/events",
        "/ask",
        f"/ask/answer/{world.docs['answer']}",
        f"/ask/answer/{world.docs['ai_answer']}?conv={world.docs['answer']}",
        "/minutes",
        f"/minutes/{world.docs['minutes']}",
        f"/minutes/{world.docs['minutes_approved']}?lang=fr",
        f"/minutes/{world.docs['lblod_draft']}/publication",
        f"/minutes/{world.docs['lblod_approved']}/publication?lang=en",
        "/mandates",
        "/mandates?lang=fr",
        "/triage",
        f"/triage/items/{world.docs['triage']}",
        "/triage/departments/omgeving",
        "/triage/dashboard?lang=fr",
        "/admin/triage",
        "/insight",
        "/insight?period=month&periods=3&lang=en",
        "/insight/forecast",
        "/insight/forecast?series=tickets&lang=fr",
        f"/triage/items/{world.docs['reply']}?lang=fr",
        "/write",
        "submit:/write",
        "/admin/plain",
        "/recordings",
        f"/recordings/{world.docs['recording']}",
        f"/recordings/{world.docs['recording']}?q=begroting",
        f"/recordings/{world.docs['recording']}/segments/{world.docs['segment']}/history?lang=fr",
        "/compare",
        f"/compare?old={world.docs['reg_old']}&new={world.docs['reg_new']}",
        f"/compare?old={world.docs['reg_old']}&new={world.docs['reg_new']}&summary=true&lang=fr",
        f"/compare?document={world.docs['reg_old']}",
        "/?q=" + "x" * 3000,
        "/?lang=fr&q=sporthal",
        "/?lang=en",
        "/admin/pilot",
        "/admin/pilot?weeks=4&lang=fr",
        "/admin/metrics?lang=en",
        "/admin/retention",
        "/admin/subject",
        "submit:/admin/subject?name=Mieke+Dierckx",
        "/admin/identity",
        "/admin/identity?lang=fr",
        "/account/second-factor",
        "/admin/directory",
        f"/admin/documents/{doc}/readers",
        "/admin/users/admin/reads?lang=fr",
    ]
    out = subprocess.run(
        [NODE, str(HERE / "run_axe.js"), str(chromium), base, "admin", PW, *paths],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **driver_env(world.tokens)},
    )
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert set(results) == {"/sign-in", *SECOND_FACTOR_PAGES, *paths}
    # an error page must be accessible too, but only the one listed for it may be an error page: any
    # other path that answers with an error (a crash, a refused read) would pass axe unnoticed
    assert {p: r["error"] for p, r in results.items() if r["error"]} == {"/documents/999999": "document.not_found"}
    problems = {p: r["violations"] for p, r in results.items() if r["violations"]}
    assert not problems, json.dumps(problems, indent=1)
    assert all(r["passes"] > 10 for r in results.values())  # axe really ran on a real page
    assert results["/"]["lang"] == "nl" and results["/?lang=fr&q=sporthal"]["lang"] == "fr"
    assert results["/?lang=en"]["lang"] == "en"
    from appliance.i18n import t

    for path, key in (("/sign-in/second-factor", "identity.totp_title"), ("/sign-in/second-factor/enrol",
                      "identity.enrol_title"), ("/sign-in/second-factor/codes", "identity.codes_title"),
                      ("/admin/identity", "identity.admin_title")):
        titles = {t(lang, key) for lang in ("nl", "fr", "en")}  # the page itself ran, in whatever language
        assert any(title in results[path]["title"] for title in titles), (path, results[path]["title"])


if _missing():
    test_every_page_has_no_wcag21aa_violations = pytest.mark.skip(reason=_missing())(
        test_every_page_has_no_wcag21aa_violations
    )
