"""Citation check: invented numbers, unsupported sentences, figures absent from the source."""

from __future__ import annotations

from appliance.ask.citations import check_answer, parse_citations, split_sentences

SOURCES = {
    1: "Een bewonerskaart voor parkeren kost 25 euro per jaar en is geldig in de hele gemeente.",
    2: "De aanvraag gebeurt aan het loket van de dienst mobiliteit, elke werkdag van 9 tot 12 uur.",
}


def test_supported_sentences_are_kept_with_their_citations() -> None:
    r = check_answer("Een bewonerskaart kost 25 euro per jaar [1]. U vraagt die aan bij de dienst "
                     "mobiliteit aan het loket [2].", SOURCES)
    assert [s.reason for s in r.sentences] == ["ok", "ok"]
    assert r.all_passed
    assert r.text == ("Een bewonerskaart kost 25 euro per jaar [1]. "
                      "U vraagt die aan bij de dienst mobiliteit aan het loket [2].")
    assert r.cited_numbers == [1, 2]


def test_invented_number_is_removed_and_sentence_dropped() -> None:
    r = check_answer("De bewonerskaart is geldig in de hele gemeente [7].", SOURCES)
    s = r.sentences[0]
    assert s.invented == [7]
    # The sentence is supported by [1] though: it is re-attributed, never shown with [7].
    assert s.kept and s.cited == [1] and s.reason == "attributed"
    assert "[7]" not in r.text
    assert not r.all_passed


def test_invented_number_with_unsupported_sentence_is_dropped() -> None:
    r = check_answer("Honden moeten altijd aan de leiband [3].", SOURCES)
    assert not r.kept
    assert r.sentences[0].reason == "invented_only"
    assert r.text == ""


def test_sentence_citing_the_wrong_source_is_not_kept_as_written() -> None:
    # Cites [2] (opening hours) for a price: unsupported by [2]; re-attributed to [1].
    r = check_answer("Een bewonerskaart kost 25 euro per jaar [2].", SOURCES)
    assert r.sentences[0].cited == [1]
    assert not r.all_passed


def test_unsupported_sentence_is_dropped_even_with_a_valid_number() -> None:
    r = check_answer("Een bewonerskaart kost 25 euro [1]. Honden zijn verboden in het stadspark [1].",
                     SOURCES)
    assert [s.kept for s in r.sentences] == [True, False]
    assert r.sentences[1].reason == "unsupported"
    assert "Honden" not in r.text


def test_a_figure_absent_from_the_source_fails_the_check() -> None:
    r = check_answer("Een bewonerskaart voor parkeren kost 45 euro per jaar [1].", SOURCES)
    assert not r.kept
    assert r.sentences[0].reason == "missing_number_or_subject"


def test_uncited_supported_sentence_is_attributed_and_uncited_invention_dropped() -> None:
    r = check_answer("Het loket van de dienst mobiliteit is elke werkdag open van 9 tot 12 uur. "
                     "Op zaterdag is het stadhuis gesloten.", SOURCES)
    assert [(s.kept, s.reason) for s in r.sentences] == [(True, "attributed"), (False, "no_source")]
    assert r.sentences[0].cited == [2]


def test_citation_forms_and_sentence_split() -> None:
    assert parse_citations("Zo is het [1, 2][3].") == ("Zo is het.", [1, 2, 3])
    assert parse_citations("Zie [2-4]") == ("Zie", [2, 3, 4])
    assert split_sentences("Eerste zin. [1] Tweede zin [2]! Derde?\n\n- punt een [1]") == [
        "Eerste zin. [1]", "Tweede zin [2]!", "Derde?", "- punt een [1]"]


def test_accents_and_inflection_count_as_the_same_word() -> None:
    sources = {1: "Les demandes de permis d'urbanisme sont traitées par le service de l'urbanisme."}
    r = check_answer("La demande de permis est traitée par le service urbanisme [1].", sources)
    assert r.sentences[0].kept


def test_paraphrase_passes_with_an_embedding_similarity() -> None:
    sources = {1: "Het containerpark sluit om 17 uur."}
    text = "Na vijf uur 's middags kan men er niet meer terecht [1]."
    assert not check_answer(text, sources).kept
    assert check_answer(text, sources, similarity=lambda a, b: 0.9).kept


def test_sentence_about_the_questions_subject_needs_a_source_that_names_it() -> None:
    # The loket's hours are not the swimming pool's: most words match, the subject does not.
    text = "Het zwembad is open elke werkdag van 9 tot 12 uur [2]."
    assert check_answer(text, SOURCES).kept  # without the question the words alone pass
    r = check_answer(text, SOURCES, question="Wanneer is het zwembad open?")
    assert not r.kept and r.sentences[0].reason == "missing_number_or_subject"


def test_list_numbers_and_fragments_are_never_answers() -> None:
    r = check_answer("1. Een bewonerskaart kost 25 euro per jaar [1].\n2. Ja [1].\n2 [3].", SOURCES)
    assert r.text == "Een bewonerskaart kost 25 euro per jaar [1]."
    assert [s.reason for s in r.sentences if not s.kept] == ["fragment", "fragment", "fragment", "fragment"]
    assert not r.all_passed  # "[3]" was invented


def test_a_question_echoed_by_the_model_is_not_an_answer() -> None:
    r = check_answer("Hoeveel kost een bewonerskaart voor parkeren per jaar? [1]", SOURCES)
    assert not r.kept and r.sentences[0].reason == "fragment"


def test_model_citations_passed_only_counts_what_the_model_cited() -> None:
    good = check_answer("Een bewonerskaart kost 25 euro per jaar [1]. De aanvraag gebeurt aan het loket "
                        "van de dienst mobiliteit.", SOURCES)
    assert good.model_citations_passed and not good.all_passed  # the 2nd sentence was attributed
    assert not check_answer("Een bewonerskaart kost 25 euro per jaar [5].", SOURCES).model_citations_passed
    assert not check_answer("Een bewonerskaart kost 25 euro per jaar.", SOURCES).model_citations_passed
    # A wrong number re-attributed to the right source still counts as the model's failure.
    assert not check_answer("Een bewonerskaart kost 25 euro per jaar [2].", SOURCES).model_citations_passed


def test_citations_written_before_the_sentence_belong_to_it() -> None:
    assert split_sentences("[1] Eerste zin. [2] Tweede zin.\n[1] Derde zin.") == [
        "[1] Eerste zin.", "[2] Tweede zin.", "[1] Derde zin."]
    r = check_answer("[1] Een bewonerskaart kost 25 euro per jaar. [2] De aanvraag gebeurt aan het loket "
                     "van de dienst mobiliteit.", SOURCES)
    assert [(s.reason, s.cited) for s in r.sentences] == [("ok", [1]), ("ok", [2])]


def test_repeated_sentence_and_broken_trailing_citation_never_show() -> None:
    src = {1: "Een bewonerskaart kost 25 euro per jaar. De kaart is een jaar geldig."}
    raw = ("Een bewonerskaart kost 25 euro per jaar [1]. De kaart is een jaar geldig [1]. "
           "Een bewonerskaart kost 25 euro per jaar [1]. [ [1]")
    result = check_answer(raw, src)
    assert result.text == "Een bewonerskaart kost 25 euro per jaar [1]. De kaart is een jaar geldig [1]."
    assert [s.reason for s in result.sentences][:3] == ["ok", "ok", "repeat"]
    assert result.model_citations_passed
