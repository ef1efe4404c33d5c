"""pseudonymise(): consistent, pure, and carried across documents through the mapping."""

from __future__ import annotations

from appliance.privacy.pii import PiiSpan, detect_pii, pseudonymise


def _span(text: str, value: str, kind: str, start_at: int = 0) -> PiiSpan:
    i = text.index(value, start_at)
    return PiiSpan(kind, i, i + len(value), 0.9, value)


def test_same_person_same_pseudonym_and_numbers_per_type() -> None:
    text = "Jan Peeters schreef. An Claes antwoordde Jan  Peeters. Rekening BE71 0961 2345 6769."
    spans = [
        _span(text, "Jan Peeters", "PERSON"),
        _span(text, "An Claes", "PERSON"),
        _span(text, "Jan  Peeters", "PERSON"),
        _span(text, "BE71 0961 2345 6769", "IBAN"),
    ]
    out, mapping = pseudonymise(text, spans)
    assert out == "Persoon 1 schreef. Persoon 2 antwoordde Persoon 1. Rekening Rekeningnummer 1."
    assert len(mapping) == 3


def test_mapping_is_carried_to_the_next_document_and_input_untouched() -> None:
    first = "De heer Jan Vermeulen en mevrouw An De Smet."
    out1, mapping = pseudonymise(first, detect_pii(first))
    assert out1 == "De heer Persoon 1 en mevrouw Persoon 2."
    frozen = dict(mapping)
    second = "Mevrouw Els Peeters sprak met de heer Jan Vermeulen."
    out2, mapping2 = pseudonymise(second, detect_pii(second), mapping)
    assert out2 == "Mevrouw Persoon 3 sprak met de heer Persoon 1."
    assert mapping == frozen  # the caller's mapping is not modified
    assert len(mapping2) == 3


def test_identifier_spellings_share_a_pseudonym() -> None:
    text = "RRN 85.07.30-033.28 of 85073003328; mail a@b.be en A@B.BE"
    spans = [
        _span(text, "85.07.30-033.28", "BE_NATIONAL_NUMBER"),
        _span(text, "85073003328", "BE_NATIONAL_NUMBER"),
        _span(text, "a@b.be", "EMAIL_ADDRESS"),
        _span(text, "A@B.BE", "EMAIL_ADDRESS"),
    ]
    out, _ = pseudonymise(text, spans)
    assert out == "RRN Rijksregisternummer 1 of Rijksregisternummer 1; mail E-mailadres 1 en E-mailadres 1"


def test_no_spans_leaves_text_as_is() -> None:
    assert pseudonymise("Geen persoonsgegevens.", []) == ("Geen persoonsgegevens.", {})
