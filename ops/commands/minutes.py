"""`belfort minutes draft|show`: draft minutes from a transcribed recording, and read them.

`ops/commands/minutes_export.py` adds export and purge through `register_export(actions)`; other
modules may use `add_subcommand(name, help)`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ops.commands._common import appliance_from

_actions: argparse._SubParsersAction | None = None


def register(sub: argparse._SubParsersAction) -> None:
    global _actions
    parser = sub.add_parser("minutes", help="draft minutes from a transcript (AI-made until approved) and show them")
    _actions = parser.add_subparsers(dest="minutes_action", metavar="ACTION", required=True)

    d = add_subcommand("draft", "draft minutes of a transcribed recording with the local LLM")
    d.add_argument("recording_id", type=int, help="id of a finished recording (see `belfort transcribe`)")
    d.add_argument("--agenda", type=Path, help="text file with the agenda, one item per line ('1. Title')")
    d.add_argument("--agenda-document", type=int, help="id of an ingested document holding the agenda")
    d.add_argument("--attendees", default="", help='comma-separated names, e.g. "An Smet,Jan Peeters"')
    d.add_argument("--date", default="", help="meeting date YYYY-MM-DD (resolves 'next week' deadlines)")
    d.add_argument("--title", default="", help="title of the meeting")
    d.add_argument("--body", default="", help="the meeting body: gemeenteraad, college, ...")
    d.add_argument("--model", help="a .gguf file or model folder instead of the configured LLM")
    d.add_argument("--json", action="store_true", help="print the minutes as one JSON object")
    d.set_defaults(func=_draft)

    s = add_subcommand("show", "show drafted minutes with their items, flags and cited times")
    s.add_argument("minutes_id", type=int)
    s.add_argument("--json", action="store_true", help="print one JSON object")
    s.set_defaults(func=_show)

    _register_extensions()


def add_subcommand(name: str, help_text: str) -> argparse.ArgumentParser:
    """A new `belfort minutes NAME` sub-parser (for modules that extend this command)."""
    assert _actions is not None, "register() first"
    parser: argparse.ArgumentParser = _actions.add_parser(name, help=help_text)
    return parser


def _register_extensions() -> None:
    # Sub-commands owned by other modules (export, purge) add themselves to `belfort minutes`.
    import importlib

    for name, hook_name in (("ops.commands.minutes_export", "register_export"),
                            ("ops.commands.minutes_lblod", "register_lblod")):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        hook = getattr(module, hook_name, None)
        if callable(hook) and _actions is not None:
            hook(_actions)


def _stamp(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def minutes_json(minutes: Any, items: list[Any]) -> dict[str, Any]:
    return {
        "id": minutes.id, "recording_id": minutes.recording_id, "title": minutes.title, "body": minutes.body,
        "meeting_date": minutes.meeting_date, "state": minutes.state, "error": minutes.error,
        "ai_generated": minutes.state != "approved", "model": minutes.model,
        "model_sha256": minutes.model_sha256, "prompt_version": minutes.prompt_version,
        "agenda": minutes.agenda, "attendees": minutes.attendees, "approved_by": minutes.approved_by,
        "items": [{
            "id": i.id, "ordinal": i.ordinal, "kind": i.kind, "agenda_number": i.agenda_number,
            "agenda_title": i.agenda_title, "text": i.text, "vote": i.vote, "owner": i.owner,
            "deadline": i.deadline, "segment_ids": i.segment_ids, "start": i.start, "end": i.end,
            "support": i.support, "supported": i.supported, "flags": i.flags, "state": i.state,
            "edited": i.edited, "source": i.source,
        } for i in items],
    }


def _print(minutes: Any, items: list[Any]) -> None:
    label = "AI-generated draft, not approved" if minutes.state != "approved" else f"approved by {minutes.approved_by}"
    print(f"minutes {minutes.id} (recording {minutes.recording_id}) state={minutes.state} [{label}]")
    if minutes.error:
        print(f"  problems: {minutes.error}")
    agenda = None
    for i in items:
        if i.agenda_number != agenda:
            agenda = i.agenda_number
            print(f"\n{i.agenda_number}. {i.agenda_title}" if agenda else "\n(no agenda item)")
        extra = []
        if i.vote:
            extra.append("vote " + "/".join(str(i.vote.get(k, "-")) for k in ("for", "against", "abstain")))
        if i.owner:
            extra.append(f"owner {i.owner}")
        if i.deadline:
            extra.append(f"by {i.deadline}")
        if not i.supported:
            extra.append(f"UNSUPPORTED {i.support:.2f}")
        if i.flags:
            extra.append(",".join(i.flags))
        print(f"  [{_stamp(i.start)}] {i.kind:8s} {i.text}" + (f"  ({'; '.join(extra)})" if extra else ""))


def _draft(args: argparse.Namespace) -> int:
    from appliance.errors import BelfortError
    from appliance.minutes import draft_minutes, get_minutes

    app = appliance_from(args)
    llm: Any = None
    if args.model:
        from models.llamacpp import LlamaCppLLM

        llm = LlamaCppLLM(Path(args.model), **app.registry.llm_runtime())
    if args.agenda and args.agenda_document:
        raise BelfortError("minutes.two_agendas", "give --agenda or --agenda-document, not both")
    agenda: str | int | None = args.agenda_document
    if args.agenda:
        agenda = args.agenda.read_text("utf-8")

    def progress(fraction: float) -> None:
        if not args.json:
            print(f"  {fraction:.0%}", file=sys.stderr, flush=True)

    minutes = draft_minutes(app, args.recording_id, agenda=agenda,
                            attendees=[a.strip() for a in args.attendees.split(",") if a.strip()],
                            title=args.title, meeting_date=args.date, body=args.body, llm=llm, progress_cb=progress)
    minutes, items = get_minutes(app, minutes.id or 0)
    if args.json:
        print(json.dumps(minutes_json(minutes, items), ensure_ascii=False))
    else:
        _print(minutes, items)
    return 1 if minutes.state == "failed" else 0


def _show(args: argparse.Namespace) -> int:
    from appliance.minutes import get_minutes

    minutes, items = get_minutes(appliance_from(args), args.minutes_id)
    if args.json:
        print(json.dumps(minutes_json(minutes, items), ensure_ascii=False))
    else:
        _print(minutes, items)
    return 0
