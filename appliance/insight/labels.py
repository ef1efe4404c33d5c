"""A theme's short label: its most distinctive words and word pairs (class-based TF-IDF).

A word counts for a theme only when at least two of its entries use it (one entry's name, street or
reference never becomes a label), and its weight is its share in the theme against its spread over
all themes, so words every mail has ("gemeente", "vraag") lose to the ones that set a theme apart.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from appliance.index.text import ALL_STOPWORDS, fold

LABEL_TERMS = 3
# Words of a mail's frame, not its subject (accent-folded, nl/fr/en).
_FRAME_TEXT = """
geachte beste dag goedendag goeiedag hallo dank bedankt alvast groeten groet vriendelijke vriendelijk
mevrouw heer meneer graag vraag vragen gemeente stad wil willen zou zouden even hebt heb ben bent
kunt moet moeten mag mogen laten weten ons onze jullie uw hun sinds nu al weer gisteren vandaag
morgen week maand jaar keer meer veel erg zeer echt toch want omdat wanneer ook alstublieft aub
bonjour madame monsieur merci cordialement salutations commune ville demande svp
dear hello hi thanks thank regards kind please municipality city question would like
"""
FRAME_WORDS = frozenset(_FRAME_TEXT.split())
_TOKEN = re.compile(r"[^\W\d_]{3,30}", re.UNICODE)


def tokens(text: str) -> list[str]:
    words = _TOKEN.findall(fold(text))
    return [w for w in words if w not in ALL_STOPWORDS and w not in FRAME_WORDS]


def _terms(text: str) -> set[str]:
    words = tokens(text)
    return set(words) | {f"{a} {b}" for a, b in pairwise(words) if a != b}


def label_clusters(clusters: Sequence[Sequence[str]], terms: int = LABEL_TERMS) -> list[str]:
    """One label per cluster of texts: up to `terms` distinctive terms joined by ' · ' ('' when no word
    is shared by two of its texts)."""
    doc_freq = [Counter(t for text in texts for t in _terms(text)) for texts in clusters]
    spread: Counter[str] = Counter()
    for freq in doc_freq:
        spread.update(freq.keys())
    n = max(len(clusters), 1)
    labels = []
    for texts, freq in zip(clusters, doc_freq, strict=True):
        need = 2 if len(texts) > 1 else 1
        scored = sorted(((freq[t] / len(texts) * math.log(1 + n / spread[t]) * (1.2 if " " in t else 1.0), t)
                         for t in freq if freq[t] >= need), key=lambda p: (-p[0], p[1]))
        chosen: list[str] = []
        used: set[str] = set()
        for _score, term in scored:
            words = set(term.split())
            if words & used:  # "put" after "put wegdek" says nothing new
                continue
            chosen.append(term)
            used |= words
            if len(chosen) == terms:
                break
        labels.append(" · ".join(chosen))
    return labels
