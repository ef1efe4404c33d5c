"""Rule-only person names beyond titles: roles, surname-first lists, initials and list look-ups.

What administrative text writes without "de heer" in front:
- a role before the name: "Aanvrager Jan Peeters", "de verzoeker, Hendrik Ghysels", "Le demandeur,
  M. Renard", "La requérante Fatima Benali", "mijn buurman Filip Segers";
- surname first, in lists: "PEETERS Jan", "VAN DEN BROECK Els", "Peeters, Jan", "Van Hecke, Sandra";
- an initial and a surname: "J. Janssens", "J.-P. Dubois", "A.M. Claes", "M. Van Campenhout";
- a known first name and a known family name in either order ("Ben Peeters", "Peeters Ben");
- a first name alone after a greeting or under a closing formula ("Hallo Wout,", "Groetjes,\nTine").
The first- and family-name lists are data (name_data.NameLists), not strings in these rules. All
patterns are bounded, like those in rules.py: they run over untrusted text of any length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from appliance.privacy.name_data import NameLists
from appliance.privacy.names import _NAME, _NOT_NAMES, _PART, _PARTICLE, _SP, _trim_name
from appliance.privacy.rules import RawSpan

_UP = "A-ZÀ-ÖØ-Ý"
_LOW = "a-zß-öø-ÿ"

# Roles a person plays in a file. Lower case in running text, capitalised at a line start or in a
# heading ("Aanvrager Jan Peeters"): matched in any case, so a single name part after them must be a
# known family name; two parts are a name.
_ROLES = (
    r"aanvrager|aanvraagster|verzoeker|verzoekster|verzoekende\s+partij|bezwaarindiener|indiener|klager|klaagster|"
    r"eigenaar|eigenares|huurder|huurster|verhuurder|begunstigde|betrokkene|cliënt|client|getuige|verdachte|"
    r"slachtoffer|patiënt|patiënte|leerling|architect|landmeter|inspecteur|hoofdinspecteur|agent|"
    r"maatschappelijk\s+werker|maatschappelijk\s+assistent|diensthoofd|deskundige|medewerker|medewerkster|"
    r"echtgeno(?:ot|te)|partner|zoon|dochter|vader|moeder|broer|zus|buurman|buurvrouw|weduwe|weduwnaar|"
    r"gemachtigde|curator|bewindvoerder|voogd|arts|huisarts|neuroloog|advocate|"
    r"demandeur|demanderesse|requérante?|partie\s+requérante|défendeur|défenderesse|témoin|bénéficiaire|"
    r"intéressée?|propriétaire|locataire|architecte|assistante?\s+sociale?|inspect(?:eur|rice)|"
    r"époux|épouse|fils|fille|voisine?|médecin|mandataire|tuteur|tutrice|plaignante?"
)
_ROLE_RE = re.compile(
    rf"(?<![\w])(?i:{_ROLES})(?:[^\S\n]*[,:])?[^\S\n]+(?P<name>{_NAME})(?![\w])"
)

# "PEETERS Jan", "VAN DEN BROECK Els", "D'HONDT Marie-Louise": capitals, then a capitalised first name.
_CAPS_WORD = rf"[{_UP}](?:[{_UP}'’-]{{1,30}}+)"
_CAPS_PARTICLE = r"(?:VAN|VANDEN|VANDER|VANDE|DE|DEN|DER|TER|TEN|LE|LA|DU|DES|DI|DA|EL|D'|D’)"
_SURNAME_FIRST_RE = re.compile(
    rf"(?<![\w'’])(?P<sur>(?:{_CAPS_PARTICLE}[^\S\n]+){{0,2}}{_CAPS_WORD})[^\S\n]+"
    rf"(?P<first>[{_UP}][{_LOW}]++(?:-[{_UP}][{_LOW}]++)?)(?![\w'’])"
)
# "Peeters, Jan", "Van Hecke, Sandra": in lists, after a number, a colon or a semicolon, or known.
_COMMA_RE = re.compile(
    rf"(?<![\w'’])(?P<sur>(?:{_PARTICLE}{_SP}|[{_UP}][{_LOW}]{{0,3}}{_SP}){{0,2}}{_PART}),[^\S\n]+"
    rf"(?P<first>[{_UP}][{_LOW}]++(?:-[{_UP}][{_LOW}]++)?)(?![\w'’])"
)
_LIST_START = re.compile(r"(?:^|\n|[:;•·*–-]|\d[.)])[^\S\n]*\Z")
# "J. Janssens", "J.-P. Dubois", "A.M. Claes", "M. Van Campenhout".
_INITIALS_RE = re.compile(
    rf"(?<![\w.])(?P<ini>[{_UP}]\.(?:[^\S\n]?-?[{_UP}]\.){{0,3}})[^\S\n]*"
    rf"(?P<sur>(?:(?P<part>{_PARTICLE}|Van|De|Le|La|Du|Vanden|Vander|Vande|D')[^\S\n]+){{0,2}}"
    rf"[{_UP}][{_LOW}]++(?:-[{_UP}][{_LOW}]++)?)(?![\w'’])"
)
_PAIR_RE = re.compile(rf"(?<![\w'’])(?P<a>{_PART})[^\S\n]+(?P<b>(?:{_PARTICLE}[^\S\n]+){{0,2}}{_PART})(?![\w'’])")


def role_name_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """Names after a role word; one part only when it is a known family name."""
    for m in _ROLE_RE.finditer(text):
        trimmed = _trim_name(text, m.start("name"), m.end("name"))
        if not trimmed:
            continue
        name = text[trimmed[0] : trimmed[1]]
        if len(name.split()) >= 2 or lists.is_surname(name):
            yield RawSpan("PERSON", trimmed[0], trimmed[1], 0.75)


def surname_first_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """"PEETERS Jan" and "Peeters, Jan": a family name (in capitals, or known) before a first name."""
    for m in _SURNAME_FIRST_RE.finditer(text):
        sur, first = m.group("sur"), m.group("first")
        if first.lower() in _NOT_NAMES or not any(c.isalpha() for c in sur):
            continue
        if lists.is_first(first, weak=True) or lists.is_surname(sur):
            yield RawSpan("PERSON", m.start(), m.end(), 0.75)
    for m in _COMMA_RE.finditer(text):
        sur, first = m.group("sur"), m.group("first")
        if sur.lower() in _NOT_NAMES or not lists.is_first(first, weak=True):
            continue
        listed = bool(_LIST_START.search(text, max(0, m.start() - 4), m.start()))
        if lists.is_surname(sur, weak=True) or (listed and lists.is_first(first)):
            yield RawSpan("PERSON", m.start(), m.end(), 0.7)


def initial_name_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """An initial before a family name: known, or opened by a particle ("M. Van Campenhout")."""
    for m in _INITIALS_RE.finditer(text):
        sur = m.group("sur")
        if sur.split()[-1].lower() in _NOT_NAMES:
            continue
        if m.group("part") or lists.is_surname(sur, weak=True):
            yield RawSpan("PERSON", m.start(), m.end(), 0.7)


def known_pair_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """A known first name and a known family name side by side, in either order."""
    for m in _PAIR_RE.finditer(text):
        a, b = m.group("a"), m.group("b")
        if (lists.is_first(a, weak=True) and lists.is_surname(b, weak=True)) or (
                lists.is_surname(a) and lists.is_first(b) and a.lower() not in _NOT_NAMES):
            yield RawSpan("PERSON", m.start(), m.end(), 0.65)


_GREETING_RE = re.compile(
    rf"(?<![\w])(?i:hallo|dag|beste|lieve|hoi|hey|hi|dear|bonjour|bonsoir|cher|chère|salut|coucou)[^\S\n]+"
    rf"(?P<name>[{_UP}][{_LOW}]++(?:-[{_UP}][{_LOW}]++)?)(?=[^\S\n]*[,!\n])"
)
_CLOSING_LINE = re.compile(
    r"(?im)^[^\S\n]*(?:(?:met\s+)?(?:vriendelijke\s+)?groet(?:en|jes)?|mvg|tot\s+later|cordialement|"
    r"bien\s+à\s+(?:vous|toi)|bisous|amitiés|(?:kind\s+|best\s+)?regards)[^\S\n]*[,.!]?[^\S\n]*\n"
    rf"[^\S\n]*(?P<name>[{_UP}][{_LOW}]++(?:-[{_UP}][{_LOW}]++)?)[^\S\n]*$"
)


def greeting_name_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """A first name alone where mails put one: after a greeting ("Hallo Wout,") or alone on the
    line under a closing formula ("Groetjes,\nTine")."""
    for rx in (_GREETING_RE, _CLOSING_LINE):
        for m in rx.finditer(text):
            if lists.is_first(m.group("name"), weak=True) and m.group("name").lower() not in _NOT_NAMES:
                yield RawSpan("PERSON", m.start("name"), m.end("name"), 0.6)


def list_name_spans(text: str, lists: NameLists) -> Iterator[RawSpan]:
    """Every rule of this module."""
    yield from role_name_spans(text, lists)
    yield from surname_first_spans(text, lists)
    yield from initial_name_spans(text, lists)
    yield from known_pair_spans(text, lists)
    yield from greeting_name_spans(text, lists)
