"""Search results as a person reads them: one entry per document, its best passage first, the
document's other passages behind it. Only hits already found (so already permission-filtered) are
grouped: grouping never reads a passage of its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from appliance.search.query import Hit


@dataclass
class DocumentGroup:
    best: Hit
    more: list[Hit] = field(default_factory=list)

    @property
    def document_id(self) -> int:
        return self.best.document_id

    @property
    def relevant(self) -> bool:
        return any(h.relevant for h in (self.best, *self.more))


def group_by_document(hits: list[Hit], max_groups: int) -> list[DocumentGroup]:
    """Hits (best first) -> at most `max_groups` documents in the order of their best hit."""
    groups: dict[int, DocumentGroup] = {}
    for hit in hits:
        group = groups.get(hit.document_id)
        if group is not None:
            group.more.append(hit)
        elif len(groups) < max_groups:
            groups[hit.document_id] = DocumentGroup(hit)
    return list(groups.values())


@dataclass
class GroupedResult:
    """What the search page lists. `state`: relevant (some passage holds the query's key words),
    partial (none holds enough of them, some hold a few: only those are listed), none (no passage
    shares a content word: nothing is listed unless the person asks for the nearest ones)."""

    groups: list[DocumentGroup]
    state: str
    hidden: int = 0  # documents left out as unrelated; `closest=True` shows them


def _relevant_first(group: DocumentGroup) -> DocumentGroup:
    """The document's best relevant passage leads; the others follow in rank order."""
    ranked = [group.best, *group.more]
    lead = next(h for h in ranked if h.relevant)
    return DocumentGroup(lead, [h for h in ranked if h is not lead])


def readable_result(hits: list[Hit], *, max_groups: int, closest: bool = False) -> GroupedResult:
    groups = group_by_document(hits, max_groups)
    if any(g.relevant for g in groups):
        state, shown = "relevant", [_relevant_first(g) for g in groups if g.relevant]
    elif any(h.coverage > 0 for h in hits):
        state, shown = "partial", [g for g in groups if any(h.coverage > 0 for h in (g.best, *g.more))]
    else:
        state, shown = "none", []
    if closest:
        return GroupedResult(groups, state)
    return GroupedResult(shown, state, hidden=len(groups) - len(shown))
