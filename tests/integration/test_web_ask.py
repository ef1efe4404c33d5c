"""The Ask page end to end: answer, label, sources, permissions, feedback in the audit chain,
conversation, bad input, and the notice when the language model is missing or damaged."""

from __future__ import annotations

import gc
import html
import re
from pathlib import Path
from typing import Any

import pytest

from appliance.access.principals import SYSTEM
from appliance.audit import log as audit
from appliance.context import open_appliance
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.ask_support import HIDDEN_Q, SPORTHAL_Q, FewTokens, ask_page, audit_id
from tests.integration.web_support import bearer, build_world, csrf, sign_in
from tests.llm_fixture import SMOLLM_NAME, require_smollm

AI_LABEL = "Antwoord gegenereerd door AI — controleer de bronnen"


@pytest.fixture
def anna(world):  # type: ignore[no-untyped-def]
    with world.client() as c:
        assert sign_in(c, "anna").status_code in (302, 303)
        yield c


def test_page_needs_sign_in_and_shows_the_form(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        r = c.get("/ask", follow_redirects=False)
        assert r.status_code in (302, 303) and "/sign-in" in r.headers["location"]
        sign_in(c, "anna")
        page = c.get("/ask").text
    assert 'action="/ask"' in page and 'name="_csrf_token"' in page and 'href="/ask" aria-current="page"' in page
    assert '<script src="/static/ask.js"' in page and "<script>" not in page
    assert "llm.disabled" in page  # llm.engine = none: the page says why answers are extractive


def test_extractive_answer_without_llm(world, anna) -> None:  # type: ignore[no-untyped-def]
    r = ask_page(anna, SPORTHAL_Q)
    assert r.status_code == 200, r.text
    page = r.text
    assert 'data-status="extractive"' in page
    assert "Geen AI-antwoord beschikbaar" in page  # the service's extractive label
    assert "Letterlijke passages (geen AI-antwoord)" in page
    assert 'data-ai-generated="true"' not in page  # quotes are not AI-made
    doc = world.docs["bouw"]
    assert f'href="/documents/{doc}?page=2&amp;chunk=' in page  # opens the document at the page
    assert 'id="source-1"' in page and 'href="#source-1"' in page  # citation links to its source
    assert "door het college verleend" in page  # the highlighted sentence
    plain = html.unescape(re.search(r'<textarea id="answer-plain"[^>]*>(.*?)</textarea>', page, re.DOTALL).group(1))
    assert plain.startswith(f"Vraag: {SPORTHAL_Q}") and "[1] Sporthal Vaartstraat — pagina 2 — http" in plain
    assert f'action="/ask/{audit_id(page)}/forward"' in page and 'name="note"' in page
    rec = audit.get_record(world.app, SYSTEM, audit_id(page))
    assert rec["username"] == "anna" and rec["status"] == "extractive"


def test_a_user_never_sees_a_source_they_cannot_read(world, anna) -> None:  # type: ignore[no-untyped-def]
    page = ask_page(anna, HIDDEN_Q).text
    welzijn = world.docs["welzijn"]
    assert f"/documents/{welzijn}" not in page and "Vertrouwelijk" not in page
    # The same question by someone who may read welzijn does get that source.
    with world.client() as c:
        sign_in(c, "wout")
        page = ask_page(c, HIDDEN_Q).text
        assert f"/documents/{welzijn}" in page and "Vertrouwelijk" in page
        wout_id = audit_id(page)
    # anna cannot open wout's answer, nor borrow it as her conversation.
    assert anna.get(f"/ask/answer/{wout_id}").status_code == 404
    page = ask_page(anna, "En de sporthal?", conv=str(wout_id)).text
    assert "Vertrouwelijk" not in page and "Zonnebloem" not in page.replace(HIDDEN_Q, "")


def test_feedback_is_recorded_in_the_audit_chain(world, anna) -> None:  # type: ignore[no-untyped-def]
    answer_id = audit_id(ask_page(anna, SPORTHAL_Q).text)
    r = anna.post(f"/ask/{answer_id}/feedback", follow_redirects=False,
                  data={"helpful": "0", "comment": "bron klopt niet", "conv": "", "_csrf_token": csrf(anna)})
    assert r.status_code == 303 and r.headers["location"] == f"/ask/answer/{answer_id}?fb=1"
    shown = anna.get(r.headers["location"]).text
    assert "Bedankt, uw beoordeling is bewaard." in shown and SPORTHAL_Q in shown
    records = [x for x in audit.search_records(world.app, SYSTEM, kind="feedback") if x["ref_id"] == answer_id]
    assert len(records) == 1 and records[0]["payload"] == {"helpful": False, "comment": "bron klopt niet"}
    assert audit.verify_chain(world.app) == (True, None)
    # Without the CSRF token the form is refused; someone else's answer cannot be rated.
    assert anna.post(f"/ask/{answer_id}/feedback", data={"helpful": "1"}).status_code == 403
    with world.client() as c:
        sign_in(c, "wout")
        assert c.post(f"/ask/{answer_id}/feedback", data={"helpful": "1", "_csrf_token": csrf(c)}).status_code == 404
    bad = anna.post(f"/ask/{answer_id}/feedback", data={"helpful": "", "_csrf_token": csrf(anna)})
    assert bad.status_code == 400 and "ask.feedback_choice" in bad.text


def test_follow_up_keeps_the_conversation(world, anna) -> None:  # type: ignore[no-untyped-def]
    first = audit_id(ask_page(anna, SPORTHAL_Q).text)
    page = ask_page(anna, "En in welke straat?", conv=str(first)).text
    second = audit_id(page)
    assert "Eerder in dit gesprek" in page and SPORTHAL_Q in page
    assert f'name="conv" id="ask-conv" value="{first},{second}"' in page
    rec = audit.get_record(world.app, SYSTEM, second)
    # Without an LLM the follow-up is searched together with the previous question.
    assert SPORTHAL_Q in rec["payload"]["question_used"] and "welke straat" in rec["payload"]["question_used"]
    fragment = anna.get(f"/ask/answer/{second}?fragment=1&conv={first}").text
    assert fragment.lstrip().startswith('<div id="ask-result"') and "<html" not in fragment
    assert f'data-conv="{first},{second}"' in fragment


def _set_bouw(world: Any, **values: Any) -> None:
    from sqlmodel import select

    from appliance.db.engine import write_session
    from appliance.db.tables import Collection

    with write_session(world.app.db) as s:
        bouw = s.exec(select(Collection).where(Collection.name == "bouw")).one()
        for k, v in values.items():
            setattr(bouw, k, v)
        s.add(bouw)


def test_dont_know_and_escalated_show_the_route(world, anna) -> None:  # type: ignore[no-untyped-def]
    _set_bouw(world, route_department="Dienst Omgeving", route_mailbox="omgeving@gemeente.be")
    page = ask_page(anna, "Hoeveel kost een reispas voor kinderen?").text
    assert 'data-status="dont_know"' in page and "Geen antwoord gevonden." in page
    assert "Dienst Omgeving" in page and 'href="mailto:omgeving@gemeente.be"' in page
    assert f'action="/ask/{audit_id(page)}/forward"' in page  # the way to a colleague
    _set_bouw(world, settings_json={"sensitive_topics": ["sporthal"]})
    page = ask_page(anna, SPORTHAL_Q).text
    assert 'data-status="escalated"' in page and "Gevoelig onderwerp." in page and "Dienst Omgeving" in page
    assert "Letterlijke passages" not in page and 'class="answer-text"' not in page


def test_hostile_document_text_is_escaped(world, anna) -> None:  # type: ignore[no-untyped-def]
    from appliance import documents
    from tests.filefactory import make_text

    hostile = make_text(world.tmp / "src" / "zwembad.txt",
                        'Het zwembad <script>alert(1)</script> opent om <img src=x onerror="alert(2)"> negen uur.')
    assert documents.ingest_file(world.app, hostile, "bouw").state == "ingested"
    page = ask_page(anna, "Wanneer opent het zwembad?").text
    assert 'data-status="extractive"' in page and "zwembad" in page
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


def test_bad_input_gets_a_coded_error_not_a_500(world, anna) -> None:  # type: ignore[no-untyped-def]
    r = ask_page(anna, "   ")
    assert r.status_code == 400 and "ask.empty_question" in r.text and "Typ een vraag." in r.text
    r = ask_page(anna, "x" * 10_000)
    assert r.status_code == 400 and "ask.question_too_long" in r.text
    assert "De vraag is te lang" in r.text and "Stel een kortere vraag" in r.text
    assert "x" * 4200 not in r.text  # the rejected text is not echoed in full
    r = ask_page(anna, "Когда открыт спортивный зал на улице?")
    assert r.status_code == 200 and "Deze taal wordt niet ondersteund" in r.text


def test_page_in_french_uses_french_texts(world, anna) -> None:  # type: ignore[no-untyped-def]
    anna.get("/ask?lang=fr")
    page = ask_page(anna, "Qui a délivré le permis pour la salle de sport?").text
    assert "Interroger les documents" in page and '<html lang="fr">' in page


@pytest.fixture
def smollm(world):  # type: ignore[no-untyped-def]
    """The real engine handed to the appliance at its seam; freed again after the test."""
    from models.llamacpp import LlamaCppLLM

    world.app.engines.set("llm", FewTokens(LlamaCppLLM(require_smollm(), n_ctx=2048, n_threads=1, n_batch=256)))
    yield world.app.llm
    world.app.engines.set("llm", None)
    gc.collect()  # free llama.cpp now, not during interpreter shutdown (noisy there)


@pytest.mark.llm
def test_page_with_the_real_llm_labels_the_answer_as_ai(world, anna, smollm) -> None:  # type: ignore[no-untyped-def]
    llm = smollm
    page = ask_page(anna, SPORTHAL_Q).text
    status = re.search(r'data-status="(\w+)"', page).group(1)
    assert status in ("answered", "dont_know")  # a 135M model may fail the check: never unchecked text
    assert AI_LABEL in page and 'data-ai-generated="true"' in page
    assert "llm.disabled" not in page and f"Model: {llm.name}" in page
    rec = audit.get_record(world.app, SYSTEM, audit_id(page))
    assert rec["model_sha256"] == llm.sha256 and rec["status"] == status


def _world_with_model(tmp_path: Path, damaged: bool) -> Any:
    settings = make_settings(tmp_path, llm={"engine": "llama-cpp", "model": SMOLLM_NAME})
    if damaged:
        folder = settings.models_dir / SMOLLM_NAME
        folder.mkdir(parents=True)
        (folder / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF damaged copy")
    return build_world(open_appliance(settings, embedder=FakeEmbedder()), tmp_path)


@pytest.mark.parametrize(("damaged", "code", "text"), [
    (False, "llm.model_missing", "Het modelbestand van het taalmodel ontbreekt."),
    (True, "llm.checksum_mismatch", "de controlesom (sha256) klopt niet"),
])
def test_missing_or_damaged_model_gives_a_notice_and_extractive_answers(
        tmp_path: Path, damaged: bool, code: str, text: str) -> None:
    world = _world_with_model(tmp_path, damaged)
    with world.client() as c:
        sign_in(c, "anna")
        page = c.get("/ask").text
        assert code in page and text in page and "Vraag de beheerder" in page
        r = ask_page(c, SPORTHAL_Q)
        assert r.status_code == 200 and 'data-status="extractive"' in r.text and code in r.text
        api = c.post("/api/v1/ask", json={"question": SPORTHAL_Q}, headers=bearer(world, "anna")).json()
        assert api["status"] == "extractive" and api["llm_notice"]["code"] == code and api["llm_notice"]["hint"]
        assert c.get("/?q=sporthal").status_code == 200  # the rest of the appliance keeps working
