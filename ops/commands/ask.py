"""`belfort ask "QUESTION" [--json] [--user U] [--model PATH] [--no-llm]`: Ask from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ask", help="ask a question over the documents (grounded answer with sources)")
    p.add_argument("question", help="the question, in Dutch, French or English")
    p.add_argument("--user", default="", help="ask as this user (their permissions); default: system")
    p.add_argument("--model", help="a .gguf file or model folder instead of the configured LLM")
    p.add_argument("--no-llm", action="store_true", help="extractive answer only")
    p.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    p.set_defaults(func=cmd_ask)


def _principal(app, username: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from appliance.access import SYSTEM, principal_for
    from appliance.db.engine import read_session
    from appliance.db.tables import User
    from appliance.errors import NotFound

    if not username:
        return SYSTEM
    with read_session(app.db) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            raise NotFound("ask.unknown_user", f"no active user '{username}'", hint="see `belfort users`")
        return principal_for(session, user)


def cmd_ask(args: argparse.Namespace) -> int:
    from appliance.ask import answer

    app = appliance_from(args)
    who = _principal(app, args.user)
    if args.model:
        from pathlib import Path

        from models.llamacpp import LlamaCppLLM

        app.engines.set("llm", LlamaCppLLM(Path(args.model), **app.registry.llm_runtime()))
    use_llm = not args.no_llm
    if use_llm and not args.json:
        status = app.llm_status()
        if not status["ok"]:
            print(f"note [{status['code']}]: {status['message']} — {status.get('hint', '')}", file=sys.stderr)
    stream = None if args.json else (lambda piece: print(piece, end="", file=sys.stderr, flush=True))
    ans = answer(app, who, args.question, stream_cb=stream, use_llm=use_llm)
    if args.json:
        print(json.dumps(ans.as_dict(), ensure_ascii=False, default=str))
        return 0
    if stream is not None and ans.status == "answered":
        print(file=sys.stderr)  # end of the raw stream; the checked answer follows on stdout
    print(f"{ans.label}\n")
    if ans.notice:
        print(ans.notice)
    print(ans.text)
    if ans.sources:
        print()
        for s in ans.sources:
            print(f"[{s.number}] {s.title} ({s.collection}/{s.source_path}, p. {s.page})")
    print(f"\n({ans.status}, {ans.model or 'no model'}, {ans.latency:.1f} s, audit #{ans.audit_id})")
    return 0
