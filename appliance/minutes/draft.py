"""Draft minutes from a (corrected) transcript: per agenda item a summary, decisions, actions.

transcript segments (numbered [S1..Sn]) + agenda -> parts of the meeting per agenda item (or windows
that fit the model's context when there is no agenda) -> LLM with a JSON schema per window ->
verification of every item (appliance.minutes.verify): cited segments exist, the text is
supported by them, owners come from the attendee list, deadlines are dates, votes were said ->
Minutes + MinutesItems (times from the cited segments) -> AuditEvent "minutes.drafted".

The draft is AI-made until a person approves it (appliance.minutes.review). When the model
gives nothing usable the Minutes are `failed` with the reason; the transcript is never touched.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from appliance.access import SYSTEM, Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Minutes, MinutesItem, TranscriptSegment
from appliance.errors import BelfortError
from appliance.minutes import prompts as mp
from appliance.minutes.agenda import (
    AgendaItem,
    Part,
    agenda_from_document,
    agenda_from_items,
    parse_agenda,
    split_by_agenda,
)
from appliance.minutes.rule_items import rule_decisions
from appliance.minutes.verify import check_support, check_vote, copies_transcript, match_owner, parse_deadline
from appliance.recordings import normalise_asr_text as normalise
from models.base import LLM, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_TOKENS = 320  # per window: up to MAX_ITEMS short items
TEMPERATURE = 0.0
WINDOW_TOKENS = 1500  # transcript tokens per prompt (prompt time dominates on a 2-core CPU)
PROMPT_OVERHEAD = 96  # chat template tokens
MAX_ATTENDEES = 100
MAX_SPLITS = 2  # a window the model cannot finish is halved at most twice (7 calls at most, not 31)
KIND_ORDER = {"summary": 0, "decision": 1, "action": 2}

Agenda = str | int | Sequence[AgendaItem | dict[str, Any] | str] | None
ProgressCallback = Callable[[float], None]


@dataclass
class _Window:
    part: Part
    first: int  # segment indexes [first, last)
    last: int


@dataclass
class _Run:
    items: list[MinutesItem] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "part 2/5: llm.busy": shown with the draft
    recovered: list[str] = field(default_factory=list)  # "part 2/5: truncated, halved": audit only
    ruled: set[int] = field(default_factory=set)  # agenda numbers (or segment ids) with a decision by rule
    windows: int = 0
    usable_windows: int = 0
    flags: Counter[str] = field(default_factory=Counter)
    dropped: Counter[str] = field(default_factory=Counter)
    generated_tokens: int = 0
    max_tokens: int = MAX_TOKENS


def resolve_agenda(app: Appliance, who: Principal, agenda: Agenda) -> list[AgendaItem]:
    """Text (one item per line), an ingested document's id, or a list of titles / {number, title}."""
    if agenda is None or agenda == "":
        return []
    if isinstance(agenda, int):
        return agenda_from_document(app, who, agenda)
    if isinstance(agenda, str):
        return parse_agenda(agenda)
    return agenda_from_items([a.as_dict() if isinstance(a, AgendaItem) else a for a in agenda])


def _transcript(app: Appliance, who: Principal, recording_id: int) -> list[TranscriptSegment]:
    from appliance.recordings import get_visible

    rec = get_visible(app, who, recording_id)  # NotFound, also for a recording `who` may not see
    if rec.state != "done":
        raise BelfortError("minutes.transcript_unfinished", f"recording {recording_id} is {rec.state}",
                           hint="draft the minutes once transcription has finished", status=409)
    with read_session(app.db) as s:
        rows = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == recording_id)
                      .order_by(col(TranscriptSegment.start), col(TranscriptSegment.id))).all()
    segs = [r for r in rows if r.text.strip()]
    if not segs:
        raise BelfortError("minutes.empty_transcript", f"recording {recording_id} has no transcript text",
                           hint="check the recording: no speech was recognised", status=422)
    return segs


def _with_vocabulary(app: Appliance, recording_id: int, agenda: list[AgendaItem],
                     attendees: Sequence[str]) -> tuple[list[AgendaItem], Sequence[str]]:
    """The agenda and attendees given, else those kept with the recording before transcription."""
    if agenda and attendees:
        return agenda, attendees
    from appliance.recordings import vocabulary_of

    known_agenda, known_names, _ = vocabulary_of(app, recording_id)
    return agenda or agenda_from_items(known_agenda), attendees or known_names


def _language(segs: Sequence[TranscriptSegment]) -> str:
    counts = Counter(s.language for s in segs if s.language)
    lang = counts.most_common(1)[0][0] if counts else "nl"
    return lang if lang in mp.SYSTEM else "nl"


def _counter(engine: LLM) -> Callable[[str], int]:
    count = getattr(engine, "count_tokens", None)
    return count if callable(count) else (lambda text: len(text) // 3 + 1)


def _windows(parts: Sequence[Part], lines: Sequence[str], budget: int, count: Callable[[str], int]) -> list[_Window]:
    """Each part in windows of at most `budget` transcript tokens (a long item is split)."""
    out: list[_Window] = []
    for part in parts:
        first, used = part.first, 0
        for i in range(part.first, part.last):
            n = count(lines[i]) + 1
            if used and used + n > budget:
                out.append(_Window(part, first, i))
                first, used = i, 0
            used += n
        if part.last > first:
            out.append(_Window(part, first, part.last))
    return out


def draft_minutes(
    app: Appliance, recording_id: int, *, agenda: Agenda = None, attendees: Sequence[str] = (),
    title: str = "", meeting_date: str = "", body: str = "", llm: LLM | None = None,
    who: Principal = SYSTEM, progress_cb: ProgressCallback | None = None, max_tokens: int = MAX_TOKENS,
    rules: bool = True, use_model: bool = True,
) -> Minutes:
    """Draft the minutes of a transcribed recording; see the module docstring. Returns the stored
    Minutes: state `draft` (possibly with `error` naming parts that failed) or `failed`. `rules`:
    votes and outcomes said aloud become decisions by rule first (off: the model alone drafts);
    `use_model` False: the rules alone."""
    started = time.perf_counter()
    segs = _transcript(app, who, recording_id)
    items_agenda, attendees = _with_vocabulary(app, recording_id, resolve_agenda(app, who, agenda), attendees)
    people = [" ".join(a.split())[:200] for a in attendees if a and a.strip()][:MAX_ATTENDEES]
    if meeting_date and not parse_deadline(meeting_date):
        raise BelfortError("minutes.bad_date", f"'{meeting_date[:40]}' is not a date", hint="use YYYY-MM-DD")
    meeting_date = parse_deadline(meeting_date) if meeting_date else ""
    engine = (llm if llm is not None else app.llm) if use_model else None
    with write_session(app.db) as s:
        minutes = Minutes(recording_id=recording_id, title=title[:300], body=body[:100], meeting_date=meeting_date,
                          agenda=[a.as_dict() for a in items_agenda], attendees=people, state="drafting",
                          model=getattr(engine, "name", ""), model_sha256=getattr(engine, "sha256", ""),
                          prompt_version=mp.PROMPT_VERSION, created_by=who.username)
        s.add(minutes)
        s.flush()
        minutes_id = int(minutes.id or 0)
    run = _Run()
    language = _language(segs)
    if rules:
        _add_rule_decisions(run, segs, items_agenda, language)
    if engine is None and not use_model:
        return _finish(app, who, minutes_id, run, started, error="" if run.items else "no decision said aloud")
    if engine is None:
        status = app.llm_status()
        return _finish(app, who, minutes_id, run, started,
                       error=f"no language model: {status.get('code', 'llm.unavailable')}: {status.get('message', '')}")
    lines = [mp.segment_line(i, s.start, s.text, s.speaker) for i, s in enumerate(segs, start=1)]
    count = _counter(engine)
    n_ctx = int(getattr(engine, "n_ctx", 4096) or 4096)
    fixed = count(mp.build_messages([], items_agenda, people, language)[0].content) + \
        count("\n".join(f"{a.number}. {a.title}" for a in items_agenda) + ", ".join(people))
    budget = max(200, min(WINDOW_TOKENS, n_ctx - max_tokens - PROMPT_OVERHEAD - fixed))
    windows = _windows(split_by_agenda(items_agenda, [s.text for s in segs]), lines, budget, count)
    run.windows = len(windows)
    try:
        for k, win in enumerate(windows, start=1):
            _draft_window(app, engine, win, k, len(windows), segs, lines, people, language, meeting_date, run,
                          max_tokens)
            if progress_cb is not None:
                progress_cb(k / len(windows))
    except BaseException as exc:  # a crash or a stopped worker: the draft must not stay 'drafting'
        run.problems.append(f"stopped: {type(exc).__name__}")
        _finish(app, who, minutes_id, run, started, error="drafting stopped: " + type(exc).__name__)
        raise
    error = ""
    if not run.usable_windows and not run.items:
        error = "the language model returned nothing usable: " + "; ".join(run.problems[:5])
    run.max_tokens = max_tokens
    return _finish(app, who, minutes_id, run, started, error=error)


def _add_rule_decisions(run: _Run, segs: Sequence[TranscriptSegment], agenda: Sequence[AgendaItem],
                        language: str) -> None:
    """Votes and outcomes said aloud, as decisions with their counts, before the model drafts."""
    found = rule_decisions(segs, agenda, language)
    run.items.extend(found)
    for it in found:
        run.ruled.update([it.agenda_number] if it.agenda_number else [-i for i in it.segment_ids])
    run.flags["from_rules"] += len(found)


def _ask(app: Appliance, engine: LLM, lines: Sequence[str], win: _Window, people: Sequence[str], language: str,
         max_tokens: int, run: _Run) -> tuple[list[dict[str, Any]], str]:
    """The model's items for these lines and a problem: '' | truncated | overflow | a model error code."""
    numbers = [a.number for a in win.part.items]
    messages = mp.build_messages(lines, win.part.items, people, language)
    pieces: list[str] = []
    stream: Any = None
    try:
        stream = engine.stream(messages, max_tokens=max_tokens, temperature=TEMPERATURE,
                               json_schema=mp.schema(numbers), timeout=app.settings.llm.timeout_seconds)
        pieces.extend(stream)
    except ModelError as exc:
        return [], "overflow" if "context" in exc.code else exc.code
    except ValueError as exc:  # llama.cpp: "Requested tokens (n) exceed context window of m"
        if "context" not in str(exc):
            raise
        return [], "overflow"
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()
    run.generated_tokens += len(pieces)
    items, problem = mp.parse_items("".join(pieces))
    return items, problem


def _draft_window(app: Appliance, engine: LLM, win: _Window, k: int, n: int, segs: Sequence[TranscriptSegment],
                  lines: Sequence[str], people: Sequence[str], language: str, meeting_date: str,
                  run: _Run, max_tokens: int, depth: int = 0) -> None:
    """Draft one window; an answer cut off by the token limit or a prompt over the context is drafted
    again in two halves (each resumes where the other stopped), so nothing is left truncated."""
    raw_items, problem = _ask(app, engine, lines[win.first:win.last], win, people, language, max_tokens, run)
    if problem in ("truncated", "overflow") and win.last - win.first > 1 and depth < MAX_SPLITS:
        run.recovered.append(f"part {k}/{n}: {problem}, halved")
        mid = (win.first + win.last) // 2
        for half in (_Window(win.part, win.first, mid), _Window(win.part, mid, win.last)):
            _draft_window(app, engine, half, k, n, segs, lines, people, language, meeting_date, run, max_tokens,
                          depth + 1)
        return
    if problem == "truncated":  # one segment still too long to answer: its complete items are kept
        run.recovered.append(f"part {k}/{n}: truncated, complete items kept")
        problem = ""
    elif problem == "overflow":
        problem = "the transcript part does not fit the model's context"
    if problem:
        run.problems.append(f"part {k}/{n}: {problem}")
    shown = {i + 1: segs[i].text for i in range(win.first, win.last)}
    kept = [it for it in (_verify(raw, win, shown, segs, people, meeting_date, run) for raw in raw_items) if it]
    if kept:
        run.usable_windows += 1
        run.items.extend(kept)
    elif not problem:
        run.problems.append(f"part {k}/{n}: no items")


def _verify(raw: dict[str, Any], win: _Window, shown: dict[int, str], segs: Sequence[TranscriptSegment],
            people: Sequence[str], meeting_date: str, run: _Run) -> MinutesItem | None:
    kind = raw.get("kind")
    text = " ".join(str(raw.get("text") or "").split())[:mp.MAX_TEXT_CHARS * 2]
    if kind not in KIND_ORDER or not text:
        run.dropped["malformed"] += 1
        return None
    verdict = check_support(text, mp.as_int_list(raw.get("segments")), shown)
    flags = list(verdict.flags)
    if "empty_text" in flags:
        run.dropped["empty_text"] += 1
        return None
    cited = [segs[n - 1] for n in sorted(verdict.segment_numbers)]
    if kind == "summary" and copies_transcript(text, [s.text for s in cited] or list(shown.values())):
        run.dropped["copied_transcript"] += 1  # a summary that repeats (garbled) speech says nothing new
        return None
    if kind == "decision" and _ruled(raw, win, cited, run):
        run.dropped["decision_found_by_rule"] += 1
        return None
    owner = deadline = ""
    if kind == "action":
        said_owner = " ".join(str(raw.get("owner") or "").split())
        owner = match_owner(said_owner, people)
        if said_owner and not owner:
            flags.append("owner_cleared")
        said_deadline = str(raw.get("deadline") or "").strip()
        deadline = parse_deadline(said_deadline, meeting_date)
        if said_deadline and not deadline:
            flags.append("deadline_cleared")
    vote: dict[str, int] = {}
    if kind == "decision":
        vote, vote_dropped = check_vote(raw.get("vote"), " ".join(s.text for s in cited))
        if vote_dropped:
            flags.append("vote_cleared")
    agenda = win.part.items
    chosen = next((a for a in agenda if a.number == raw.get("agenda")), agenda[0] if agenda else None)
    run.flags.update(flags)
    return MinutesItem(
        minutes_id=0, kind=kind, agenda_number=chosen.number if chosen else 0,
        agenda_title=chosen.title if chosen else "", text=text, vote=vote, owner=owner, deadline=deadline,
        segment_ids=[s.id for s in cited if s.id is not None],
        start=min((s.start for s in cited), default=0.0), end=max((s.end for s in cited), default=0.0),
        support=round(verdict.support, 3), supported=verdict.supported, flags=flags, source="ai",
    )


def _ruled(raw: dict[str, Any], win: _Window, cited: Sequence[TranscriptSegment], run: _Run) -> bool:
    """A decision of an agenda item (or, without an agenda, of a segment) already found by rule."""
    agenda = win.part.items
    if agenda:
        chosen = next((a for a in agenda if a.number == raw.get("agenda")), agenda[0])
        return chosen.number in run.ruled
    return any(-(s.id or 0) in run.ruled for s in cited)


def _ordered(items: list[MinutesItem], agenda: list[dict[str, Any]]) -> list[MinutesItem]:
    """Reading order: agenda order, then summary/decisions/actions, then time; exact repeats dropped."""
    rank = {a.get("number"): i for i, a in enumerate(agenda)}
    seen: set[tuple[str, str]] = set()
    out = []
    for it in sorted(items, key=lambda i: (rank.get(i.agenda_number, len(rank)), KIND_ORDER[i.kind], i.start)):
        key = (it.kind, normalise(it.text))
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _finish(app: Appliance, who: Principal, minutes_id: int, run: _Run, started: float, *, error: str) -> Minutes:
    with write_session(app.db) as s:
        minutes = s.get(Minutes, minutes_id)
        assert minutes is not None
        items = _ordered(run.items, minutes.agenda)
        for ordinal, it in enumerate(items, start=1):
            it.minutes_id, it.ordinal = minutes_id, ordinal
            s.add(it)
        failed = not items
        minutes.state = "failed" if failed else "draft"
        if failed and not error:
            error = "the language model returned nothing usable: " + ("; ".join(run.problems[:5]) or "no items")
        minutes.error = (error or ("; ".join(run.problems[:10]) if run.problems else ""))[:1000]
        s.add(minutes)
        kinds = Counter(i.kind for i in items)
        s.add(AuditEvent(actor=who.username, action="minutes.drafted", target=f"minutes:{minutes_id}", detail={
            "recording_id": minutes.recording_id, "state": minutes.state, "error": minutes.error,
            "model": minutes.model, "model_sha256": minutes.model_sha256, "prompt_version": mp.PROMPT_VERSION,
            "agenda_items": len(minutes.agenda), "attendees": len(minutes.attendees),
            "windows": run.windows, "usable_windows": run.usable_windows, "problems": run.problems[:20],
            "recovered": run.recovered[:20],
            "items": len(items), "summaries": kinds["summary"], "decisions": kinds["decision"],
            "actions": kinds["action"], "unsupported": sum(not i.supported for i in items),
            "flags": dict(run.flags), "dropped": dict(run.dropped),
            "parameters": {"max_tokens": run.max_tokens, "temperature": TEMPERATURE, "window_tokens": WINDOW_TOKENS},
            "generated_pieces": run.generated_tokens, "latency_s": round(time.perf_counter() - started, 3),
        }))
        s.flush()
        s.refresh(minutes)
        return minutes


def is_ai_made(minutes: Minutes) -> bool:
    """Every draft is AI-made until a person approves it."""
    return minutes.state != "approved"
