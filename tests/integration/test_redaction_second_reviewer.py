"""A redaction whose names were found without the name recogniser (rule-only) needs a second
reviewer's explicit confirmation before export, four-eyes or not: service, web page and API."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlmodel import select

from appliance import documents
from appliance.access import accounts
from appliance.access.principals import Principal
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from appliance.documents import redaction_review as rr
from appliance.errors import BelfortError, Forbidden
from models.fakes import FakeEmbedder, FakeNerTagger
from tests.conftest import make_settings
from tests.filefactory import make_pdf
from tests.integration.web_support import PW, sign_in

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")


@pytest.fixture
def world(tmp_path):
    app = open_appliance(make_settings(tmp_path, pii={"ner": "none", "four_eyes": False}), embedder=FakeEmbedder())
    documents.ensure_collection(app, "dossiers", groups=["archief"])
    people = {name: accounts.create_user(app, name, PW, role="archivist", groups=["archief"]) for name in ("ada", "bert")}
    pdf = make_pdf(tmp_path / "dossier.pdf", ["Aanvraag van mevrouw Hilde Vermeersch voor de Vaartstraat."])
    app.people = people  # type: ignore[attr-defined]
    return app, documents.ingest_file(app, pdf, "dossiers").document_id


def _who(app, name: str) -> Principal:  # type: ignore[no-untyped-def]
    return app.people[name]  # type: ignore[no-any-return]


def test_rule_only_review_needs_a_second_reviewer_who_confirms_the_names(world) -> None:
    app, doc_id = world
    ada, bert = _who(app, "ada"), _who(app, "bert")
    review = rr.start_review(app, ada, doc_id)
    assert review.names_by == "rules"
    review_id = int(review.id or 0)
    assert rr.submit(app, ada, review_id).state == "submitted"  # four-eyes is off, yet it waits
    with pytest.raises(BelfortError) as not_yet:
        rr.export(app, ada, review_id)
    assert not_yet.value.code == "redact.not_approved"
    with pytest.raises(Forbidden) as own:
        rr.approve(app, ada, review_id, names_checked=True)
    assert own.value.code == "redact.second_reviewer"
    with pytest.raises(BelfortError) as unchecked:
        rr.approve(app, bert, review_id)
    assert unchecked.value.code == "redact.names_unchecked"
    approved = rr.approve(app, bert, review_id, names_checked=True)
    assert (approved.state, approved.approved_by, approved.names_confirmed_by) == ("approved", "bert", "bert")
    with read_session(app.db) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "redaction.approved")).one()
    assert event.actor == "bert" and event.detail["names_checked"] is True and event.detail["submitted_by"] == "ada"
    _pdf, log = rr.export(app, ada, review_id)
    assert log["names_by"] == "rules" and log["names_confirmed_by"] == "bert"


def test_a_change_after_confirmation_needs_a_new_one(world) -> None:
    app, doc_id = world
    ada, bert = _who(app, "ada"), _who(app, "bert")
    review_id = int(rr.start_review(app, ada, doc_id).id or 0)
    rr.submit(app, ada, review_id)
    rr.approve(app, bert, review_id, names_checked=True)
    changed = rr.decide(app, ada, review_id, {0: (False, "privacy")})
    assert (changed.state, changed.names_confirmed_by) == ("draft", "")
    rr.submit(app, ada, review_id)
    with pytest.raises(BelfortError):
        rr.export(app, ada, review_id)


def test_with_the_name_recogniser_one_reviewer_suffices_without_four_eyes(world) -> None:
    app, doc_id = world
    app.engines.set("ner", FakeNerTagger({"Hilde Vermeersch": "PER"}))
    ada = _who(app, "ada")
    review = rr.start_review(app, ada, doc_id)
    assert review.names_by == "recogniser"
    assert rr.submit(app, ada, int(review.id or 0)).state == "approved"
    _pdf, log = rr.export(app, ada, int(review.id or 0))
    assert log["names_by"] == "recogniser" and log["names_confirmed_by"] == ""


def _client(app):  # type: ignore[no-untyped-def]
    from litestar.testing import TestClient

    from appliance.jobs import queue_for
    from ops.webapp import create_app

    queue_for(app, immediate=True)
    return TestClient(create_app(app))


def _csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def test_review_page_marks_rule_only_and_asks_the_second_reviewer_to_confirm(world) -> None:
    app, doc_id = world
    with _client(app) as ada, _client(app) as bert:
        sign_in(ada, "ada"), sign_in(bert, "bert")
        page = ada.get(f"/documents/{doc_id}")
        r = ada.post(f"/documents/{doc_id}/redact", data={"_csrf_token": _csrf(page.text)}, follow_redirects=False)
        url = r.headers["location"]
        page = ada.get(url)
        assert "Namen gevonden zonder naamherkenner" in page.text and "regels alleen" in page.text
        ada.post(url + "/submit", data={"_csrf_token": _csrf(page.text)})
        page = ada.get(url)
        assert 'name="names_checked"' not in page.text  # the submitter is not asked: they may not approve
        assert ada.post(url + "/approve", data={"_csrf_token": _csrf(page.text), "names_checked": "1"}).status_code == 403

        page = bert.get(url + "?lang=fr")
        assert "Noms trouvés sans le détecteur de noms" in page.text
        assert re.search(r'<input type="checkbox" id="names-checked" name="names_checked" value="1" required>', page.text)
        token = _csrf(page.text)
        assert bert.post(url + "/approve", data={"_csrf_token": token}).status_code == 400  # not confirmed
        assert bert.post(url + "/export", data={"_csrf_token": token}).status_code == 409
        assert bert.post(url + "/approve", data={"_csrf_token": token, "names_checked": "1"}).status_code == 200
        page = bert.get(url)
        assert "Noms vérifiés par" in page.text  # the language chosen above stays
        assert bert.post(url + "/export", data={"_csrf_token": token}).headers["content-type"] == "application/pdf"
