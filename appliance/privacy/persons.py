"""All PERSON spans of a text: the tagger's (when there is one), every name rule, the filter of
institutions, eponyms and streets, then later mentions of the surnames found."""

from __future__ import annotations

from appliance.privacy.name_data import NameLists
from appliance.privacy.name_rules import list_name_spans
from appliance.privacy.names import (
    MAX_NAME_WORDS,
    first_name_spans,
    ner_person_spans,
    repeated_name_spans,
    title_name_spans,
)
from appliance.privacy.not_persons import cut_before_institution, not_a_person
from appliance.privacy.rules import RawSpan
from models.base import NerTagger


def person_spans(text: str, *, ner: NerTagger | None, first_names: frozenset[str],
                 lists: NameLists) -> list[RawSpan]:
    """PERSON candidates (overlaps are settled by the caller's merge)."""
    persons = list(title_name_spans(text))
    if ner is not None:
        persons.extend(ner_person_spans(ner.tag(text), text, first_names))
    persons.extend(first_name_spans(text, first_names))
    persons.extend(list_name_spans(text, lists))
    best: dict[tuple[int, int], RawSpan] = {}  # several rules find the same name: judge it once
    for p in persons:
        if p.score > getattr(best.get((p.start, p.end)), "score", -1.0):
            best[p.start, p.end] = p
    persons = [RawSpan(p.entity_type, p.start, cut_before_institution(text, p.start, p.end), p.score)
               for p in best.values()]
    persons = [p for p in persons if not not_a_person(text, p.start, p.end)]
    persons.extend(repeated_name_spans(text, persons, also=_first_names_of(text, persons, lists)))
    return persons


def _first_names_of(text: str, persons: list[RawSpan], lists: NameLists) -> set[str]:
    """The known first names of people found in full, whose later mentions are names too
    ("Marleen Bogaerts" ... "Marleen")."""
    firsts: set[str] = set()
    for span in persons:
        parts = text[span.start : span.end].split()
        if 2 <= len(parts) <= MAX_NAME_WORDS and len(parts[0]) >= 3 and lists.is_first(parts[0]):
            firsts.add(parts[0])
    return firsts
