"""Person names: NER output turned into PERSON spans, plus context rules that need no model.

The context rules catch what a newspaper-trained NER tends to miss in administrative text: a name
after a form of address or an office ("de heer", "mevrouw", "schepen", "Madame", "M."), in Dutch
and in French. They also give the rule-only mode something to find when no NER engine is installed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence

from appliance.privacy.rules import RawSpan
from models.base import Entity

_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ"
# One name part: "Peeters", "Van", "D'Hondt", "Vande-Velde", or an initial "J.". At most six
# hyphenated pieces: "Aa-Aa-Aa-..." opens a candidate at every capital, and an unbounded run made
# each of them read to the end of the text (quadratic time over untrusted text).
_PART = (
    rf"(?:[{_UP}][{_LOW}]++(?:[-'’][{_UP}]?[{_LOW}]++){{0,5}}"  # Peeters, Jean-Pierre, Vande-Velde
    rf"|[{_UP}]['’][{_UP}][{_LOW}]++"  # D'Hondt
    rf"|[{_UP}]\.(?:-?[{_UP}]\.)?)"  # J. or J.-P.
)
_PARTICLE = r"(?:van|de|der|den|het|ten|ter|te|vanden|vander|vande|le|la|du|des|di|da|von|'t)"
# A name never runs across a line break (lists of names, one per line), a tab or a wide gap (columns
# of a signature block: "Greet Van den Bossche        Wim Driesen").
_SP = r"[^\S\n\t]{1,3}"
_PARTICLE_RE = re.compile(_PARTICLE)  # compiled once: a tagger's span may hold 100,000 words
_NAME = rf"(?:{_PARTICLE}{_SP})?{_PART}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_PART}){{0,3}}"

# Forms of address: one name part after them is enough ("Mevr. Claes"). Lower-case words may open
# a sentence, hence (?i:...); short French abbreviations only count with their capitals ("M.").
_ADDRESS_ANY_CASE = (
    r"de\s+heer|heer|mevrouw|mevr\.?|dhr\.?|mr\.?|mw\.|mijnheer|meneer|juffrouw|meester|mter\.?|dokter|"
    r"dr\.?|prof\.?|ir\.|ing\.|lic\.|drs\.|monsieur|madame|mademoiselle|maître|docteur"
)
_ADDRESS_EXACT = r"M\.|MM\.|Mme|Mmes|Mlle|Me|Dhr\.|Mevr\.|Dr|Mr"
# Titles stack: "Prof. Dr. Peeters", "de heer dr. ir. Claes", "Mevrouw Prof. Maes".
_TITLES = rf"(?:(?:(?i:{_ADDRESS_ANY_CASE})|{_ADDRESS_EXACT})[^\S\n]+){{0,3}}"
# Offices: in minutes they also head columns and sentences ("burgemeester Akkoord"), so the name
# after them needs at least two parts.
_OFFICES = (
    r"burgemeester|schepen|raadslid|gemeenteraadslid|ocmw-raadslid|voorzitter|ondervoorzitter|"
    r"secretaris|algemeen\s+directeur|financieel\s+directeur|directeur|notaris|advocaat|pastoor|"
    r"bourgmestre|échevine?|conseill(?:er|ère)(?:\s+communal(?:e)?)?|présidente?|avocate?|notaire"
)
_TITLE_RE = re.compile(
    rf"(?<![\w.])(?:(?P<addr>{_TITLES}(?:(?i:{_ADDRESS_ANY_CASE})|{_ADDRESS_EXACT}))|(?P<office>(?i:{_OFFICES})))"
    rf"\s+(?P<name>{_NAME})(?![\w])"
)

# Capitalised words that follow an office but are not names ("de heer Voorzitter").
_NOT_NAMES = frozenset(
    w.lower()
    for w in (  # noqa: SIM905 - one word list, with a comment inside: easier to read and edit as text
        "Voorzitter Burgemeester Schepen Gemeenteraad College Raad Stad Gemeente Secretaris "
        "Directeur Minister Gouverneur Provincie Vlaanderen Vlaamse OCMW Dienst Bestuur "
        "Zie Ook Dit Deze Die Wij Ik U Hij Zij "
        "Président Bourgmestre Commune Conseil Ville Collège Madame Monsieur Mevrouw Heer "
        # Words of vote tallies and decision headings in minutes, capitalised at a line start.
        "Akkoord Zitting Besluit Blanco Totaal Stemming Onthouding Onthoudingen Ongeldig Agenda Notulen "
        # Headings of attendance lists, letters and mails ("Verontschuldigd: ...", "Objet : ...").
        "Aanwezig Afwezig Verontschuldigd Onderwerp Betreft Bijlage Bijlagen Omgeving Diensthoofd "
        "Présents Présent Absents Excusés Excusé Objet Concerne Vu Directrice Échevin Échevins"
    ).split()
)


def _trim_name(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Drop trailing/leading office words and particles; None when nothing name-like is left."""
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]
    first = 0  # an index, not pop(0): a tagger's span may hold thousands of office words
    while first < len(words) and (
        text[words[first][0] : words[first][1]].lower().strip(".") in _NOT_NAMES
        or re.fullmatch(_PARTICLE, text[words[first][0] : words[first][1]])
    ):
        if re.fullmatch(_PARTICLE, text[words[first][0] : words[first][1]]) and len(words) > first + 1:
            nxt = text[words[first + 1][0] : words[first + 1][1]].lower()
            if nxt not in _NOT_NAMES:
                break  # "de heer de Smet": a particle that opens a surname stays
        first += 1
    words = words[first:]
    while words and (
        text[words[-1][0] : words[-1][1]].lower().strip(".") in _NOT_NAMES
        or re.fullmatch(_PARTICLE, text[words[-1][0] : words[-1][1]], re.IGNORECASE)
    ):
        words.pop()
    if not words:
        return None
    s, e = words[0][0], words[-1][1]
    if not re.search(f"[{_UP}][{_LOW}]", text[s:e]):  # initials alone are not a name
        return None
    if _STREET_END.search(text[s:e]):  # "Jozef Nellenslaan" is a street named after a person
        return None
    return s, e


_STREET_END = re.compile(r"(?:straat|laan|plein|steenweg|dreef|wegel|kaai|singel|markt|rue|avenue)$", re.IGNORECASE)


def title_name_spans(text: str) -> Iterator[RawSpan]:
    """Names after a form of address or an office, Dutch and French."""
    for m in _TITLE_RE.finditer(text):
        trimmed = _trim_name(text, m.start("name"), m.end("name"))
        if trimmed and (m.group("addr") or len(text[trimmed[0] : trimmed[1]].split()) >= 2):
            yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.8)


_NAME_RUN_RE = re.compile(rf"{_PART}(?:{_SP}(?:{_PARTICLE}{_SP}){{0,2}}{_PART}){{1,3}}")


def first_name_spans(text: str, first_names: Iterable[str] | frozenset[str]) -> Iterator[RawSpan]:
    """Rule-only fallback: a known first name followed by capitalised surname parts."""
    known = first_names if isinstance(first_names, frozenset) else frozenset(first_names)
    if not known:
        return
    for m in _NAME_RUN_RE.finditer(text):
        first = m.group().split()[0]
        if first in known and first.lower() not in _NOT_NAMES:
            trimmed = _trim_name(text, m.start(), m.end())
            if trimmed and " " in text[trimmed[0] : trimmed[1]]:
                yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.6)


# Names of more words are not looked for again: the rules' own names have at most 11 words (four
# parts, two particles before each but the first), longer ones are a tagger's runs of capitals.
MAX_NAME_WORDS = 12


def repeated_name_spans(text: str, persons: Sequence[RawSpan], also: Collection[str] = ()) -> Iterator[RawSpan]:
    """Later mentions of a surname already found in full ("Jan Peeters" ... "Peeters zei"), and of
    the names in `also` (first names of people found in full: one pass over the text for both).

    Documents introduce a person once and then use the surname alone; a tagger that judges each
    sentence on its own misses many of those.
    """
    surnames: set[str] = set(also)
    for span in persons:
        parts = text[span.start : span.end].split()
        if len(parts) > MAX_NAME_WORDS:
            continue  # a tagger's run of capitalised words ("Aaaa Aaaa ..." x 40,000) is no surname
        if len(parts) >= 2 and not re.fullmatch(_PARTICLE, parts[0]) and not parts[0].endswith("."):
            surname = " ".join(parts[1:])
            if len(surname) >= 4 and surname[0].isupper() and surname.lower() not in _NOT_NAMES:
                surnames.add(surname)
    for start, end in _occurrences(text, surnames):
        yield RawSpan("PERSON", start, end, 0.6)


# A surname is found as a whole: not glued to letters, digits, apostrophes or hyphens on either side.
# Split into runs of those characters and the stretches between them, an occurrence is a sequence of
# whole tokens of the text (only a closing stretch such as the "." of "Peeters." may be cut short).
_GLUE = re.compile(r"[\w'’-]")
_GLUE_SPLIT = re.compile(r"[\w'’-]+|[^\w'’-]+")


class _Trie:
    __slots__ = ("children", "ends", "open_ends")

    def __init__(self) -> None:
        self.children: dict[str, _Trie] = {}
        self.ends = ""  # the surname that ends with the token that led here
        self.open_ends: list[tuple[str, str]] = []  # (closing stretch, surname) that end after it


def _surname_trie(surnames: Collection[str]) -> _Trie:
    root = _Trie()
    for surname in surnames:
        node, parts = root, _GLUE_SPLIT.findall(surname)
        closing = parts.pop() if parts and not _GLUE.match(parts[-1]) else ""
        for part in parts:
            node = node.children.setdefault(part, _Trie())
        if closing:
            node.open_ends.append((closing, surname))
        else:
            node.ends = surname
    return root


def _occurrences(text: str, surnames: Collection[str]) -> Iterator[tuple[int, int]]:
    """(start, end) of the occurrences of each surname, as `re.finditer` would find them one by one.

    One pass over the text's tokens through a trie of the surnames' tokens: one `re.finditer` per
    surname cost surnames x text, and a text can introduce thousands of different surnames.
    """
    if not surnames:
        return
    root = _surname_trie(surnames)
    tokens = [(m.start(), m.group()) for m in _GLUE_SPLIT.finditer(text)]
    free_from: dict[str, int] = {}  # like finditer, an occurrence may not overlap the one before
    for i, (start, token) in enumerate(tokens):
        node = root.children.get(token)
        j = i
        while node is not None:
            if node.ends and free_from.get(node.ends, 0) <= start:
                free_from[node.ends] = tokens[j][0] + len(tokens[j][1])
                yield start, free_from[node.ends]
            j += 1
            if j == len(tokens):
                break
            after, nxt = tokens[j]
            for closing, surname in node.open_ends:  # the stretch goes on, or the text ends after it
                if nxt.startswith(closing) and (len(closing) < len(nxt) or j == len(tokens) - 1) \
                        and free_from.get(surname, 0) <= start:
                    free_from[surname] = after + len(closing)
                    yield start, free_from[surname]
            node = node.children.get(nxt)


_TOKEN_RE = re.compile(r"[\w'’.-]+|[^\w\s]")
_OFFICE_COMPOUND = re.compile(r"(?i).*-(?:directeur|voorzitter|schepen|minister|woordvoerder|topman|baas)$")


def _name_runs(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Split a tagger's span into runs of name-like words.

    Frog's spans often take along a verb, a conjunction or a bracket ("aldus Denys", "Kasparov en
    Kramnik", "Garzelli ( Ita"). A run is broken by punctuation and by lower-case words other than
    particles between name parts; what follows an opening bracket is dropped.
    """
    run: list[tuple[int, int]] = []

    def close() -> Iterator[tuple[int, int]]:
        while run and re.fullmatch(_PARTICLE, text[run[-1][0] : run[-1][1]], re.IGNORECASE):
            run.pop()
        if run:
            yield run[0][0], run[-1][1]
        run.clear()

    for m in _TOKEN_RE.finditer(text, start, end):
        word = m.group()
        if word in "([{":
            yield from close()
            return
        name_like = word[0].isupper() and not _OFFICE_COMPOUND.match(word)
        particle = bool(run) and _PARTICLE_RE.fullmatch(word) is not None
        if name_like or particle:
            run.append((m.start(), m.end()))
        else:
            yield from close()
    yield from close()


def ner_person_spans(
    entities: Sequence[Entity], text: str, first_names: frozenset[str] = frozenset()
) -> Iterator[RawSpan]:
    """PER entities of any NerTagger as PERSON spans, cut into runs of name-like words.

    With a first-name list, an entity of another label that opens with a known first name and has
    a surname after it is taken as a person too (taggers call "Kenny Dalglish" an organisation).
    """
    for ent in entities:
        score = 0.85 * ent.score
        if ent.label != "PER":
            words = text[ent.start : ent.end].split()
            if not (len(words) >= 2 and words[0] in first_names and words[1][:1].isupper()):
                continue
            score = 0.6 * ent.score
        for run_start, run_end in _name_runs(text, ent.start, ent.end):
            trimmed = _trim_name(text, run_start, run_end)
            if trimmed:
                yield RawSpan("PERSON", trimmed[0], trimmed[1], round(score, 3))
