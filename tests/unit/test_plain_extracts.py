"""Which sentences of a passage a reply may quote: statements, not questions or headings; a table's
rows one by one; the passage's own question lends its words to the statements that answer it."""

from __future__ import annotations

from appliance.plain.extracts import best_statements, rows_of, statements_of, without_heading

TABLE = "gevaarlijk afval (vaten): opruiming dezelfde dag\ngrote hoop of grofvuil: opruiming binnen 3 werkdagen"
WRAPPED = "Zet uw afval buiten vóór 6 uur 's ochtends op de dag\nvan de ophaling, of de avond voordien."
TXT_PAGE = "Leefloon\n  Het leefloon is een minimuminkomen voor wie geen inkomen heeft.\n"


def test_a_table_splits_into_its_rows_and_a_wrapped_sentence_stays_whole() -> None:
    assert rows_of(TABLE) == TABLE.splitlines()
    assert rows_of(WRAPPED) == [" ".join(WRAPPED.split())]


def test_a_heading_on_its_own_line_is_left_off_the_sentence_below_it() -> None:
    glued = "Leefloon Het leefloon is een minimuminkomen voor wie geen inkomen heeft."
    assert without_heading(glued, TXT_PAGE) == "Het leefloon is een minimuminkomen voor wie geen inkomen heeft."
    # Without the line break in the passage the first word belongs to the sentence.
    assert without_heading(glued, glued) == glued


def test_statements_carry_the_question_they_answer_until_the_next_heading() -> None:
    text = ("## Gevaarlijk afval\n\nGaat het om vaten of vloeistoffen? Raak ze niet aan en houd afstand.\n\n"
            "## Boetes\n\nWie sluikstort, krijgt een boete tot 350 euro.")
    assert list(statements_of(text)) == [("Raak ze niet aan en houd afstand.", "Gaat het om vaten of vloeistoffen?"),
                                         ("Wie sluikstort, krijgt een boete tot 350 euro.", "")]


def test_best_statements_share_enough_words_and_keep_the_passages_order() -> None:
    passages = [(1, "Raak het afval niet aan en open geen zakken. De milieudienst is open op maandag."),
                (2, "Gaat het om vaten of vloeistoffen? Bel de milieudienst op het nummer 112 meteen.")]
    asked = {"vaten", "vloeistof", "zakken", "afval"}
    weights = {"vaten": 4.0, "vloeistof": 4.0, "zakken": 2.0, "afval": 1.5}
    got = best_statements(passages, asked, weights, min_shared=2, limit=2)
    assert got == [(1, "Raak het afval niet aan en open geen zakken."),
                   (2, "Bel de milieudienst op het nummer 112 meteen.")]
    assert best_statements(passages, asked, weights, min_shared=2, limit=1) == [
        (2, "Bel de milieudienst op het nummer 112 meteen.")]
    assert best_statements(passages, {"parkeren", "kaart"}, weights, min_shared=2, limit=2) == []


def test_titles_in_capitals_and_fragments_cut_at_a_chunk_edge_are_not_statements() -> None:
    text = ("SOCIAAL HUIS BELVELD (OCMW) – SOCIALE DIENSTVERLENING\n\nsituatie en het comité beslist binnen 30 "
            "dagen over uw aanvraag.\n\nHet Sociaal Huis helpt inwoners die het moeilijk hebben.\n\n"
            "grote hoop of grofvuil: opruiming binnen 3 werkdagen")
    assert [s for s, _q in statements_of(text)] == ["Het Sociaal Huis helpt inwoners die het moeilijk hebben.",
                                                    "grote hoop of grofvuil: opruiming binnen 3 werkdagen"]


def test_a_list_items_marker_is_not_part_of_the_statement() -> None:
    text = "Hoe meldt u het?\n\n- Via het e-loket op de website van de gemeente.\n1. Per e-mail aan de milieudienst van de gemeente."
    assert [s for s, _q in statements_of(text)] == ["Via het e-loket op de website van de gemeente.",
                                                    "Per e-mail aan de milieudienst van de gemeente."]
