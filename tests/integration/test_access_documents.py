"""Issue 19, access findings 8-10 on documents: each test replays the reviewer's attack.

8. a pseudonymised collection shows no name in a title or file name and refuses the original;
9. the redaction API goes through the four-eyes review and validates min_score;
10. malformed redaction forms are a 400, the audit CSV runs no formula, and relevance weights are
    counted over the asker's own collections only.
"""

from __future__ import annotations

import base64
import csv
import io
import shutil

import pytest
from sqlmodel import select

from appliance import documents
from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.access.principals import SYSTEM, Principal
from appliance.ask.answering import answer
from appliance.audit import log as audit
from appliance.context import open_appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AnswerRecord, Collection
from appliance.errors import Forbidden
from appliance.privacy.pseudonyms import SETTING
from appliance.storage.csv_safe import formula_safe
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.filefactory import make_pdf, make_text
from tests.integration.web_support import PW, bearer, build_world, csrf, sign_in

NN = "85.07.30-033.28"
needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")


# --- 8. pseudonymised collections -------------------------------------------------------------------


def test_a_pseudonymised_collection_hides_names_in_titles_and_refuses_the_original(appliance, tmp_path):  # type: ignore[no-untyped-def]
    coll = documents.ensure_collection(appliance, "personeel", groups=("hr",))
    with write_session(appliance.db) as s:
        row = s.get(Collection, coll.id)
        row.settings_json = {SETTING: True}
        s.add(row)
    src = make_text(tmp_path / "ontslagdossier-Hilde-Vermeersch.txt",
                    f"Dossier van mevrouw Hilde Vermeersch, rijksregisternummer {NN}.")
    doc_id = documents.ingest_file(appliance, src, "personeel").document_id
    staff = Principal(user_id=7, username="sam", role="archivist", group_ids=_group_ids(appliance, "hr"))
    info = documents.get_document(appliance, staff, doc_id)
    assert "Vermeersch" not in info.title and "Vermeersch" not in info.source_path, info
    assert info.title.startswith("ontslagdossier") and info.source_path.endswith(".txt")
    listed = documents.list_documents(appliance, staff, "personeel")
    assert "Vermeersch" not in str([(d.title, d.source_path) for d in listed])
    with pytest.raises(Forbidden) as err:
        documents.original_file(appliance, staff, doc_id)
    assert err.value.code == "document.original_pseudonymised"
    path, _, _ = documents.original_file(appliance, SYSTEM, doc_id)  # whoever may reveal pseudonyms
    assert "Vermeersch" in path.read_text("utf-8")
    # The same file name again is the same document (a new version), not a second one.
    make_text(src, f"Dossier van mevrouw Hilde Vermeersch, rijksregisternummer {NN}. Aangevuld.")
    assert documents.ingest_file(appliance, src, "personeel").document_id == doc_id


def _group_ids(app, name: str) -> frozenset[int]:  # type: ignore[no-untyped-def]
    from appliance.db.tables import Group

    with read_session(app.db) as s:
        return frozenset(g.id for g in s.exec(select(Group).where(Group.name == name)).all() if g.id)


# --- 9. the redaction API and four-eyes --------------------------------------------------------------


@pytest.fixture
def four_eyes(tmp_path):  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, pii={"ner": "none", "four_eyes": True}), embedder=FakeEmbedder())
    world = build_world(app, tmp_path)
    accounts.create_user(app, "bert", PW, role="archivist", groups=["bouwgroep"])
    world.tokens["bert"] = api_tokens.create_token(app, "bert", "tests")
    pdf = make_pdf(tmp_path / "src" / "dossier.pdf",
                   [f"Aanvraag van mevrouw Hilde Vermeersch, rijksregisternummer {NN}, voor de Vaartstraat."])
    world.docs["dossier"] = documents.ingest_file(app, pdf, "bouw").document_id
    return world


def test_the_redaction_api_refuses_a_score_outside_0_1(four_eyes):  # type: ignore[no-untyped-def]
    url = f"/api/v1/documents/{four_eyes.docs['dossier']}/redact"
    with four_eyes.client() as api:
        for bad in (1.5, -0.1):
            r = api.post(url, json={"min_score": bad}, headers=bearer(four_eyes, "archie"))
            assert r.status_code == 400, r.text
        schema = api.get("/api/v1/schema/openapi.json").json()["components"]["schemas"]
        [redact_in] = [v for k, v in schema.items() if k.endswith("RedactIn")]
        score = redact_in["properties"]["min_score"]
        assert (score.get("minimum"), score.get("maximum")) == (0.0, 1.0)


@needs_tesseract
def test_the_redaction_api_exports_only_after_a_second_reviewer(four_eyes):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    url = f"/api/v1/documents/{four_eyes.docs['dossier']}/redact"
    with four_eyes.client() as api:
        r = api.post(url, json={"min_score": 0.5}, headers=bearer(four_eyes, "archie"))
        assert r.status_code == 202, r.text
        body = r.json()
        assert body["state"] == "submitted" and body["pdf_base64"] == "" and body["proposals"] >= 1
        approve = f"/api/v1/redactions/{body['review_id']}/approve"
        assert api.post(approve, headers=bearer(four_eyes, "archie")).status_code == 403  # not the submitter
        assert api.post(url, json={}, headers=bearer(four_eyes, "archie")).status_code == 202  # still waiting
        # pii.ner = none: the names were found by rules only, so the second reviewer also confirms them.
        assert api.post(approve, headers=bearer(four_eyes, "bert")).status_code == 400
        r = api.post(approve + "?names_checked=true", headers=bearer(four_eyes, "bert"))
        assert r.status_code == 201 and r.json()["approved_by"] == "bert"
        r = api.post(url, json={}, headers=bearer(four_eyes, "archie"))
        assert r.status_code == 201, r.text
        done = r.json()
    assert done["state"] == "exported" and done["log"]["reviewed_by"] == "bert" and done["redactions"] >= 1
    text = "".join(pdfium.PdfDocument(base64.b64decode(done["pdf_base64"]))[0].get_textpage().get_text_range().split())
    assert "".join(NN.split()) not in text and "Vaartstraat" in text


def test_malformed_redaction_forms_are_a_400(four_eyes):  # type: ignore[no-untyped-def]
    from appliance.documents.redaction_review import start_review

    archie = Principal(*_who(four_eyes.app, "archie"))
    review = start_review(four_eyes.app, archie, four_eyes.docs["dossier"])
    with four_eyes.client() as c:
        assert sign_in(c, "archie").status_code == 303
        base = f"/redactions/{review.id}"
        for url, form in ((f"{base}/decisions?page=1", {"shown-x": "1"}),
                          (f"{base}/decisions?page=1", {"shown-99999999999999999999": "1"}),
                          (f"{base}/manual", {"page": "een", "needle": "Vaartstraat", "ground": "privacy"})):
            r = c.post(url, data={"_csrf_token": csrf(c), **form}, follow_redirects=False)
            assert r.status_code == 400 and "redact.bad_form" in r.text, (url, r.status_code)


def _who(app, username: str) -> tuple:  # type: ignore[no-untyped-def]
    uid = {u.username: u.id for u in accounts.list_users(app)}[username]
    p = accounts.principal_by_id(app, uid)
    assert p is not None
    return (p.user_id, p.username, p.role, p.group_ids, p.language)


# --- 10. audit CSV and relevance counts ------------------------------------------------------------------


def test_the_audit_csv_runs_no_formula(appliance):  # type: ignore[no-untyped-def]
    hostile = ['=HYPERLINK("http://evil.invalid","klik")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    for q in hostile:
        audit.record_answer(appliance, SYSTEM, question=q, answer=q, status="refused", model="", model_sha256="",
                            details={})
    rows = list(csv.DictReader(io.StringIO(audit.export(appliance, "csv"))))
    assert [r["question"] for r in rows] == ["'" + q for q in hostile]
    assert all(r["answer"].startswith("'") for r in rows)
    with read_session(appliance.db) as s:  # the stored record (and its hash) is untouched
        assert [r.question for r in s.exec(select(AnswerRecord).order_by(AnswerRecord.id)).all()] == hostile
    assert audit.verify_chain(appliance) == (True, None)
    from appliance.minutes.export import formats as minutes_export
    from appliance.triage import routing as triage_routing

    assert minutes_export.csv_cell("=1") == triage_routing._cell("=1") == formula_safe("=1") == "'=1"


def test_relevance_weights_ignore_collections_the_asker_cannot_read(appliance, tmp_path):  # type: ignore[no-untyped-def]
    world = build_world(appliance, tmp_path)
    anna = Principal(*_who(appliance, "anna"))
    q = "Wie verleende de omgevingsvergunning voor de sporthal aan de Vaartstraat?"
    before = [(s.chunk_id, s.relevance) for s in answer(appliance, anna, q).sources]
    for i in range(12):  # welzijn, which anna cannot read, fills up with one of the question's words
        make_text(tmp_path / "w" / f"nota-{i}.txt", f"Nota {i}: de sporthal en de sporthal, {i} keer.")
        documents.ingest_file(appliance, tmp_path / "w" / f"nota-{i}.txt", "welzijn")
    after = [(s.chunk_id, s.relevance) for s in answer(appliance, anna, q).sources]
    assert before and after == before
    assert world.docs["bouw"] in {s.document_id for s in answer(appliance, anna, q).sources}

