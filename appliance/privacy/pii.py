"""Belgian personal-data detection with a Presidio-compatible result shape.

`detect_pii(text)` returns `PiiSpan(entity_type, start, end, score, text)` sorted by offset and
without overlaps. Identifiers count only with a valid checksum. Names come from a NerTagger (Frog
for Dutch) plus context rules; without a tagger the rule-only mode still finds names after a form
of address or office. The `text` of a span is personal data: never log it.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import time
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.errors import BelfortError
from appliance.privacy.name_data import NameLists, bundle_first_names, default_name_lists
from appliance.privacy.persons import person_spans
from appliance.privacy.rules import RawSpan, rule_spans
from models.base import Entity, ModelError, NerTagger

if TYPE_CHECKING:
    from appliance.context import Appliance

# Stable entity type names (API, CLI, redaction log and pseudonym labels depend on them).
ENTITY_TYPES: dict[str, str] = {
    "BE_NATIONAL_NUMBER": "Rijksregisternummer / INSZ (mod 97, incl. births from 2000 on)",
    "BE_BIS_NUMBER": "BIS number (birth month + 20 or + 40, mod 97)",
    "BE_ENTERPRISE_NUMBER": "KBO enterprise number, also written as VAT number BE0...",
    "IBAN": "Bank account number (Belgian and foreign IBAN, checksum)",
    "BE_EID_CARD": "Belgian eID card number (12 digits, mod 97)",
    "BE_OGM": "Structured communication OGM/VCS +++xxx/xxxx/xxxxx+++ (mod 97)",
    "PHONE_NUMBER": "Phone number (+32 and national formats, mobile 04xx, other country codes)",
    "EMAIL_ADDRESS": "E-mail address",
    "BE_ADDRESS": "Belgian address (street + number [+ postcode + municipality]; postcode + municipality)",
    "LICENSE_PLATE": "Belgian licence plate (1-ABC-123, ABC-123, 123-ABC)",
    "DATE_OF_BIRTH": "A date next to 'geboren', 'geboortedatum', '°', 'né(e) le', ...",
    "PERSON": "Person name (NER and context rules, Dutch and French)",
}

# Dutch labels used by pseudonymise(): "Persoon 1", "Rijksregisternummer 2", ...
PSEUDONYM_LABELS: dict[str, str] = {
    "BE_NATIONAL_NUMBER": "Rijksregisternummer",
    "BE_BIS_NUMBER": "BIS-nummer",
    "BE_ENTERPRISE_NUMBER": "Ondernemingsnummer",
    "IBAN": "Rekeningnummer",
    "BE_EID_CARD": "Identiteitskaartnummer",
    "BE_OGM": "Gestructureerde mededeling",
    "PHONE_NUMBER": "Telefoonnummer",
    "EMAIL_ADDRESS": "E-mailadres",
    "BE_ADDRESS": "Adres",
    "LICENSE_PLATE": "Nummerplaat",
    "DATE_OF_BIRTH": "Geboortedatum",
    "PERSON": "Persoon",
}


@dataclass(frozen=True)
class PiiSpan:
    entity_type: str
    start: int
    end: int
    score: float
    text: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _merge(spans: Iterable[RawSpan]) -> list[RawSpan]:
    """One span per stretch of text: same-type overlaps are joined, other overlaps go to the best."""
    by_type: dict[str, list[RawSpan]] = {}
    for s in spans:
        if s.end > s.start:
            by_type.setdefault(s.entity_type, []).append(s)
    joined: list[RawSpan] = []
    for kind, items in by_type.items():
        items.sort(key=lambda s: (s.start, -s.end))
        cur = items[0]
        for s in items[1:]:
            if s.start < cur.end:
                cur = RawSpan(kind, cur.start, max(cur.end, s.end), max(cur.score, s.score))
            else:
                joined.append(cur)
                cur = s
        joined.append(cur)
    # A name inside an address is the street's namesake ("Graaf d'Ursellaan 46"): the address wins.
    addresses = sorted((s.start, s.end) for s in joined if s.entity_type == "BE_ADDRESS")
    joined = [s for s in joined if s.entity_type != "PERSON" or not _inside(addresses, s)]
    # Greedy by score then length: a checksum-valid identifier beats a phone-shaped guess.
    joined.sort(key=lambda s: (-s.score, -(s.end - s.start), s.start))
    return _disjoint(joined)


def _inside(disjoint: list[tuple[int, int]], span: RawSpan) -> bool:
    """Whether one of the sorted, disjoint (start, end) ranges holds `span`.

    Only the range that starts last at or before the span can (bisect: thousands of addresses
    and names in one text must not cost their product).
    """
    i = bisect.bisect_right(disjoint, (span.start, math.inf)) - 1
    return i >= 0 and span.end <= disjoint[i][1]


def _disjoint(ranked: list[RawSpan]) -> list[RawSpan]:
    """Each span in order of rank unless it overlaps one kept before, sorted by offset."""
    starts: list[int] = []
    ends: list[int] = []
    kept: list[RawSpan] = []
    for s in ranked:
        i = bisect.bisect_left(starts, s.end)  # the kept spans before i start before s ends
        if i and ends[i - 1] > s.start:  # kept spans are disjoint: the last of them ends last
            continue
        starts.insert(i, s.start)
        ends.insert(i, s.end)
        kept.insert(i, s)
    return kept


def _strip(text: str, span: RawSpan) -> RawSpan:
    """Trim whitespace and trailing punctuation that patterns may take along."""
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:"):
        end -= 1
    return RawSpan(span.entity_type, start, end, span.score)


def detect_pii(
    text: str,
    *,
    language: str = "nl",
    ner: NerTagger | None = None,
    entities: Collection[str] | None = None,
    first_names: frozenset[str] = frozenset(),
    min_score: float = 0.0,
    names: NameLists | None = None,
) -> list[PiiSpan]:
    """Personal data in `text`, sorted by offset, no overlaps.

    `language` is the text's language ('nl', 'fr', ...); the NER runs for every language since
    Dutch documents quote French names and the other way round. `entities` limits the types
    (see ENTITY_TYPES). `first_names` (see `default_first_names`) adds "known first name +
    capitalised surname" spans, and turns NER entities of other labels that open with a first
    name into names. `names` are the first- and family-name lists of the list rules ("PEETERS Jan",
    "J. Janssens"; default: the bundled lists, `NameLists.empty()` for none). With `ner=None`, no
    first names and empty lists, names are found after titles, roles and initials with a particle only.
    """
    if entities is not None:
        unknown = set(entities) - set(ENTITY_TYPES)
        if unknown:
            raise ValueError(f"unknown entity types: {sorted(unknown)}")
    wanted = set(entities) if entities is not None else set(ENTITY_TYPES)
    raw: list[RawSpan] = []
    if wanted - {"PERSON"}:
        raw.extend(s for s in rule_spans(text) if s.entity_type in wanted)
    if "PERSON" in wanted:
        lists = default_name_lists() if names is None else names
        raw.extend(person_spans(text, ner=ner, first_names=first_names, lists=lists))
    out = []
    for s in _merge(_strip(text, s) for s in raw):
        if s.score >= min_score and s.end > s.start:
            out.append(PiiSpan(s.entity_type, s.start, s.end, round(s.score, 3), text[s.start : s.end]))
    return out


class NerBusy(BelfortError):
    """503 pii.busy: the name tagger serves other texts; Retry-After says when to come back."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("pii.busy", "the name tagger is busy with other texts", status=503,
                         hint="try again in a moment, or use rule mode (pii.ner = none)")
        self.retry_after = max(1, retry_after)


@dataclass
class BudgetedTagger:
    """A NerTagger for one request or document: all its tag() calls share one deadline. The engine's
    ner.timeout and ner.busy become pii.ner_timeout and pii.busy (503): never a partial result, since
    a name missed by redaction or pseudonymisation is a data breach."""

    ner: NerTagger
    deadline: float
    name: str = "budgeted"

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        when = self.deadline if deadline is None else min(deadline, self.deadline)
        try:
            return self.ner.tag(text, deadline=when)
        except ModelError as exc:
            if exc.code == "ner.busy":
                raise NerBusy(retry_after=5) from None
            if exc.code == "ner.timeout":
                raise BelfortError("pii.ner_timeout", "finding person names took too long for this text",
                                   hint="use rule mode (pii.ner = none) or split the text", status=503) from None
            raise


def budgeted_ner(app: Appliance) -> NerTagger | None:
    """The appliance's name tagger under one `pii.ner_seconds` budget, starting now."""
    ner = app.ner
    return None if ner is None else BudgetedTagger(ner, time.monotonic() + app.settings.pii.ner_seconds)


@functools.cache
def default_first_names() -> frozenset[str]:
    """The bundled first names (name_lists/) and frogdata's list when installed; an empty set when
    neither is there (names then need a title, a role or an initial)."""
    from models.frog import FIRST_NAMES_FILE

    frog = load_first_names(FIRST_NAMES_FILE) if FIRST_NAMES_FILE.is_file() else frozenset()
    return frog | frozenset(n for n in bundle_first_names() if n.lower() not in _ARTICLES)


def load_first_names(path: Path) -> frozenset[str]:
    """First names, one per line (e.g. frogdata's voornamen.ner), for the rule-only name detector."""
    names = (line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
    # Articles also occur as "first names" in such lists ("The", "Le"); they open company names.
    return frozenset(n for n in names if len(n) > 2 and n[0].isupper() and n.lower() not in _ARTICLES)


_ARTICLES = frozenset(["the", "le", "la", "les", "de", "het", "een", "der", "den", "des", "van", "von", "del", "los", "las", "el", "il"])


def _normalise_key(entity_type: str, value: str) -> str:
    """Spellings of the same value share one pseudonym (spacing, dots, case)."""
    if entity_type in ("PERSON", "BE_ADDRESS", "EMAIL_ADDRESS"):
        return f"{entity_type}:{' '.join(value.split()).casefold()}"
    return f"{entity_type}:{re.sub(r'[^0-9A-Za-z]', '', value).upper()}"


def pseudonymise(
    text: str, spans: Iterable[PiiSpan], mapping: Mapping[str, str] | None = None
) -> tuple[str, dict[str, str]]:
    """Replace each span by a stable pseudonym ("Persoon 1", "Rijksregisternummer 1", ...).

    Pure function: `mapping` (normalised value -> pseudonym) carries earlier choices across
    pages or documents of one collection and is returned extended; the input is not modified.
    The mapping holds personal data: the caller stores it encrypted.
    """
    new_map = dict(mapping or {})
    counters: dict[str, int] = {}
    for pseudo in new_map.values():
        label, _, number = pseudo.rpartition(" ")
        if number.isdigit():
            counters[label] = max(counters.get(label, 0), int(number))
    pieces: list[str] = []
    cursor = 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:
            continue  # overlapping input: the first span wins
        key = _normalise_key(span.entity_type, text[span.start : span.end])
        if key not in new_map:
            label = PSEUDONYM_LABELS.get(span.entity_type, span.entity_type.title())
            counters[label] = counters.get(label, 0) + 1
            new_map[key] = f"{label} {counters[label]}"
        pieces.append(text[cursor : span.start])
        pieces.append(new_map[key])
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces), new_map
