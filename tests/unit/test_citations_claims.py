"""Claim-level check: every word of a sentence may occur in its source and the claim still be wrong."""

from __future__ import annotations

from appliance.ask.citations import check_answer

CARDS = ("Woont u in de blauwe zone en hebt u geen garage of oprit, dan kunt u een bewonerskaart "
         "aanvragen. De eerste kaart per gezin is gratis, een tweede kaart kost € 50 per jaar.")
BLUE_ZONE = ("In het centrum geldt een blauwe zone van maandag tot en met zaterdag, van 9 uur tot 18 uur. "
             "U mag er maximaal twee uur parkeren met een parkeerschijf. Op zondag en op feestdagen is "
             "parkeren vrij.")
SUBSIDIES = ("# Subsidies voor verenigingen\n\nDe gemeente Belveld ondersteunt erkende verenigingen met "
             "werkingssubsidies en projectsubsidies.\n\n## Erkenning\n\nEen vereniging wordt erkend door "
             "het college van burgemeester en schepenen na advies van de betrokken adviesraad.")
PRICES = ("Prijzen in 2026\nReispas volwassene: normale procedure € 85,00; dringende procedure € 270,00\n"
          "Reispas minderjarige: normale procedure € 50,00; dringende procedure € 235,00")


def _kept(sentence: str, passage: str, question: str = "") -> bool:
    r = check_answer(sentence, {1: passage}, question=question)
    return [s.kept for s in r.sentences] == [True]


def _reason(sentence: str, passage: str, question: str = "") -> str:
    return check_answer(sentence, {1: passage}, question=question).sentences[0].reason


def test_a_figure_attached_to_the_wrong_row_or_clause_is_rejected() -> None:
    assert _reason("De eerste kaart kost € 50 per jaar [1].", CARDS) == "claim_mismatch"
    assert not _kept("De tweede kaart is gratis [1].", CARDS)
    assert _kept("Een tweede kaart kost € 50 per jaar [1].", CARDS)
    assert _kept("De eerste kaart per gezin is gratis [1].", CARDS)


def test_the_questions_subject_transplanted_onto_another_passage_is_rejected() -> None:
    mayor = "De burgemeester ondersteunt erkende verenigingen met werkingssubsidies [1]."
    assert not _kept(mayor, SUBSIDIES, "Wie is de burgemeester?")
    assert _kept("De gemeente ondersteunt erkende verenigingen met werkingssubsidies [1].", SUBSIDIES,
                 "Welke subsidies krijgen verenigingen?")


def test_a_question_word_missing_from_the_passage_is_never_supported() -> None:
    text = "Het zwembad is open van maandag tot en met zaterdag, van 9 uur tot 18 uur [1]."
    assert _reason(text, BLUE_ZONE, "Wanneer is het zwembad open?") == "missing_number_or_subject"


def test_a_swapped_qualifier_is_rejected() -> None:
    assert not _kept("Een reispas voor een volwassene kost € 270 in de normale procedure [1].", PRICES)
    assert _kept("Een reispas voor een volwassene kost € 270 in de dringende procedure [1].", PRICES)
    assert _kept("Een reispas voor een volwassene kost € 85 in de normale procedure [1].", PRICES)
    assert not _kept("Een reispas voor een volwassene kost € 85 in de urgente procedure [1].", PRICES)
    assert not _kept("Een reispas voor een minderjarige kost € 85 in de normale procedure [1].", PRICES)


def test_figures_swapped_inside_one_sentence_are_rejected() -> None:
    assert _kept("De blauwe zone geldt van 9 uur tot 18 uur [1].", BLUE_ZONE)
    assert not _kept("De blauwe zone geldt van 18 uur tot 9 uur [1].", BLUE_ZONE)
    assert not _kept("De blauwe zone geldt van 9 uur tot 58 uur [1].", BLUE_ZONE)


def test_a_wrong_unit_is_rejected_and_numbers_in_words_count() -> None:
    assert not _kept("U mag er maximaal twee dagen parkeren met een parkeerschijf [1].", BLUE_ZONE)
    assert not _kept("U mag er maximaal 3 uur parkeren met een parkeerschijf [1].", BLUE_ZONE)
    assert _kept("U mag er maximaal 2 uur parkeren met een parkeerschijf [1].", BLUE_ZONE)


def test_a_negation_added_or_dropped_is_rejected() -> None:
    assert not _kept("Op zondag is parkeren niet vrij [1].", BLUE_ZONE)
    assert not _kept("U mag er niet maximaal twee uur parkeren met een parkeerschijf [1].", BLUE_ZONE)
    assert not _kept("Wie een garage heeft, kan een bewonerskaart aanvragen in de blauwe zone [1].", CARDS)
    assert _kept("Wie in de blauwe zone woont en geen garage heeft, kan een bewonerskaart aanvragen [1].", CARDS)


def test_a_faithful_paraphrase_passes() -> None:
    # Clauses reordered, a synonym, articles dropped, an amount written without cents.
    assert _kept("Een tweede kaart kost € 50 per jaar, de eerste kaart per gezin is gratis [1].", CARDS)
    assert _kept("Tweede kaart bedraagt € 50 per jaar [1].", CARDS)
    assert _kept("Op feestdagen en op zondag is het parkeren vrij [1].", BLUE_ZONE)
    assert _kept("Voor een volwassene kost een reispas € 85 in de normale procedure [1].", PRICES)


def test_two_adjacent_sentences_may_carry_one_claim_but_not_across_a_heading() -> None:
    passage = "Een reispas vraagt u persoonlijk aan. Hij is zeven jaar geldig voor volwassenen."
    assert _kept("Een reispas is zeven jaar geldig voor volwassenen [1].", passage)
    assert not _kept("De gemeente ondersteunt verenigingen via het college van burgemeester en "
                     "schepenen [1].", SUBSIDIES)


def test_a_table_row_never_shares_a_sentence_with_the_next_row() -> None:
    assert not _kept("Een reispas voor een minderjarige kost € 270 in de dringende procedure [1].", PRICES)
    assert _kept("Een reispas voor een minderjarige kost € 235 in de dringende procedure [1].", PRICES)


def test_a_figure_of_one_table_row_is_not_the_next_rows() -> None:
    flat = ("Prijzen in 2026\nKids-ID (jonger dan 12 jaar) € 8,00 € 110,00\n"
            "Reispas volwassene € 85,00 € 270,00\nReispas minderjarige € 50,00 € 235,00")
    assert _kept("Een reispas voor een volwassene kost € 85 [1].", flat)
    assert not _kept("Een reispas voor een minderjarige kost € 85 [1].", flat)
    assert not _kept("Een Kids-ID kost € 85 [1].", flat)


def test_a_passage_that_is_only_a_title_or_one_table_row_still_carries_its_claim() -> None:
    assert _kept("Een reispas voor een volwassene kost € 85 [1].", "Reispas volwassene € 85,00 € 270,00")
    assert not _kept("Een reispas voor een minderjarige kost € 85 [1].", "Reispas volwassene € 85,00 € 270,00")


def test_a_translation_rescued_by_similarity_still_needs_its_amounts() -> None:
    def near(a: str, b: str) -> float:
        return 0.9

    ok = check_answer("Un passeport pour adulte coûte 85 euros [1].", {1: PRICES}, similarity=near)
    assert ok.sentences[0].kept  # '85' is the passage's '€ 85,00'
    wrong = check_answer("Un passeport pour adulte coûte 95 euros [1].", {1: PRICES}, similarity=near)
    assert not wrong.sentences[0].kept


def test_a_unit_word_follows_its_number_only_a_currency_precedes_it() -> None:
    fine = ("Wie de parkeerduur overschrijdt of geen parkeerschijf legt, betaalt een gemeentelijke "
            "administratieve sanctie van 58 euro.")
    assert _kept("Wie de parkeerduur overschrijdt, betaalt u 58 euro als sanctie [1].", fine)  # 'u' is 'you'
    assert not _kept("Wie de parkeerduur overschrijdt, betaalt u 58 dagen als sanctie [1].", fine)


def test_the_title_and_section_headings_are_context_for_every_sentence_under_them() -> None:
    passage = ("# Parkeren in Belveld\n\n## Bewonerskaart\n\nDe eerste kaart per gezin is gratis, een "
               "tweede kaart kost € 50 per jaar.")
    assert _kept("In Belveld kost een tweede bewonerskaart € 50 per jaar [1].", passage)
    assert not _kept("In Belveld kost een eerste bewonerskaart € 50 per jaar [1].", passage)


def test_a_word_swapped_in_place_is_rejected_even_when_no_list_knows_it() -> None:
    passage = ("Kinderen jonger dan 12 jaar krijgen een Kids-ID voor reizen naar het buitenland. "
               "Na een verlies vraagt u een nieuwe kaart aan bij het loket Burgerzaken.")
    assert not _kept("Kinderen jonger dan 12 jaar krijgen een Kids-ID voor reizen naar het binnenland [1].", passage)
    assert not _kept("Na een verlies vraagt u een oude kaart aan bij het loket Burgerzaken [1].", passage)
    assert not _kept("In het centrum geldt een blauwe zone van zaterdag tot en met zaterdag [1].", BLUE_ZONE)
    # Reordering a list keeps every word in its place: no swap.
    assert _kept("Op feestdagen en op zondag is het parkeren vrij [1].", BLUE_ZONE)
