"""What every keyword index is (appliance.index.keywords picks one by the store's dialect): the
interface, the row it indexes and FTS5's BM25 constants, which the PostgreSQL back end reuses.

A row to index is (chunk id, collection id, analysed terms, scope text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from appliance.index.acl import ReadScope

KeywordRow = tuple[int, int, str, str]

K1, B = 1.2, 0.75  # FTS5's bm25() constants: the PostgreSQL back end uses the same


class KeywordIndex(Protocol):
    """What search, the sync and the permission refresh need from a keyword index."""

    def write(self, session: Any, rows: Sequence[KeywordRow], delete_ids: Sequence[int]) -> None:
        """Delete `delete_ids`, then index `rows` (a row's id may be among the deleted: replaced)."""

    def clear(self, session: Any) -> None:
        """Empty the index (reindex)."""

    def indexed_ids_sql(self) -> str:
        """A SELECT of one column: the ids of the indexed chunks (for set comparisons in SQL)."""

    def set_scopes(self, session: Any, scopes: dict[int, str]) -> None:
        """Rewrite the scope text of indexed chunks (their document's readers changed)."""

    def rank(self, session: Any, scope: ReadScope, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score, higher is better) of the best `n` readable chunks matching any term;
        `terms` may repeat a term (its query frequency)."""

    def count(self, session: Any, scope: ReadScope, terms: Sequence[str] | None = None) -> int:
        """Readable chunks matching any of `terms` (every readable chunk when None)."""

    def counts(self, session: Any, scope: ReadScope, groups: Sequence[Sequence[str]]) -> list[int]:
        """`count` for each group of terms (one round trip where the store allows)."""

    def term_counts(self, session: Any, chunk_ids: Sequence[int], terms: Sequence[str]
                    ) -> dict[int, tuple[int, dict[str, int]]]:
        """chunk id -> (its number of indexed terms, the frequency of each of `terms` in it), for the
        indexed chunks among `chunk_ids` (the caller has checked that they are readable)."""
