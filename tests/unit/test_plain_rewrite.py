"""B1 rewriting: protected terms survive every path, a changed figure or name is rejected, the
length limit is a stable error with the limit in its hint, the rules help without a model."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance import plain
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from models.fakes import FakeEmbedder, FakeLLM
from tests.conftest import make_settings

LETTER = ("Indien u als burger een omgevingsvergunning aanvraagt, dient u het volledige dossier in bij de "
          "Dienst Omgeving, maar de behandeling van het dossier kan tot 105 dagen duren en wordt door het "
          "college van burgemeester en schepenen beoordeeld.\n\n"
          "Teneinde uw aanvraag tijdig te behandelen, verzoeken wij u alle documenten reeds bij de "
          "indiening toe te voegen; een onvolledig dossier wordt geweigerd.")
SHORT = ("Indien u een vergunning aanvraagt, dient u het dossier in bij de Dienst Omgeving, maar de "
         "behandeling kan tot 105 dagen duren.")


@pytest.fixture
def app(appliance):  # type: ignore[no-untyped-def]
    plain.save_lists(appliance, "admin", terms="Dienst Omgeving\nomgevingsvergunning\ncollege van burgemeester "
                     "en schepenen", rules="burger => inwoner\nSpreek de lezer aan met u.")
    return appliance


def test_rules_make_the_text_easier_and_keep_protected_terms(app) -> None:  # type: ignore[no-untyped-def]
    r = plain.rewrite(app, LETTER, actor="anna")
    assert r.mode == "rules" and r.language == "nl"
    for term in ("Dienst Omgeving", "omgevingsvergunning", "college van burgemeester en schepenen"):
        assert LETTER.count(term) == r.text.count(term)
    assert "105 dagen" in r.text and "inwoner" in r.text and "burger " not in r.text
    assert r.after.score > r.before.score and r.after.words_per_sentence < r.before.words_per_sentence
    kinds = {c.kind for c in r.changes}
    assert {"split", "word", "tone", "passive_hint"} <= kinds
    assert set(r.protected) == {"college van burgemeester en schepenen", "Dienst Omgeving",
                                 "omgevingsvergunning"}


def test_a_protected_term_is_never_rewritten_even_when_the_word_list_has_it(appliance) -> None:  # type: ignore[no-untyped-def]
    # 'indien' and 'verzoek' are on the B1 word list; inside a protected term they stay.
    plain.save_lists(appliance, "admin", terms="Verzoek tot inzage\nDienst Indien", rules="")
    text = "Stuur het formulier Verzoek tot inzage naar de Dienst Indien. Indien u vragen heeft, bel ons."
    r = plain.rewrite(appliance, text)
    assert "Verzoek tot inzage" in r.text and "Dienst Indien" in r.text and "Als u vragen heeft" in r.text


@pytest.mark.parametrize(("reply", "reason"), [
    ("U vraagt een vergunning aan bij de [[T1]]. Dat duurt tot 205 dagen.", "claim_check"),  # figure
    ("U vraagt een vergunning aan bij de dienst. Dat duurt tot 105 dagen.", "protected_term"),  # term lost
    ("U vraagt een vergunning aan bij de [[T1]] in Gent. Dat duurt tot 105 dagen.", "claim_check"),  # name
    ("U vraagt een vergunning aan bij de [[T1]] en de [[T1]]. Dat duurt tot 105 dagen.", "protected_term"),
])
def test_a_model_rewrite_that_changes_meaning_is_rejected(appliance, reply: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    plain.save_lists(appliance, "admin", terms="Dienst Omgeving", rules="")
    llm = FakeLLM(reply)
    r = plain.rewrite(appliance, SHORT, llm=llm, mode="llm")
    assert "[[T1]]" in llm.last_prompt and "Dienst Omgeving" not in llm.last_prompt  # protected before the model
    assert [c.reason for c in r.changes if c.kind == "rejected"] == [reason]
    assert "Dienst Omgeving" in r.text and "105 dagen" in r.text and "205" not in r.text and "Gent" not in r.text


def test_a_faithful_model_rewrite_is_taken_and_terms_are_put_back(appliance) -> None:  # type: ignore[no-untyped-def]
    plain.save_lists(appliance, "admin", terms="Dienst Omgeving", rules="Schrijf kort.")
    llm = FakeLLM("U vraagt een vergunning aan bij de [[T1]]. De behandeling kan tot 105 dagen duren.")
    r = plain.rewrite(appliance, SHORT, llm=llm, mode="llm")
    assert r.mode == "llm" and r.model == "fake-llm"
    assert r.text == "U vraagt een vergunning aan bij de Dienst Omgeving. De behandeling kan tot 105 dagen duren."
    assert "Schrijf kort." in llm.last_prompt  # the tone rules guide the model


def test_fifty_thousand_characters_are_refused_with_the_limit(appliance) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(BelfortError) as err:
        plain.rewrite(appliance, "Een zin. " * 5556)  # 50,004 characters
    assert err.value.code == "plain.too_long" and err.value.status == 413
    assert "20000" in err.value.hint and "50004" in err.value.message
    with pytest.raises(BelfortError) as empty:
        plain.rewrite(appliance, "  \n ")
    assert empty.value.code == "plain.empty"


def test_the_limit_is_a_setting(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path, plain={"max_chars": 500}), embedder=FakeEmbedder())
    with pytest.raises(BelfortError) as err:
        plain.rewrite(app, "x" * 501)
    assert "500" in err.value.hint


def test_the_rewrite_is_audited_without_its_text(app) -> None:  # type: ignore[no-untyped-def]
    plain.rewrite(app, LETTER, actor="anna")
    with read_session(app.db) as s:
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "plain.rewrite")).one()
    assert event.actor == "anna" and event.detail["mode"] == "rules" and event.detail["chars"] == len(LETTER)
    assert "omgevingsvergunning" not in str(event.detail)


def test_french_text_uses_the_french_word_list_and_formula(appliance) -> None:  # type: ignore[no-untyped-def]
    text = ("Afin de recevoir votre nouvelle carte, vous devez effectuer une demande au guichet Population, "
            "mais la procédure urgente coûte 125 euros et la carte arrive après trois semaines.")
    r = plain.rewrite(appliance, text)
    assert r.language == "fr" and r.after.formula == "kandel-moles"
    assert r.text.startswith("Pour recevoir") and "faire une demande" in r.text and "125 euros" in r.text
    assert r.after.score > r.before.score
