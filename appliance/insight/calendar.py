"""The calendar the forecast knows: Belgian public holidays and Flemish school holidays, as data.

Public holidays come from the `holidays` package (country BE). Flemish school holidays follow fixed
rules, so they are computed, not typed in: Besluit van de Vlaamse Regering van 17 april 1991
(basisonderwijs) and van 31 augustus 2001, art. 7 (secundair onderwijs), still in force in the
Flemish Community (the French Community moved its holidays in 2022; Flanders did not):

- autumn: the Monday of the week of 1 November, one week (2 November when 1 November is a Sunday);
- Christmas: the Monday of the week of 25 December, two weeks (the Monday after when it is a
  Saturday or Sunday);
- carnival (krokus): the 7th Monday before Easter, one week;
- Easter: the first Monday of April, two weeks; the Monday after Easter when Easter is in March; the
  second Monday before Easter when Easter is after 15 April (then Easter Monday is added);
- summer: 1 July to 31 August.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from dateutil.easter import easter

SOURCE = ("Besluit van de Vlaamse Regering van 17 april 1991 (basisonderwijs) and of 31 August 2001 art. 7 "
          "(secundair onderwijs); public holidays: the holidays package, country BE")


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[date, str]:
    """Belgian public holidays of `year` (Dutch names)."""
    import holidays

    return dict(holidays.country_holidays("BE", years=year, language="nl").items())


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _span(start: date, days: int) -> set[date]:
    return {start + timedelta(days=i) for i in range(days)}


def _autumn(year: int) -> set[date]:
    nov1 = date(year, 11, 1)
    start = date(year, 11, 2) if nov1.weekday() == 6 else _monday(nov1)
    return _span(start, 7)


def _christmas(year: int) -> set[date]:
    xmas = date(year, 12, 25)
    start = xmas + timedelta(days=7 - xmas.weekday()) if xmas.weekday() >= 5 else _monday(xmas)
    return _span(start, 14)


def _spring(year: int) -> set[date]:
    """Carnival and Easter holidays of the school year that ends in `year`."""
    sunday = easter(year)
    krokus = _span(sunday - timedelta(days=6 + 7 * 6), 7)  # Monday of the 7th week before Easter
    first_april_monday = date(year, 4, 1) + timedelta(days=(7 - date(year, 4, 1).weekday()) % 7)
    if sunday.month == 3:
        start, extra = sunday + timedelta(days=1), set()
    elif sunday > date(year, 4, 15):
        start, extra = sunday - timedelta(days=13), {sunday + timedelta(days=1)}
    else:
        start, extra = first_april_monday, set()
    return krokus | _span(start, 14) | extra


@lru_cache(maxsize=64)
def school_holidays(year: int) -> frozenset[date]:
    """Every day of `year` that falls in a Flemish school holiday (weekends inside one included)."""
    days = _spring(year) | _autumn(year) | _christmas(year) | _christmas(year - 1)
    days |= {date(year, 7, 1) + timedelta(days=i) for i in range(62)}
    return frozenset(d for d in days if d.year == year)


def is_workday(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def week_calendar(monday: date) -> tuple[int, int]:
    """(working days, school-holiday working days) of the week starting on `monday`."""
    days = [monday + timedelta(days=i) for i in range(5)]
    work = [d for d in days if d not in public_holidays(d.year)]
    return len(work), sum(1 for d in work if d in school_holidays(d.year))
