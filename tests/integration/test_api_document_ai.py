"""Document AI over the API: PII on text and on readable documents only; redacted export for archivists."""

from __future__ import annotations

import base64
import shutil

import pypdfium2 as pdfium
import pytest

from appliance import documents
from tests.filefactory import make_pdf
from tests.integration.web_support import bearer, build_world

NN = "85.07.30-033.28"


@pytest.fixture
def world(appliance, tmp_path):
    w = build_world(appliance, tmp_path)
    pdf = make_pdf(tmp_path / "src" / "dossier.pdf",
                   [f"Aanvraag van mevrouw Hilde Vermeersch, rijksregisternummer {NN}, voor de Vaartstraat."])
    w.docs["dossier"] = documents.ingest_file(appliance, pdf, "bouw").document_id
    return w


def test_pii_in_text_finds_valid_numbers_only(world, client):
    r = client.post("/api/v1/pii", json={"text": f"nr {NN} en nr 85.07.30-033.29"}, headers=bearer(world, "anna"))
    assert r.status_code == 201, r.text
    assert [s["text"] for s in r.json()["spans"] if s["entity_type"] == "BE_NATIONAL_NUMBER"] == [NN]


def test_pii_of_a_document_respects_permissions(world, client):
    url = f"/api/v1/documents/{world.docs['dossier']}/pii"
    r = client.get(url, headers=bearer(world, "anna"))
    assert r.status_code == 200
    assert {"BE_NATIONAL_NUMBER"} <= {s["entity_type"] for s in r.json()["spans"]}
    assert client.get(url, headers=bearer(world, "wout")).status_code == 404  # not readable: as if absent


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_redacted_export_for_archivists(world, client):
    url = f"/api/v1/documents/{world.docs['dossier']}/redact"
    assert client.post(url, json={}, headers=bearer(world, "anna")).status_code == 403  # staff may not
    r = client.post(url, json={"min_score": 0.5}, headers=bearer(world, "archie"))
    # Names were found without the name recogniser (pii.ner = none): a second reviewer confirms them.
    assert r.status_code == 202 and r.json()["state"] == "submitted", r.text
    approve = f"/api/v1/redactions/{r.json()['review_id']}/approve"
    assert client.post(approve, headers=bearer(world, "archie")).status_code == 403  # not the submitter
    assert client.post(approve, headers=bearer(world, "admin")).status_code == 400  # names not confirmed
    r = client.post(approve + "?names_checked=true", headers=bearer(world, "admin"))
    assert r.status_code == 201 and r.json()["approved_by"] == "admin", r.text
    r = client.post(url, json={"min_score": 0.5}, headers=bearer(world, "archie"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["redactions"] >= 1 and body["log"]["exported_by"] == "archie"
    pdf = pdfium.PdfDocument(base64.b64decode(body["pdf_base64"]))
    text = "".join(pdf[0].get_textpage().get_text_range().split())
    assert "".join(NN.split()) not in text and "Vaartstraat" in text
