"""Erasing the content of answer records (GDPR art. 17, retention) without breaking the chain.

A record made since migration 41 keeps its hash, `content_sha256` and metadata (time, kind, status,
model); its username, question, answer and payload are emptied, or replaced by an anonymised text.
One chained record of kind "erasure" names the ids and the reason, so `verify_chain` still passes and
shows where content went. Records made before migration 41 can be erased too; of those only the links
stay checkable (see appliance.audit.log).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import col, select

from appliance.audit.log import _append, _now, canonical
from appliance.context import Appliance
from appliance.db.engine import write_session
from appliance.db.tables import AnswerRecord
from appliance.errors import BelfortError

MODES = ("delete", "anonymise")


def _blank(rec: AnswerRecord, mode: str, mask: Callable[[str], str] | None) -> None:
    rec.username = ""
    if mode == "anonymise" and mask is not None:
        rec.question, rec.answer = mask(rec.question), mask(rec.answer)
    else:
        rec.question = rec.answer = ""
    rec.payload = "{}"


def erase_answer_records(app: Appliance, actor: str, ids: Sequence[int], *, reason: str, mode: str = "delete",
                         mask: Callable[[str], str] | None = None, basis: str = "request") -> list[int]:
    """Erase the content of records `ids` (erasure records themselves excepted); returns the ids erased.
    `basis` says why: "request" (art. 17) or "retention"."""
    if mode not in MODES:
        raise BelfortError("audit.bad_erasure_mode", f"unknown mode '{mode[:20]}'", hint=", ".join(MODES))
    if not reason.strip():
        raise BelfortError("audit.erasure_reason", "an erasure needs a reason", hint="say why, e.g. the request number")
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return []
    done: list[int] = []
    with write_session(app.db) as session:
        rows = session.exec(select(AnswerRecord).where(col(AnswerRecord.id).in_(wanted))).all()
        at = _now()
        for rec in rows:
            if rec.kind == "erasure" or rec.erased_at:
                continue
            _blank(rec, mode, mask)
            rec.erased_at = at
            session.add(rec)
            done.append(int(rec.id or 0))
        if done:
            details: dict[str, Any] = {"ids": done, "reason": reason[:500], "mode": mode, "basis": basis}
            _append(session, AnswerRecord(at=at, kind="erasure", username=actor, status=basis,
                                          payload=canonical(details)))
    return done
