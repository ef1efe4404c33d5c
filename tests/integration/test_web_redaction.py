"""The redaction review in the web UI: proposals, decisions, manual additions, four-eyes, export."""

from __future__ import annotations

import re
import shutil

import pypdfium2 as pdfium
import pytest

from appliance import documents
from appliance.access import accounts
from appliance.context import open_appliance
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.filefactory import make_pdf
from tests.integration.web_support import PW, sign_in

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")

NN = "85.07.30-033.28"


@pytest.fixture
def world(tmp_path):
    app = open_appliance(make_settings(tmp_path, pii={"ner": "none", "four_eyes": True}), embedder=FakeEmbedder())
    documents.ensure_collection(app, "dossiers", groups=["archief"])
    accounts.create_user(app, "ada", PW, role="archivist", groups=["archief"])
    accounts.create_user(app, "bert", PW, role="archivist", groups=["archief"])
    accounts.create_user(app, "sam", PW, role="staff", groups=["archief"])
    pdf = make_pdf(tmp_path / "dossier.pdf", [(f"Aanvraag van mevrouw Hilde Vermeersch, rijksregisternummer {NN}.\n"
                                               "Kadastraal perceel 12B, sectie A, Vaartstraat.")])
    doc_id = documents.ingest_file(app, pdf, "dossiers").document_id
    return app, doc_id


def _client(app):  # type: ignore[no-untyped-def]
    from litestar.testing import TestClient

    from appliance.jobs import queue_for
    from ops.webapp import create_app

    queue_for(app, immediate=True)  # the web app's jobs run where they are queued
    return TestClient(create_app(app))


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_review_four_eyes_and_export(world) -> None:
    app, doc_id = world
    with _client(app) as ada, _client(app) as bert, _client(app) as sam:
        sign_in(ada, "ada"), sign_in(bert, "bert"), sign_in(sam, "sam")
        page = ada.get(f"/documents/{doc_id}")
        r = ada.post(f"/documents/{doc_id}/redact", data={"_csrf_token": _csrf(page.text)}, follow_redirects=False)
        assert r.status_code == 303
        review_url = r.headers["location"]
        page = ada.get(review_url)
        assert page.status_code == 200 and "BE_NATIONAL_NUMBER" in page.text
        assert ada.get(review_url + "/page/1").headers["content-type"] == "image/png"
        assert sam.get(review_url).status_code == 403  # staff may not review

        token = _csrf(page.text)
        shown = {k: "1" for k in re.findall(r'name="(shown-\d+)"', page.text)}
        accept = {f"accept-{k.split('-')[1]}": "1" for k in shown}
        grounds = {f"ground-{k.split('-')[1]}": "privacy" for k in shown}
        r = ada.post(review_url + "/decisions?page=1", data={"_csrf_token": token, **shown, **accept, **grounds})
        assert r.status_code == 200
        r = ada.post(review_url + "/manual", data={"_csrf_token": token, "page": "1", "needle": "perceel 12B",
                                                   "ground": "privacy"})
        assert r.status_code == 200
        ada.post(review_url + "/submit", data={"_csrf_token": token})
        r = ada.post(review_url + "/approve", data={"_csrf_token": token})
        assert r.status_code == 403  # the submitter cannot approve their own redaction
        assert ada.post(review_url + "/export", data={"_csrf_token": token}).status_code == 409

        btoken = _csrf(bert.get(review_url).text)
        # pii.ner = none: names were found by rules only, so the approval also confirms the names.
        assert bert.post(review_url + "/approve", data={"_csrf_token": btoken}).status_code == 400
        assert bert.post(review_url + "/approve", data={"_csrf_token": btoken, "names_checked": "1"}).status_code == 200
        r = bert.post(review_url + "/export", data={"_csrf_token": btoken})
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        text = "".join(pdfium.PdfDocument(r.content)[0].get_textpage().get_text_range().split())
        assert "".join(NN.split()) not in text and "perceel12B" not in text and "Vaartstraat" in text
        log = bert.get(review_url + "/log.json").json()
        assert log["reviewed_by"] == "bert" and any(x["source"] == "manual" for x in log["redactions"])
