"""Minutes evaluation: decision recall and the share of drafted items their segments do not support.

Input (JSON): {"transcript": [{"start", "end", "text", "speaker"?}, ...] or "recording": audio path,
"agenda": [...], "attendees": [...], "meeting_date"?, "decisions": ["known decision", ...]}.
The transcript goes through the real pipeline (stored as a recording in a throw-away appliance,
drafted by `draft_minutes`, verified there).

Matching (one measure): a known decision is found when a drafted item of kind `decision` matches
it with a score of at least `MATCH_THRESHOLD`, the score being the F1 of the two lexical coverages
of Ask's citation measure (share of the known decision's stemmed content words found in the
drafted text, and share of the drafted text's words found in the known decision). Each drafted
decision matches at most one known decision (best pairs first).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from appliance.ask import PassageTerms, lexical_support
from appliance.context import Appliance, open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import Recording, TranscriptSegment, utcnow
from appliance.errors import BelfortError
from appliance.settings import Settings
from models.base import LLM, Transcriber

MATCH_THRESHOLD = 0.4


def store_transcript(app: Appliance, segments: Sequence[dict[str, Any]], *, name: str = "transcript.json",
                     language: str = "nl") -> int:
    """A finished recording holding these segments (a transcript made elsewhere); its id."""
    rows = [s for s in segments if str(s.get("text", "")).strip()]
    if not rows:
        raise BelfortError("minutes.empty_transcript", "the transcript has no segments with text")
    duration = max(float(s.get("end", 0.0)) for s in rows)
    with write_session(app.db) as s:
        rec = Recording(sha256="", source_name=name[:200], duration=duration, chunk_seconds=max(duration, 1.0),
                        n_chunks=1, chunks_done=1, language=language, model="imported", state="done",
                        finished_at=utcnow())
        s.add(rec)
        s.flush()
        for seg in rows:
            s.add(TranscriptSegment(recording_id=rec.id or 0, chunk=0, start=float(seg.get("start", 0.0)),
                                    end=float(seg.get("end", 0.0)), text=str(seg["text"]).strip(),
                                    language=str(seg.get("language", language)), speaker=str(seg.get("speaker", ""))))
        return int(rec.id or 0)


def match_score(known: str, drafted: str) -> float:
    recall, _ = lexical_support(known, [PassageTerms(drafted)])
    precision, _ = lexical_support(drafted, [PassageTerms(known)])
    return 2 * recall * precision / (recall + precision) if recall + precision else 0.0


def match_decisions(known: Sequence[str], drafted: Sequence[str],
                    threshold: float = MATCH_THRESHOLD) -> list[tuple[int, int, float]]:
    """(known index, drafted index, score) pairs, one-to-one, best scores first."""
    scores = sorted(((match_score(k, d), i, j) for i, k in enumerate(known) for j, d in enumerate(drafted)),
                    reverse=True)
    used_k: set[int] = set()
    used_d: set[int] = set()
    pairs = []
    for score, i, j in scores:
        if score < threshold:
            break
        if i in used_k or j in used_d:
            continue
        used_k.add(i)
        used_d.add(j)
        pairs.append((i, j, round(score, 3)))
    return pairs


def _same_vote(known: dict[str, int], drafted: dict[str, int]) -> bool:
    """The counts agree; a count of 0 may go unsaid ("eenparig ... twintig stemmen voor")."""
    keys = ("for", "against", "abstain")
    return all(int(known.get(k, 0)) == int(drafted.get(k, 0)) for k in keys)


def evaluate_minutes(app: Appliance, data: dict[str, Any], *, llm: LLM | None,
                     transcriber: Transcriber | None = None, rules: bool = True) -> dict[str, Any]:
    """Draft minutes for one eval case inside `app` and score them."""
    from appliance.minutes import draft_minutes, get_minutes

    started = time.perf_counter()
    if data.get("transcript"):
        recording_id = store_transcript(app, data["transcript"], language=data.get("language", "nl"))
    elif data.get("recording"):
        from appliance.recordings import transcribe_recording

        recording_id = transcribe_recording(app, Path(data["recording"]), transcriber=transcriber,
                                            language=data.get("language", "nl")).recording_id
    else:
        raise BelfortError("eval.bad_file", "the eval file needs 'transcript' or 'recording'")
    transcribed = time.perf_counter() - started
    minutes = draft_minutes(app, recording_id, agenda=data.get("agenda") or None,
                            attendees=data.get("attendees") or (), meeting_date=data.get("meeting_date", ""),
                            title=data.get("title", ""), llm=llm, rules=rules, use_model=llm is not None)
    _, items = get_minutes(app, minutes.id or 0)
    known = [str(d) for d in data.get("decisions", [])]
    decided = [i for i in items if i.kind == "decision"]
    drafted = [i.text for i in decided]
    pairs = match_decisions(known, drafted)
    votes = data.get("votes") or []  # optional: the known counts, one per known decision
    votes_right = sum(1 for i, j, _ in pairs if i < len(votes) and _same_vote(votes[i], decided[j].vote))
    unsupported = sum(not i.supported for i in items)
    return {
        "decisions_expected": len(known), "decisions_found": len(pairs),
        "decision_recall": round(len(pairs) / len(known), 4) if known else None,
        "items": len(items), "unsupported_items": unsupported,
        "unsupported_rate": round(unsupported / len(items), 4) if items else None,
        "votes_known": len(votes), "votes_right": votes_right if votes else None,
        "latency_s": round(time.perf_counter() - started, 2), "transcribe_s": round(transcribed, 2),
        "model": minutes.model, "state": minutes.state, "error": minutes.error,
        "kinds": {k: sum(i.kind == k for i in items) for k in ("summary", "decision", "action")},
        "match_threshold": MATCH_THRESHOLD,
        "matches": [{"expected": known[i][:120], "drafted": drafted[j][:120], "score": s} for i, j, s in pairs],
    }


def run_minutes_eval(paths: Sequence[Path], settings: Settings, llm: LLM | None, *,
                     transcriber: Transcriber | None = None, cases: Sequence[dict[str, Any]] = (),
                     rules: bool = True) -> dict[str, Any]:
    """Each file (and each case given as data) in its own throw-away appliance; per-file results
    and totals. With `llm` None the decisions come from the rules alone."""
    from appliance.evaluation.retrieval import eval_settings
    from models.fakes import FakeEmbedder

    named = [(Path(p).name, json.loads(Path(p).read_text("utf-8"))) for p in paths]
    named += [(str(c.get("name", f"case-{i}")), c) for i, c in enumerate(cases, start=1)]
    results = []
    for name, data in named:
        with tempfile.TemporaryDirectory(prefix="belfort-eval-minutes-") as tmp:
            app = open_appliance(eval_settings(settings, Path(tmp)), embedder=FakeEmbedder(),
                                 transcriber=transcriber)
            result = evaluate_minutes(app, data, llm=llm, transcriber=transcriber, rules=rules)
            app.db.dispose()
        results.append({"file": name, **result})
    expected = sum(r["decisions_expected"] for r in results)
    found = sum(r["decisions_found"] for r in results)
    items = sum(r["items"] for r in results)
    unsupported = sum(r["unsupported_items"] for r in results)
    votes_known = sum(r["votes_known"] for r in results)
    return {
        "votes_known": votes_known, "votes_right": sum(r["votes_right"] or 0 for r in results) if votes_known else None,
        "decisions_expected": expected, "decisions_found": found,
        "decision_recall": round(found / expected, 4) if expected else None,
        "items": items, "unsupported_items": unsupported,
        "unsupported_rate": round(unsupported / items, 4) if items else None,
        "latency_s": round(sum(r["latency_s"] for r in results), 2),
        "model": getattr(llm, "name", "none (rules only)"), "rules": rules, "match_threshold": MATCH_THRESHOLD,
        "files": results,
    }
