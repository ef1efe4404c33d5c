"""Themes and trends: the readable entries of a window clustered by meaning, per period.

The entries are embedded with the appliance's embedder (e5 in production; vectors are cached by text
hash) and grouped by agglomerative clustering (average linkage over cosine distance, a fixed
distance threshold): no random start, so the same entries give the same themes on every run. A
theme's key is its earliest entry, so it stays the same while newer entries join.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from appliance.access import SYSTEM, Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.insight.labels import label_clusters
from appliance.insight.sources import Entry, readable_entries
from appliance.storage.files import atomic_writer
from appliance.storage.layout import DataLayout
from appliance.triage import Taxonomy, active_taxonomy
from models.base import Embedder

PERIODS = ("week", "month")
EXAMPLES = 5
RISING_MIN = 3
RISING_P = 0.05
PLACES = 15  # districts and streets in the report's overview
TOP = 5  # departments, streets and districts shown per theme


@dataclass
class Theme:
    key: str
    label: str
    size: int
    volume: list[int]  # per period of the report, oldest first
    growth: float | None  # latest period against the mean of the earlier ones
    rising: bool
    departments: list[tuple[str, int]]
    streets: list[tuple[str, int]]
    districts: list[tuple[str, int]]
    examples: list[dict[str, str]]  # {ref, kind, title, at, link}: readable entries only


@dataclass
class ThemeReport:
    period: str
    periods: list[str]  # period keys, oldest first
    since: str
    until: str
    entries: int = 0
    ungrouped: int = 0  # entries in no theme (a group smaller than min_theme_size)
    truncated: bool = False  # more entries than insight.max_entries: the newest were kept
    themes: list[Theme] = field(default_factory=list)
    districts: list[tuple[str, int]] = field(default_factory=list)  # over all readable entries
    streets: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def _previous(start: date, period: str) -> date:
    if period == "week":
        return start - timedelta(days=7)
    return (start - timedelta(days=1)).replace(day=1)


def period_keys(now: datetime, period: str, count: int) -> list[date]:
    """The starts of the `count` periods up to and including the one of `now`, oldest first."""
    if period not in PERIODS:
        raise BelfortError("insight.bad_period", f"unknown period '{period[:20]}'", hint="week or month")
    starts = [period_start(now.date(), period)]
    while len(starts) < count:
        starts.append(_previous(starts[-1], period))
    return starts[::-1]


# --- vectors ------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def embed_texts(app: Appliance, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Passage vectors of `texts`; known ones come from the cache in the data folder (per embedder id)."""
    folder = DataLayout.of(app.settings).insight_cache
    path = folder / f"vectors-{_digest(embedder.id)[:16]}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.exists():
        try:
            with np.load(path) as data:
                cache = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            cache = {}  # a damaged cache is rebuilt from the texts
    keys = [_digest(t) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
    if missing:
        vectors = np.asarray(embedder.embed_passages([t for _k, t in missing]), dtype=np.float32)
        cache.update({k: v for (k, _t), v in zip(missing, vectors, strict=True)})
        folder.mkdir(parents=True, exist_ok=True)
        with atomic_writer(path, "wb") as fh:
            np.savez(fh, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    if not texts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    return np.stack([cache[k] for k in keys]).astype(np.float32)


def centred(vectors: np.ndarray) -> np.ndarray:
    """Rows minus their mean, L2-normalised again. e5 vectors share one large common direction (any two
    texts are 0.8-0.9 similar); without it the distances between topics spread over the whole range."""
    if len(vectors) < 2:
        return vectors
    shifted = vectors - vectors.mean(axis=0, keepdims=True)
    norms = np.linalg.norm(shifted, axis=1, keepdims=True)
    return np.asarray(shifted / np.where(norms > 0, norms, 1.0), dtype=np.float64)


def cluster(vectors: np.ndarray, distance: float, min_size: int) -> list[list[int]]:
    """Groups of row indices (each sorted, groups by their first row); groups under `min_size` are left out.
    Average linkage over the cosine distance of the centred vectors, cut at `distance`."""
    if len(vectors) < max(min_size, 2):
        return [list(range(len(vectors)))] if len(vectors) >= min_size > 0 else []
    from sklearn.cluster import AgglomerativeClustering

    points = centred(np.asarray(vectors, dtype=np.float64))
    if not np.linalg.norm(points, axis=1).all():  # identical texts: nothing to tell apart
        return [list(range(len(vectors)))] if len(vectors) >= min_size else []
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=distance).fit_predict(points)
    groups: dict[int, list[int]] = {}
    for row, lab in enumerate(labels.tolist()):
        groups.setdefault(int(lab), []).append(row)
    return sorted((g for g in groups.values() if len(g) >= min_size), key=lambda g: g[0])


# --- the report ----------------------------------------------------------------------------------


def _growth(volume: list[int]) -> tuple[float | None, bool]:
    """Growth of the latest period against the mean of the earlier ones; rising when it is at least half
    again as big, has at least RISING_MIN entries and is unlikely under the earlier rate (Poisson
    tail below RISING_P): a theme going from 1 to 2 items is noise, not a trend."""
    if len(volume) < 2:
        return None, False
    from scipy.stats import poisson

    before = sum(volume[:-1]) / (len(volume) - 1)
    growth = round((volume[-1] - before) / max(before, 1.0), 3)
    surprise = float(poisson.sf(volume[-1] - 1, max(before, 0.5)))
    return growth, volume[-1] >= RISING_MIN and growth >= 0.5 and surprise < RISING_P


def _link(entry: Entry, who: Principal) -> str:
    if entry.kind == "item":
        return f"/triage/items/{entry.id}"
    if entry.kind == "question":
        return f"/ask/answer/{entry.id}"
    return f"/admin/audit/{entry.id}" if who.is_admin else ""


def _top(values: list[str], n: int = TOP) -> list[tuple[str, int]]:
    return sorted(Counter(v for v in values if v).items(), key=lambda p: (-p[1], p[0]))[:n]


def _theme(members: list[Entry], label: str, starts: list[date], period: str, who: Principal) -> Theme:
    index = {s: i for i, s in enumerate(starts)}
    volume = [0] * len(starts)
    for e in members:
        volume[index[period_start(e.at.date(), period)]] += 1
    growth, rising = _growth(volume)
    newest = sorted(members, key=lambda e: (e.at, e.ref), reverse=True)[:EXAMPLES]
    return Theme(key=members[0].ref.replace(":", "-"), label=label, size=len(members), volume=volume,
                 growth=growth, rising=rising, departments=_top([e.department for e in members]),
                 streets=_top([e.street for e in members]), districts=_top([e.district for e in members]),
                 examples=[{"ref": e.ref, "kind": e.kind, "title": e.title, "at": e.at.date().isoformat(),
                            "link": _link(e, who)} for e in newest])


def warm_vectors(app: Appliance, *, weeks: int = 26, now: datetime | None = None) -> int:
    """Embed the entries of the last `weeks` weeks that have no cached vector yet (a periodic job), so a
    themes page never waits for the embedder; returns how many entries there are. Nothing is shown."""
    now = now or datetime.now(UTC)
    try:
        taxonomy: Taxonomy | None = active_taxonomy(app.settings)
    except BelfortError:
        taxonomy = None
    entries = readable_entries(app, SYSTEM, now - timedelta(weeks=weeks), now, taxonomy)
    entries = entries[-app.settings.insight.max_entries:]
    embed_texts(app, app.embedder, [e.text for e in entries])
    return len(entries)


def build_themes(app: Appliance, who: Principal, *, period: str = "week", periods: int = 8,
                 now: datetime | None = None, taxonomy: Taxonomy | None = None,
                 embedder: Embedder | None = None) -> ThemeReport:
    """The themes of the last `periods` periods, from the entries `who` may read, biggest first."""
    now = now or datetime.now(UTC)
    starts = period_keys(now, period, max(1, min(periods, 104)))
    since = datetime.combine(starts[0], datetime.min.time(), tzinfo=UTC)
    cfg = app.settings.insight
    entries = readable_entries(app, who, since, now, taxonomy)
    report = ThemeReport(period=period, periods=[s.isoformat() for s in starts], since=since.isoformat(),
                         until=now.isoformat(), entries=len(entries))
    if len(entries) > cfg.max_entries:
        entries, report.truncated = entries[-cfg.max_entries:], True
    if not entries:
        return report
    report.districts = _top([e.district for e in entries], PLACES)
    report.streets = _top([e.street for e in entries], PLACES)
    vectors = embed_texts(app, embedder or app.embedder, [e.text for e in entries])
    groups = cluster(vectors, cfg.theme_distance, cfg.min_theme_size)
    labels = label_clusters([[entries[i].text for i in g] for g in groups])
    themes = [_theme([entries[i] for i in g], label, starts, period, who) for g, label in zip(groups, labels,
                                                                                              strict=True)]
    report.ungrouped = len(entries) - sum(t.size for t in themes)
    report.themes = sorted(themes, key=lambda t: (-t.size, t.key))
    return report
