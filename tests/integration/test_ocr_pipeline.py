"""A scanned Dutch letter dropped in a collection becomes searchable text, cited by page, with a PDF/A copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from sqlmodel import select

from appliance.access.principals import SYSTEM
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, Document
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.documents.ocr import ocr_pending, pdfa_copy
from appliance.search.query import search
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.scanfactory import write_scanned_pdf

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")

PAGE_1 = ("Gemeente Belveld, dienst Burgerzaken.\nBetreft: uw vraag over de afvalophaling in de Molenstraat.\n"
          "Geachte heer, de ophaling van het restafval gebeurt voortaan op dinsdag.")
PAGE_2 = ("Het recyclagepark is open van maandag tot zaterdag. Grofvuil wordt op afspraak opgehaald.\n"
          "Met vriendelijke groeten, het college van burgemeester en schepenen.")


def test_scanned_letter_is_ocred_chunked_by_page_and_searchable(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    ensure_collection(app, "brieven", groups=("iedereen",))
    write_scanned_pdf(tmp_path / "brief.pdf", [PAGE_1, PAGE_2])
    outcome = ingest_file(app, tmp_path / "brief.pdf", "brieven")
    assert outcome.state == "needs_ocr"

    [done] = ocr_pending(app)
    assert done.state == "ingested" and done.pages == 2 and done.confidence > 0.7
    with read_session(app.db) as s:
        doc = s.get(Document, outcome.document_id)
        assert doc is not None and doc.state == "ingested"
        pages = {c.page for c in s.exec(select(Chunk).where(Chunk.document_id == doc.id)).all()}
        pdfa = pdfa_copy(app, doc)
    assert pages == {1, 2}
    assert pdfa is not None and pdfa.exists()
    with pikepdf.open(pdfa) as pdf:
        assert pdf.open_metadata().pdfa_status.startswith("2")

    hits = search(app, SYSTEM, "recyclagepark grofvuil", mode="keyword").hits
    assert hits and hits[0].document_id == outcome.document_id and hits[0].page == 2
    assert ocr_pending(app) == []  # nothing left waiting, and a second run does nothing


def test_missing_language_data_keeps_the_document_waiting(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path, ocr={"languages": ["xyz"]}), embedder=FakeEmbedder())
    ensure_collection(app, "brieven")
    write_scanned_pdf(tmp_path / "brief.pdf", [PAGE_1])
    outcome = ingest_file(app, tmp_path / "brief.pdf", "brieven")
    [result] = ocr_pending(app)
    assert result.state == "needs_ocr" and result.code == "ocr.missing_language"
    with read_session(app.db) as s:
        doc = s.get(Document, outcome.document_id)
        assert doc is not None and doc.state == "needs_ocr"
        assert "tesseract-ocr-xyz" in doc.state_detail


def test_ingest_job_queues_ocr_and_records_both_jobs(tmp_path: Path) -> None:
    from appliance.documents.ingest import list_jobs
    from appliance.jobs import enqueue_ingest, queue_for, use_appliance

    settings = make_settings(tmp_path, ocr={"on_ingest": True})
    app = open_appliance(settings, embedder=FakeEmbedder())
    use_appliance(app)
    ensure_collection(app, "brieven")
    write_scanned_pdf(tmp_path / "brief.pdf", [PAGE_2])
    enqueue_ingest(app, queue_for(settings, immediate=True), tmp_path / "brief.pdf", "brieven", keep_source=True)
    jobs = {j.kind: j for j in list_jobs(app)}
    assert jobs["ingest"].state == "done" and jobs["ocr"].state == "done"
    with read_session(app.db) as s:
        assert s.exec(select(Document)).one().state == "ingested"


def test_api_exposes_ocr_confidences_structure_and_the_pdfa_copy(tmp_path: Path) -> None:
    from appliance.access import accounts
    from appliance.access import tokens as api_tokens
    from tests.integration.web_support import PW

    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    ensure_collection(app, "brieven", groups=("post",))
    ensure_collection(app, "geheim", groups=("directie",))
    accounts.create_user(app, "pia", PW, role="staff", groups=["post"])
    token = api_tokens.create_token(app, "pia", "t")
    write_scanned_pdf(tmp_path / "brief.pdf", [PAGE_1])
    doc_id = ingest_file(app, tmp_path / "brief.pdf", "brieven").document_id
    hidden = ingest_file(app, write_scanned_pdf(tmp_path / "x.pdf", [PAGE_2]) and tmp_path / "x.pdf", "geheim")
    ocr_pending(app)

    from litestar.testing import TestClient

    from appliance.jobs import queue_for
    from ops.webapp import create_app

    queue_for(app, immediate=True)  # the web app's jobs run where they are queued
    with TestClient(create_app(app)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        info = client.get(f"/api/v1/documents/{doc_id}/ocr", headers=headers).json()
        assert info["state"] == "ingested" and info["page_source"] == ["ocr"]
        assert info["page_confidence"][0] > 0.7 and info["structure"]["doc_type"] == "brief"
        assert info["page_engine"] == ["tesseract"]  # engine auto: a clean office scan needs no second reading
        pdfa = client.get(info["pdfa_url"], headers=headers)
        assert pdfa.status_code == 200 and pdfa.content.startswith(b"%PDF")
        assert client.get(f"/api/v1/documents/{hidden.document_id}/pdfa", headers=headers).status_code == 404
