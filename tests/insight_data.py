"""Seeded synthetic intake for the insight tests: citizen mails on a few themes, and a weekly history
with yearly seasonality, trend, public and school holidays."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta

import numpy as np

from appliance.context import Appliance
from appliance.insight import week_calendar
from tests.unit.triage_items import add_item

# (category, department, words a mail on the theme draws from)
THEMES = {
    "sluikstort": ("afval", "omgeving", "sluikstort zakken afval achtergelaten glasbol vuilniszakken gedumpt"),
    "put": ("wegschade", "openbare-werken", "put wegdek fietspad gevaarlijk asfalt gat diepe"),
    "lantaarn": ("verlichting", "openbare-werken", "straatlamp lantaarnpaal verlichting donker kapot brandt"),
    "parkeren": ("mobiliteit", "mobiliteit", "parkeerkaart bewonerskaart parkeren zone aanvraag vergunning"),
}
STREETS = ["Kerkstraat 12", "Stationsstraat 3", "Molenweg 41", "Dorpsplein 7"]
OPENINGS = ["Beste,", "Geachte,", "Hallo,", "Goedendag,"]
CLOSINGS = ["Graag actie.", "Alvast bedankt.", "Met vriendelijke groeten.", "Dank u."]
DISTRICTS = ["9050 Gentbrugge", "9040 Sint-Amandsberg", "9032 Wondelgem"]


def mail(theme: str, rng: random.Random) -> tuple[str, str]:
    """(subject, body) of a mail on `theme`, with an address half of the time."""
    words = THEMES[theme][2].split()
    chosen = rng.sample(words, 5)
    subject = f"{chosen[0]} {chosen[1]}".capitalize()
    body = f"{rng.choice(OPENINGS)} {' '.join(chosen[1:])}. {rng.choice(CLOSINGS)}"
    if rng.random() < 0.5:
        body += f" Adres: {rng.choice(STREETS)}, {rng.choice(DISTRICTS)}."
    return subject, body


def add_theme_items(app: Appliance, per_theme: int, *, seed: int = 7, now: datetime | None = None,
                    days: float = 27, recent: dict[str, int] | None = None) -> list[int]:
    """`per_theme` items per theme spread over the last `days` days (plus `recent` extra items per theme
    in the current week), added in a shuffled order."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    plan = [(theme, now - timedelta(days=rng.uniform(0, days))) for theme in THEMES
            for _ in range(per_theme)]
    for theme, extra in (recent or {}).items():
        plan += [(theme, now - timedelta(hours=rng.uniform(1, 24))) for _ in range(extra)]
    rng.shuffle(plan)
    ids = []
    for theme, at in plan:
        category, department, _words = THEMES[theme]
        subject, body = mail(theme, rng)
        ids.append(add_item(app, subject, body, suggested=category, received_at=at, department=department))
    return ids


def weekly_rate(monday: date, start: date, level: float = 40.0) -> float:
    """The expected count of the week of `monday` in `weekly_history` (before the noise)."""
    work, school = week_calendar(monday)
    season = 1 + 0.3 * math.sin(2 * math.pi * monday.timetuple().tm_yday / 365.25)
    return level * season * (work / 5) * (1 - 0.25 * school / 5) * (1 + 0.1 * (monday - start).days / 365)


def weekly_history(weeks: int = 104, *, start: date = date(2024, 12, 2), level: float = 40.0,
                   seed: int = 3) -> tuple[list[date], list[int]]:
    """Consecutive Mondays and counts: yearly season (+-30 %), 10 %/year trend, fewer items in weeks with
    public holidays (per working day) and in school holidays (-25 %), negative-binomial noise."""
    rng = np.random.default_rng(seed)
    mondays = [start + timedelta(days=7 * i) for i in range(weeks)]
    counts = []
    for m in mondays:
        lam = weekly_rate(m, start, level)
        counts.append(int(rng.negative_binomial(20, 20 / (20 + lam))))
    return mondays, counts
