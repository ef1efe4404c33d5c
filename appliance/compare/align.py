"""Align the units of two versions: identical text first, then the most similar pair (a bonus for the
same number or heading), then containment for split and merged articles; order changes are found as
the pairs outside the longest run that kept its order.

Similarity is RapidFuzz's ratio over the words; candidates come from an index of rare words (and the
unit with the same number), so a 400-page document costs a few comparisons per unit, not n × m.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from appliance.compare.articles import Unit

MIN_SIMILARITY = 60.0  # a pair below this is not the same article
SAME_NUMBER_BONUS = 8.0
MIN_CONTAINED = 90.0  # partial ratio for a split-off or merged-in part
MAX_PARTIAL_CHARS = 20_000  # above this, containment is judged by words alone
MAX_CANDIDATES = 12  # units compared per unit (by shared rare words)
RARE = 4  # a word in at most this many units is rare
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass
class Alignment:
    pairs: dict[int, int] = field(default_factory=dict)  # new index -> old index
    scores: dict[int, float] = field(default_factory=dict)  # new index -> similarity of its pair
    split_from: dict[int, int] = field(default_factory=dict)  # new unit -> old unit it was split off
    merged_into: dict[int, int] = field(default_factory=dict)  # old unit -> new unit it joined
    moved: set[int] = field(default_factory=set)  # new indices whose pair changed order


def words(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def align(old: Sequence[Unit], new: Sequence[Unit]) -> Alignment:
    a = Alignment()
    old_w, new_w = [words(u.text) for u in old], [words(u.text) for u in new]
    _exact(old, new, old_w, new_w, a)
    index = _rare_index(old_w, new_w)
    _similar(old, new, old_w, new_w, index, a)
    _contained(old_w, new_w, index, a)
    a.moved = _moved(a.pairs, [len(w.split()) + 1 for w in new_w])
    return a


def _exact(old: Sequence[Unit], new: Sequence[Unit], old_w: list[str], new_w: list[str], a: Alignment) -> None:
    by_text: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, u in enumerate(old):
        by_text[(u.kind, old_w[i] or u.label.lower())].append(i)
    # Same text and same label first, so that two identical short articles pair in place.
    for same_label in (True, False):
        taken = set(a.pairs.values())
        for j, u in enumerate(new):
            if j in a.pairs:
                continue
            for i in by_text.get((u.kind, new_w[j] or u.label.lower()), []):
                if i not in taken and (not same_label or old[i].label == u.label):
                    a.pairs[j], a.scores[j] = i, 100.0
                    taken.add(i)
                    break


def _rare_index(old_w: list[str], new_w: list[str]) -> dict[str, list[int]]:
    """rare word -> old units that have it."""
    df: Counter[str] = Counter()
    sets = [set(w.split()) for w in old_w]
    for s in sets + [set(w.split()) for w in new_w]:
        df.update(s)
    index: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sets):
        for w in s:
            if df[w] <= RARE and len(w) > 2:
                index[w].append(i)
    return index


def _candidates(j: int, text: str, index: dict[str, list[int]], near: Sequence[int]) -> list[int]:
    votes: Counter[int] = Counter()
    for w in set(text.split()):
        for i in index.get(w, ()):
            votes[i] += 1
    found = [i for i, _ in votes.most_common(MAX_CANDIDATES)]
    return found + [i for i in near if i not in votes]


def _similar(old: Sequence[Unit], new: Sequence[Unit], old_w: list[str], new_w: list[str],
             index: dict[str, list[int]], a: Alignment) -> None:
    free_old = [i for i in range(len(old)) if i not in set(a.pairs.values())]
    by_key: dict[str, list[int]] = defaultdict(list)
    for i in free_old:
        by_key[old[i].key].append(i)
    free_set = set(free_old)
    scored: list[tuple[float, int, int]] = []
    for j, u in enumerate(new):
        if j in a.pairs:
            continue
        near = by_key.get(u.key, []) + _neighbours(j, a.pairs, free_old)
        for i in _candidates(j, new_w[j], index, near):
            if i not in free_set or old[i].kind != u.kind:
                continue
            score = _score(old[i], u, old_w[i], new_w[j])
            if score >= MIN_SIMILARITY:
                scored.append((score, j, i))
    taken: set[int] = set()
    for score, j, i in sorted(scored, reverse=True):
        if j not in a.pairs and i not in taken:
            a.pairs[j], a.scores[j] = i, min(score, 99.9)
            taken.add(i)


def _score(o: Unit, n: Unit, ow: str, nw: str) -> float:
    if not ow and not nw:  # headings without a body: their labels say it
        return float(fuzz.ratio(o.label.lower(), n.label.lower()))
    score = float(fuzz.ratio(ow, nw))
    return score + SAME_NUMBER_BONUS if o.label == n.label and score >= MIN_SIMILARITY - SAME_NUMBER_BONUS else score


def _neighbours(j: int, pairs: dict[int, int], free_old: list[int]) -> list[int]:
    """The free old units between the old partners of j's nearest paired neighbours (in place edits)."""
    before = max((k for k in pairs if k < j), default=None)
    after = min((k for k in pairs if k > j), default=None)
    lo = pairs[before] if before is not None else -1
    hi = pairs[after] if after is not None else 1 << 30
    start = bisect.bisect_right(free_old, lo)
    return [i for i in free_old[start:start + 4] if i < hi]


def _contained(old_w: list[str], new_w: list[str], index: dict[str, list[int]], a: Alignment) -> None:
    """A new unit that is part of an old one was split off; an old unit inside a new one was merged."""
    paired_old = set(a.pairs.values())
    for j, text in enumerate(new_w):
        if j in a.pairs or not text:
            continue
        for i in _candidates(j, text, index, ()):
            if _part_of(text, old_w[i]):
                a.split_from[j] = i
                break
    new_index: dict[str, list[int]] = defaultdict(list)
    for j, text in enumerate(new_w):
        for w in set(text.split()):
            if w in index:  # rare words only
                new_index[w].append(j)
    for i, text in enumerate(old_w):
        if i in paired_old or not text:
            continue
        for j in _candidates(i, text, new_index, ()):
            if _part_of(text, new_w[j]):
                a.merged_into[i] = j
                break


def _part_of(part: str, whole: str) -> bool:
    """Whether `part` is (nearly) a passage of `whole`: nearly all its words are there, and for a whole
    of reasonable size the characters line up too (partial_ratio costs len(part) x len(whole))."""
    if not len(part) < len(whole):
        return False
    words = part.split()
    vocabulary = set(whole.split())
    inside = sum(w in vocabulary for w in words) / len(words)
    if inside < MIN_CONTAINED / 100:
        return False
    if len(whole) > MAX_PARTIAL_CHARS:
        return inside >= 0.97
    return fuzz.partial_ratio(part, whole) >= MIN_CONTAINED


def _moved(pairs: dict[int, int], weight: Sequence[int]) -> set[int]:
    """New indices whose old partners are outside the heaviest run that kept its order (a weighted
    longest increasing subsequence, weight = words): when article 10 moves behind 11 and 12, it is 10
    that moved, and a heading weighs less than an article. O(n log n) with a Fenwick tree of maxima."""
    order = sorted(pairs)
    size = max(pairs.values(), default=-1) + 2
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)  # (best weight, position in order) per prefix
    best: list[tuple[int, int]] = []
    for k, j in enumerate(order):
        v = pairs[j] + 1
        q, i = (0, -1), v - 1
        while i > 0:  # best chain ending at an old index below v
            q = max(q, tree[i])
            i -= i & -i
        best.append((q[0] + weight[j], q[1]))
        i = v
        while i <= size:
            tree[i] = max(tree[i], (best[k][0], k))
            i += i & -i
    keep: set[int] = set()
    k = max(range(len(best)), key=lambda x: best[x][0], default=-1)
    while k >= 0:
        keep.add(order[k])
        k = best[k][1]
    return {j for j in order if j not in keep}
