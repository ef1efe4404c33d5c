"""/compare and /api/v1/compare: readable documents only, versions of one document, a scan that waits
for OCR, the exports, and the AI summary (labelled and audited)."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from sqlmodel import select

from appliance import documents
from appliance.access import SYSTEM
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord
from models.fakes import FakeLLM
from tests.filefactory import make_scanned_pdf, make_text
from tests.integration.web_support import World, bearer, build_world

OLD = ("Reglement regenwaterputten\nArtikel 1.\nDe gemeente kent een premie toe voor een regenwaterput.\n"
       "Artikel 2.\nDe premie bedraagt 250 euro per woning en wordt eenmaal per adres toegekend.\n"
       "Artikel 3.\nHet college beslist over de aanvraag binnen twee maanden.\n")
NEW = OLD.replace("250 euro", "300 euro") + "Artikel 4.\nDit reglement treedt in werking op 1 januari 2026.\n"


@pytest.fixture
def world(appliance, tmp_path) -> World:
    w = build_world(appliance, tmp_path)
    for name, text in (("oud", OLD), ("nieuw", NEW)):
        path = make_text(tmp_path / "src" / f"reglement-{name}.txt", text)
        w.docs[name] = documents.ingest_file(appliance, path, "bouw").document_id
    v1 = OLD.replace("Reglement regenwaterputten", "Reglement premies regenwaterputten")
    path = make_text(tmp_path / "v" / "reglement.txt", v1)
    w.docs["versioned"] = documents.ingest_file(appliance, path, "bouw").document_id
    path.write_text(v1.replace("250 euro", "300 euro"), encoding="utf-8")
    assert documents.ingest_file(appliance, path, "bouw").state == "new_version"
    scan = make_scanned_pdf(tmp_path / "src" / "scan.pdf")
    outcome = documents.ingest_file(appliance, scan, "bouw")
    assert outcome.state == "needs_ocr"
    w.docs["scan"] = outcome.document_id
    return w


def _url(world: World, **extra: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in extra.items())
    return f"/api/v1/compare?old={world.docs['oud']}&new={world.docs['nieuw']}&{query}"


def test_api_compares_two_readable_documents(world, client):
    r = client.get(_url(world), headers=bearer(world, "anna"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "changed" and body["summary"] is None
    assert body["changes"] == ["Artikel 2 gewijzigd: „250” wordt „300”.", "Artikel 4 toegevoegd."]
    assert body["counts"]["changed"] == 1 and body["counts"]["unchanged"] == 3  # title, articles 1 and 3


def test_only_readers_of_both_documents_may_compare(world, client):
    for url in (_url(world), f"/api/v1/compare/export?old={world.docs['oud']}&new={world.docs['nieuw']}"):
        assert client.get(url, headers=bearer(world, "wout")).status_code == 404  # as if absent
    mixed = f"/api/v1/compare?old={world.docs['oud']}&new={world.docs['welzijn']}"
    assert client.get(mixed, headers=bearer(world, "anna")).status_code == 404
    assert client.get(_url(world)).status_code == 401


def test_page_shows_the_diff_and_refuses_unreadable_documents(world, signed_in):
    anna = signed_in("anna")
    r = anna.get(f"/compare?old={world.docs['oud']}&new={world.docs['nieuw']}")
    assert r.status_code == 200
    assert "<del>" in r.text and "250</del>" in r.text and "300</ins>" in r.text
    assert "Kinderopvang" not in r.text and "kinderopvang" not in r.text  # wout's document is not offered
    wout = signed_in("wout")
    assert wout.get(f"/compare?old={world.docs['oud']}&new={world.docs['nieuw']}").status_code == 404


def test_two_versions_of_one_document(world, signed_in):
    doc = documents.get_document(world.app, SYSTEM, world.docs["versioned"])
    v1, v2 = (v.id for v in doc.versions)
    anna = signed_in("anna")
    picker = anna.get(f"/compare?document={world.docs['versioned']}")
    assert picker.status_code == 200 and 'name="old_version"' in picker.text
    r = anna.get(f"/compare?old={doc.id}&new={doc.id}&old_version={v1}&new_version={v2}")
    assert r.status_code == 200 and "300</ins>" in r.text
    same = anna.get(f"/compare?old={doc.id}&new={doc.id}&old_version={v2}&new_version={v2}")
    assert "Geen wijzigingen" in same.text


def test_a_scan_waits_for_ocr(world, client):
    url = f"/api/v1/compare?old={world.docs['oud']}&new={world.docs['scan']}"
    r = client.get(url, headers=bearer(world, "anna"))
    assert r.status_code == 409 and r.json()["error"]["code"] == "compare.needs_ocr"


def test_exports(world, client, signed_in):
    base = f"old={world.docs['oud']}&new={world.docs['nieuw']}"
    md = client.get(f"/api/v1/compare/export?{base}&format=md", headers=bearer(world, "anna"))
    assert md.status_code == 200 and "~~250~~ **300**" in md.text
    docx = signed_in("anna").get(f"/compare/export/docx?{base}")
    assert docx.status_code == 200
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "<w:ins " in xml and "<w:del " in xml and 'w:author="anna"' in xml


def test_ai_summary_is_labelled_and_audited(world, signed_in):
    world.app.engines.set("llm", FakeLLM("De premie bedraagt 300 euro per woning [2]. Alles wordt gratis [2]."))
    r = signed_in("anna").get(f"/compare?old={world.docs['oud']}&new={world.docs['nieuw']}&summary=true")
    assert r.status_code == 200
    assert "De premie bedraagt 300 euro per woning" in r.text and "Alles wordt gratis" not in r.text
    assert "Gemaakt door AI" in r.text and "Artikel 2" in r.text
    with read_session(world.app.db) as s:
        rec = s.exec(select(AnswerRecord).where(AnswerRecord.username == "anna")).all()[-1]
    payload = json.loads(rec.payload)
    assert rec.question.startswith("compare document:") and payload["feature"] == "compare"
    assert payload["mode"] == "free" and payload["dropped"] == 1
