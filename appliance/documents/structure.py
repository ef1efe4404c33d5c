"""Document structure from text: type (with a confidence), document date, reference numbers,
sender and addressee. Rules over Dutch and French cues; the result is stored as document metadata
and can be filtered on in search."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date

DOC_TYPES = ("brief", "factuur", "besluit", "notulen", "formulier", "identiteitsdocument", "other")

# Cue phrases per type (lowercase, accents kept); weights reflect how telling a cue is.
_CUES: dict[str, list[tuple[str, float]]] = {
    "brief": [("geachte", 2), ("met vriendelijke groet", 2), ("hoogachtend", 2), ("betreft", 1),
              ("ons kenmerk", 1), ("uw kenmerk", 1), ("madame, monsieur", 2), ("veuillez agréer", 2),
              ("objet :", 1), ("cher ", 1), ("chère ", 1)],
    "factuur": [("factuur", 2), ("factuurnummer", 3), ("btw", 1), ("te betalen", 2), ("vervaldatum", 2),
                ("totaal", 1), ("facture", 2), ("tva", 1), ("montant", 1), ("échéance", 2), ("+++", 2)],
    "besluit": [("besluit", 2), ("beslist", 1), ("gelet op", 2), ("overwegende", 2), ("artikel 1", 2),
                ("motivering", 1), ("décide", 2), ("arrête", 2), ("vu le", 1), ("considérant", 2)],
    "notulen": [("notulen", 3), ("aanwezig", 2), ("verontschuldigd", 2), ("zitting", 1), ("agendapunt", 1),
                ("de voorzitter opent", 2), ("stemming", 1), ("procès-verbal", 3), ("présents", 2),
                ("excusés", 2), ("séance", 1)],
    "formulier": [("aanvraagformulier", 3), ("formulier", 2), ("in te vullen", 2), ("handtekening", 1),
                  ("aankruisen", 2), ("☐", 2), ("□", 2), ("formulaire", 2), ("à compléter", 2), ("signature", 1)],
    "identiteitsdocument": [("identiteitskaart", 3), ("paspoort", 3), ("nationaliteit", 2), ("geldig tot", 2),
                            ("geboorteplaats", 2), ("carte d'identité", 3), ("passeport", 3), ("nationalité", 2),
                            ("valable jusqu", 2)],
}

MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7, "augustus": 8,
    "september": 9, "oktober": 10, "november": 11, "december": 12,
    "janvier": 1, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "août": 8,
    "septembre": 9, "octobre": 10, "décembre": 12,
}
_DATE_WORDS = re.compile(r"\b(\d{1,2})(?:er)?\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b", re.IGNORECASE)
_DATE_NUM = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
_REFERENCE = re.compile(
    r"(?P<label>dossiernummer|dossiernr\.?|ons kenmerk|uw kenmerk|kenmerk|referentie|ref\.|"
    r"notre référence|votre référence|référence|n° de dossier|factuurnummer)\s*[:.]?\s*"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9/._-]{2,40})",
    re.IGNORECASE,
)
_PARTY = re.compile(r"^\s*(?P<label>van|afzender|aan|bestemmeling|de|à|expéditeur|destinataire)\s*:\s*(?P<value>.+)$",
                    re.IGNORECASE | re.MULTILINE)
_SENDER_LABELS = {"van", "afzender", "de", "expéditeur"}


@dataclass
class Structure:
    doc_type: str
    type_confidence: float
    document_date: str = ""  # ISO date
    references: list[dict[str, str]] = field(default_factory=list)
    sender: str = ""
    addressee: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def classify_type(text: str) -> tuple[str, float]:
    """The document type with a softmax confidence over cue scores; 'other' when nothing is telling."""
    lowered = text[:20000].lower()
    scores = {t: sum(w * min(lowered.count(cue), 3) for cue, w in cues) for t, cues in _CUES.items()}
    scores["other"] = 2.0  # the bar a type's cues must clear
    top = max(scores.values())
    exps = {t: math.exp((s - top) / 2.0) for t, s in scores.items()}
    total = sum(exps.values())
    best = max(scores, key=lambda t: scores[t])
    return best, round(exps[best] / total, 3)


def document_date(text: str) -> str:
    """The first plausible date in the opening part of the document, as ISO."""
    head = text[:3000]
    found: list[tuple[int, date]] = []
    for m in _DATE_WORDS.finditer(head):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
        if d:
            found.append((m.start(), d))
    for m in _DATE_NUM.finditer(head):
        d = _safe_date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if d:
            found.append((m.start(), d))
    return min(found)[1].isoformat() if found else ""


def _safe_date(year: int, month: int, day: int) -> date | None:
    if not 1900 <= year <= 2100:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def extract_structure(text: str, *, meta: dict[str, object] | None = None) -> Structure:
    doc_type, confidence = classify_type(text)
    refs = [{"label": m.group("label").lower().rstrip("."), "value": m.group("value").rstrip(".")}
            for m in _REFERENCE.finditer(text[:5000])]
    sender = addressee = ""
    for m in _PARTY.finditer(text[:3000]):
        value = m.group("value").strip()[:200]
        if m.group("label").lower() in _SENDER_LABELS:
            sender = sender or value
        else:
            addressee = addressee or value
    meta = meta or {}
    sender = sender or str(meta.get("sender", "") or "")
    addressee = addressee or str(meta.get("to", "") or "")
    return Structure(doc_type, confidence, document_date(text), refs[:10], sender, addressee)
