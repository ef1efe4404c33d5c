"""Which weekdays a question asks about, and whether a sentence's hours belong to them.

'Ik kan alleen op zaterdag naar de bib. Van hoe laat tot hoe laat is die open?' is not answered by
'… open van dinsdag tot en met zaterdag, met een avondopening op dinsdag en donderdag tot 20 uur': the
sentence names Saturday and holds an hour, but the hour is Tuesday's and Thursday's. A sentence's hours
belong to the days named in their own clause, else to the last days named in a clause before them
('Open van dinsdag tot en met zaterdag, 9 – 12 uur en 13 – 17 uur.'). A sentence whose hours all belong
to other days than the asked ones does not answer; one that names no day gives hours for every day and
may ('open van 9 tot 17 uur').
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from appliance.index.text import content_words, fold, terms_of

# Monday .. Sunday in each language; a Dutch compound starts with one ('zaterdagvoormiddag', 'donderdagavond').
WEEKDAYS = (("maandag", "monday", "lundi"), ("dinsdag", "tuesday", "mardi"),
            ("woensdag", "wednesday", "mercredi"), ("donderdag", "thursday", "jeudi"),
            ("vrijdag", "friday", "vendredi"), ("zaterdag", "saturday", "samedi"), ("zondag", "sunday", "dimanche"))
WEEKDAY_NAMES = tuple(name for names in WEEKDAYS for name in names)
_GROUPS = ((re.compile(r"\b(?:dagelijks|daily|quotidien\w*|elke dag|alle dagen|every day|tous les jours"
                       r"|chaque jour)\b"), frozenset(range(7))),
           (re.compile(r"\b(?:week|werk)dag\w*|\bweekdays?\b|\ben semaine\b|\bjours? ouvrables?\b"),
            frozenset(range(5))),
           (re.compile(r"\bweek-?ends?\b"), frozenset({5, 6})))
_DAY = "(?:" + "|".join(WEEKDAY_NAMES) + r")\w*"
_RANGE = re.compile(rf"\b({_DAY})\s*(?:tot en met|tot|t\.?\s?e\.?\s?m\.?|t/m|to|through|till|until|jusqu'au|au|a"
                    rf"|-|–)\s*({_DAY})")
_NAMED = re.compile(rf"\b{_DAY}")
_CLAUSES = re.compile(r"[,;()]")
# An hour of the day: '20 uur', '8.30', '16:00', '9h', '4 pm', '4 p.m.' (not '32 uur per week', not '1 september').
_HOUR = re.compile(r"(?<![\d.,])(?:[01]?\d|2[0-4])(?:[.:h]\d\d\b|\s?(?:(?:uur|u|h|heures?|am|pm|o'clock)\b"
                   r"|[ap]\.m\.))")


def _index(word: str) -> int:
    return next(i for i, names in enumerate(WEEKDAYS) if word.startswith(names))


def named_days(text: str) -> frozenset[int]:
    """The weekdays (0 = Monday) that `text` names, ranges ('van dinsdag tot en met zaterdag', 'du mardi au
    samedi') and groups ('weekdagen', 'in het weekend', 'dagelijks') included."""
    folded, days = fold(text), set[int]()
    for m in _RANGE.finditer(folded):
        first, last = _index(m.group(1)), _index(m.group(2))
        days.update((first + k) % 7 for k in range((last - first) % 7 + 1))
    days.update(_index(m.group(0)) for m in _NAMED.finditer(folded))
    for pattern, group in _GROUPS:
        if pattern.search(folded):
            days |= group
    return frozenset(days)


_CLOSED = re.compile(r"\b(?:gesloten|dicht|closed|fermee?s?)\b")


def gives_hour(sentence: str) -> bool:
    """Whether `sentence` answers 'until what time', 'hoe laat': it gives an hour of the day ('tot 23 uur', '9.00 –
    11.30', '14h') or says a place is closed then; a fine 'per week' or an address 'Marktplein 1' does not."""
    folded = fold(sentence)
    return bool(_HOUR.search(folded) or _CLOSED.search(folded))


def weekdays_named(text: str) -> frozenset[int]:
    """The weekdays `text` names by name, in any of the three languages ('zaterdag', 'samedi', 'Saturday',
    'zaterdagvoormiddag'), without ranges filled in or groups ('weekdagen'): what a faithful translation keeps."""
    return frozenset(_index(m.group(0)) for m in _NAMED.finditer(fold(text)))


def at_days(asked: frozenset[int], sentence: str) -> bool:
    """Whether `sentence` may answer a question asking the time on the `asked` days: it gives no hour, or an
    hour that belongs to no day or to an asked day (always, where nothing is asked)."""
    if not asked:
        return True
    before: frozenset[int] = frozenset()
    bound = False  # it gives hours, all of them bound to days
    for clause in _CLAUSES.split(sentence):
        own = named_days(clause)
        before = own or before
        if _HOUR.search(fold(clause)):
            if not before or before & asked:
                return True
            bound = True
    return not bound


def of_day(question: str, shown: Sequence[str], sentences: Sequence[str]) -> str:
    """The first of a cited passage's `sentences` that says what holds on a weekday the `question` names by name,
    where no `shown` quote speaks of that day; '' otherwise. 'Mag ik op zondag zonder parkeerschijf parkeren?' is
    not answered by the blue zone's 'van maandag tot en met zaterdag' alone, but by the same page's 'Op zondag en op
    feestdagen is parkeren vrij.' The sentence must name a word of the question besides the day. Ask asks it for a
    short question only (a long one names days in passing)."""
    asked = weekdays_named(question)
    if not asked or any(named_days(s) & asked for s in shown):
        return ""
    words = terms_of(w for w in content_words(question) if not weekdays_named(w))
    for sentence in sentences:
        if weekdays_named(sentence) & asked and sentence not in shown and words & terms_of(content_words(sentence)):
            return sentence
    return ""
