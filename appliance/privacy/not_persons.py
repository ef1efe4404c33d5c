"""Name-shaped spans that are not persons: institutions, eponyms, saints and streets named after people.

"Erasmus MC", "AZ Sint-Jan", "Institut Jules Bordet", "ziekte van Alzheimer" / "M. Alzheimer",
"rue Jean Jaurès 25": a tagger and the name rules see a person in each. The words below are the
evidence that they are not (an organisation-type word inside, before or after the name; a disease
word near an eponym; a street-type word before, or a house number after the name).
"""

from __future__ import annotations

import re

# Words that make a name part of an institution's name, before or after it, or inside it.
ORGANISATION_WORDS = frozenset(
    w.casefold()
    for w in (  # noqa: SIM905 - one word list, easier to read and extend as text
        "MC UMC UZ AZ ZNA GZA CHU CHR CHC CHUV UCL KU ULB VUB UGent UA "
        "ziekenhuis ziekenhuizen kliniek instituut stichting fonds fondsen universiteit hogeschool "
        "school basisschool college atheneum lyceum campus museum zaal centrum woonzorgcentrum wzc "
        "residentie prijs vzw nv bv bvba cvba comm.v. vof groep holding "
        "hôpital hopital clinique institut fondation université haute école lycée athénée collège "
        "musée salle centre résidence prix asbl sa sprl srl scrl "
        "hospital university institute foundation clinic"
    ).split()
)
# Words that, right before a name, make it part of an institution's or a place's name.
ORGANISATION_BEFORE = ORGANISATION_WORDS | frozenset(("royal", "royale", "koninklijk", "koninklijke"))
# Street-type words that open a street named after a person ("rue Jean Jaurès", "avenue Louise").
STREET_BEFORE = frozenset(
    ("rue", "avenue", "av.", "boulevard", "bd", "bd.", "place", "chaussée", "square", "quai", "allée",
     "chemin", "impasse", "drève", "route", "sentier", "clos", "rond-point", "straat", "laan", "plein")
)
# Street-type words written after a person's name ("Jan Frans Willems straat", "Jan Palfijn-zaal").
STREET_AFTER = frozenset(("straat", "laan", "plein", "lei", "dreef", "kaai", "steenweg", "plaats", "park", "hof",
                          "square", "tunnel", "brug", "pont"))
# Eponyms of diseases, syndromes and signs: a surname that names a condition near a disease word.
EPONYMS = frozenset(
    w.casefold()
    for w in (  # noqa: SIM905
        "Addison Alzheimer Asperger Basedow Bechterew Bell Buerger Creutzfeldt Creutzfeldt-Jakob Crohn "
        "Cushing Down Dupuytren Duchenne Fabry Gaucher Graves Guillain-Barré Hashimoto Hirschsprung "
        "Hodgkin Huntington Kahler Kaposi Kawasaki Korsakov Korsakoff Lyme Marfan Ménière Meniere "
        "Osgood-Schlatter Paget Parkinson Pompe Raynaud Reiter Scheuermann Sjögren Stargardt Tourette "
        "Wegener Wernicke Whipple Wilson Willebrand Wolff-Parkinson-White Alport Angelman Turner Klinefelter "
        "Babinski Apgar Lasègue Glasgow Gilles"
    ).split()
)
_DISEASE_CONTEXT = re.compile(
    r"(?i)\b(?:ziekte|ziekten|syndroom|aandoening|dementie|morbus|maladie|syndrome|démence|disease|"
    r"teken|signe|score|test|type)\b|(?<![\w])M\.(?=\s*$)"
)
_SAINT = re.compile(r"(?i)^(?:sint|sinte|saint|sainte|st|ste|onze-lieve-vrouw|o\.-l\.-v)(?:[-.\s]|$)")
_HOUSE_NUMBER = re.compile(
    r"[^\S\n]+[1-9]\d{0,3}[a-zA-Z]?(?![\w.,:/]?\d)"
    r"(?![^\S\n]*(?:jaar|jaren|ans|an|euro|eur|€|%|mei|juni|juli|januari|februari|maart|april|augustus|"
    r"september|oktober|november|december|janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
    r"octobre|novembre|décembre|stemmen|voix|uur|h\b))",
    re.IGNORECASE,
)
_GLUED_BEFORE = re.compile(r"[\w.'’]{1,30}-\Z")
_DISEASE_AFTER = re.compile(r"[^\S\n]*(?:ziekte|syndroom|disease)", re.IGNORECASE)
_GLUED_AFTER = re.compile(r"[\w-]{1,40}")
_TITLE_WORDS = frozenset(("dr.", "dr", "prof.", "prof", "ir.", "mgr.", "z.h.", "st.", "sint", "saint", "pater", "père",
                          "koning", "koningin", "prins", "prinses", "roi", "reine", "prince", "princesse"))
_ORGANISATION_SUFFIX = re.compile(
    r"(?i)\w(?:instituut|ziekenhuis|kliniek|school|college|centrum|zaal|museum|fonds|stichting|hogeschool)$"
)
_STREET_SUFFIX = re.compile(r"(?i)(?:straat|laan|plein|steenweg|dreef|kaai|lei|plaats|park|hof|pad|weg|zaal)$")
_PARTICLES = frozenset(("van", "de", "der", "den", "du", "des", "of", "la", "le", "in", "het", "voor", "pour"))
_AFTER_HOUSE_NUMBER = re.compile(
    r"[^\S\n]*(?:(?:bus|bte|boîte|b\.|/)[^\S\n]*\d|,?[^\S\n]*[1-9]\d{3}[^\S\n]+[A-ZÀ-Ý])", re.IGNORECASE
)
_ADDRESS_CUES = frozenset(("in de", "op de", "aan de", "naar de", "langs de", "wonende", "woont", "woonachtig",
                           "adres", "gelegen", "domicilie", "domicilié", "domiciliée", "adresse", "sis", "sise"))
_WORD_AFTER = re.compile(r"^[^\S\n]*-?[^\S\n]*([\w.'’-]+)")


_SPLIT = re.compile(r"[\s-]+")
_ELISION = re.compile(r"^[ldLD]['’]")


def _words(text: str) -> list[str]:
    return [w.casefold().strip(".,;:") for w in _SPLIT.split(text) if w]


def cut_before_institution(text: str, start: int, end: int) -> int:
    """The end of a name that runs on into an institution ("Peeters van de Universiteit Gent"):
    before the particles that link it to the first organisation word; `end` when there is none."""
    words = list(re.finditer(r"\S+", text[start:end]))
    for i, m in enumerate(words):
        if i and m.group().casefold().strip(".,;:") in ORGANISATION_WORDS:
            j = i
            while j > 1 and words[j - 1].group().casefold() in _PARTICLES:
                j -= 1
            return start + words[j - 1].end()
    return end


def _words_before(text: str, start: int) -> list[str]:
    """The (at most) two words before `start` on its line, case-folded, commas left out."""
    line = text[max(0, start - 60) : start].rsplit("\n", 1)[-1]
    return [w.casefold() for w in line.replace(",", " ").split()[-2:]]


def not_a_person(text: str, start: int, end: int) -> bool:
    """Whether the name-shaped text[start:end] names an institution, a disease, a saint or a street."""
    glued = _GLUED_BEFORE.search(text[max(0, start - 31) : start]) if text[start - 1 : start] == "-" else None
    name = (glued.group() if glued else "") + text[start:end]  # "Sint-" of "AZ Sint-Jan"
    if _SAINT.match(name):
        return True
    glued_after = _GLUED_AFTER.match(text, end)  # a tagger's "Jan Frans Willems|straat"
    if glued_after and _STREET_SUFFIX.search(glued_after.group()):
        return True
    inside = _words(name)
    if any(w in ORGANISATION_WORDS for w in inside) or (inside and _ORGANISATION_SUFFIX.search(inside[-1])):
        return True
    two_before = _words_before(text, start)
    if two_before and two_before[-1] in _TITLE_WORDS:  # "Museum Dr. Guislain", "AZ Sint-Jan"
        two_before = two_before[:-1]
    word_before = _ELISION.sub("", two_before[-1]) if two_before else ""  # "l'Institut"
    after = _WORD_AFTER.match(text[end : end + 40])
    word_after = after.group(1).casefold().strip(".,;:") if after else ""
    if word_before in ORGANISATION_BEFORE or word_before in STREET_BEFORE:
        return True
    if word_after in ORGANISATION_WORDS or word_after in STREET_AFTER or _STREET_SUFFIX.search(word_after):
        return True
    if inside and inside[-1] in EPONYMS and (
            _DISEASE_CONTEXT.search(text[max(0, start - 30) : start]) or _DISEASE_AFTER.match(text, end)):
        return True
    # A house number alone is no proof ("Marieke Vandenbroucke 85 07 30 ..." opens a national number):
    # it takes a box or postcode after it, or an address word before the name ("in de", "wonende").
    number = _HOUSE_NUMBER.match(text, end)
    return number is not None and (bool(_AFTER_HOUSE_NUMBER.match(text, number.end()))
                                   or " ".join(two_before) in _ADDRESS_CUES or word_before in _ADDRESS_CUES)
