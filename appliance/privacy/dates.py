"""Dates of birth: a date right after "geboren", "°", "né(e) le", "date of birth", ...

Numeric (17/05/2011, 17.05.11, 23 10 2011, 2011-05-17) and with the month's name or abbreviation in
Dutch, French or English (17-mei-2011, 15.jan.1928, 1er mars 1950, 3 Sept. 1961), each checked
against the calendar: "31 februari 2011" is not a date.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

from appliance.privacy.spans import RawSpan

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "januari janvier january jan janv",
        "februari février fevrier february feb febr fév fev févr fevr",
        "maart mars march mrt maa mar",
        "april avril apr avr",
        "mei mai may",
        "juni juin june jun",
        "juli juillet july jul juil",
        "augustus août aout august aug",
        "september septembre sep sept",
        "oktober octobre october okt oct",
        "november novembre nov",
        "december décembre decembre dec déc",
    ),
    start=1,
):
    MONTHS.update(dict.fromkeys(_names.split(), _number))

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEP = r"(?:[ \u00a0]?[./-][ \u00a0]?|[ \u00a0])"
_DATE_RE = (
    r"(?P<d1>\d{1,2})(?P<s1>[./-]|[ \u00a0])(?P<m1>\d{1,2})(?P=s1)(?P<y1>\d{4}|\d{2})(?!\d)"  # 17/05/2011, 23 10 2011
    r"|(?P<y2>\d{4})-(?P<m2>\d{2})-(?P<d2>\d{2})(?!\d)"  # 2011-05-17
    r"|(?P<d3>\d{1,2}|1er)(?:e|ste|de)?" + _SEP + r"(?P<m3>" + _MONTH + r")\.?" + _SEP + r"(?P<y3>\d{4})(?!\d)"
    r"|(?P<m4>" + _MONTH + r")\.?[ \u00a0](?P<d4>\d{1,2}),?[ \u00a0](?P<y4>\d{4})(?!\d)"  # May 17, 2011
)
_KEYWORD = (
    r"(?:(?<!\w)(?:geboren|geboortedatum|geboortedag|geb\.|né(?:e|\(e\))?\s+le|née?\s|date\s+de\s+naissance|"
    r"datum\s+van\s+geboorte|born|birth|DOB|naissance)|(?<![nN])°(?![^\S\n]?[CFcf]\b))"
)
_DOB_RE = re.compile(r"(?i)" + _KEYWORD + r"[^\n\d]{0,40}?(?P<date>" + _DATE_RE + r")")
# "geboren op 3 mei 1950 en 7 juni 1952": a second date joined to the first.
_AND_DATE_RE = re.compile(r"(?i)[^\S\n]*(?:,|en|et|and|resp\.|respectievelijk)[^\S\n]+(?P<date>" + _DATE_RE + r")")
_ANY_DATE_RE = re.compile(r"(?i)(?P<date>" + _DATE_RE + r")")
# ("°" is "born" unless it is a degree, 18 °C, or part of "n°".)
# A table whose header names the birth-date column ("Naam;Adres;Geboren"): cells split by ; | or tabs.
_HEADER_WORD = re.compile(r"(?i)^\W*(?:geboren|geboortedatum|geb\.?|°|date de naissance|né\(?e?\)?(?: le)?|naissance"
                          r"|date of birth|born|DOB)\W*$")
_CELL_SPLIT = re.compile(r"[;|\t]")


def calendar_date(m: re.Match[str]) -> datetime.date | None:
    """The date a match of _DATE_RE names, or None when the calendar has no such day."""
    for i in "1234":
        if m.group(f"y{i}") is None:
            continue
        day = m.group(f"d{i}")
        month = m.group(f"m{i}")
        year = int(m.group(f"y{i}"))
        if len(m.group(f"y{i}")) == 2:
            year += 1900 if year > datetime.date.today().year % 100 else 2000
        day_n = 1 if day.lower() == "1er" else int(day)
        month_n = int(month) if month.isdigit() else MONTHS[month.lower()]
        try:
            return datetime.date(year, month_n, day_n)
        except ValueError:
            return None
    return None


def _valid(m: re.Match[str]) -> bool:
    when = calendar_date(m)
    return when is not None and 1850 <= when.year <= datetime.date.today().year


def _table_column(text: str) -> Iterator[RawSpan]:
    """Dates in the column whose header is a birth-date word, until the table ends (a blank line)."""
    column: int | None = None
    pos = 0
    for line in text.splitlines(keepends=True):
        cells = _CELL_SPLIT.split(line.rstrip("\r\n"))
        if len(cells) < 2:
            column = None
        elif column is None:
            column = next((i for i, c in enumerate(cells) if _HEADER_WORD.match(c)), None)
        elif column < len(cells):
            start = pos + sum(len(c) + 1 for c in cells[:column])
            cell = cells[column]
            m = _ANY_DATE_RE.fullmatch(cell.strip())
            if m and _valid(m):
                offset = start + cell.index(cell.strip())
                yield RawSpan("DATE_OF_BIRTH", offset, offset + len(cell.strip()), 0.8)
        pos += len(line)


def dates_of_birth(text: str) -> Iterator[RawSpan]:
    for m in _DOB_RE.finditer(text):
        if not _valid(m):
            continue
        yield RawSpan("DATE_OF_BIRTH", m.start("date"), m.end("date"), 0.85)
        more = _AND_DATE_RE.match(text, m.end())
        if more and _valid(more):
            yield RawSpan("DATE_OF_BIRTH", more.start("date"), more.end("date"), 0.8)
    yield from _table_column(text)
