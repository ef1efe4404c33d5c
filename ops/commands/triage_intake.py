"""`belfort triage poll | deliver | export | outbox | retry | receive`: intake and routing out, thin over
appliance.triage (mailbox polling, intake, export) and appliance.mail (the outbox)."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from ops.commands._common import appliance_from, write_output


def _poll(args: argparse.Namespace) -> int:
    from appliance.triage import poll_mailbox, watch_mailbox

    if args.watch:  # until SIGTERM or Ctrl-C: IMAP IDLE where offered, polling otherwise
        import signal
        import threading

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            watch_mailbox(appliance_from(args), stop)
        except KeyboardInterrupt:
            stop.set()
        return 0
    result = poll_mailbox(appliance_from(args))
    print(", ".join(f"{k}: {v}" for k, v in result.as_dict().items()))
    return 1 if result.failed else 0


def _deliver(args: argparse.Namespace) -> int:
    from appliance.mail import deliver_due

    counts = deliver_due(appliance_from(args))
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    return 0


def _export(args: argparse.Namespace) -> int:
    from appliance.errors import BelfortError
    from appliance.triage import export_csv

    since = None
    if args.since:
        try:
            since = datetime.fromisoformat(args.since)
        except ValueError:
            raise BelfortError("cli.invalid_date", f"'{args.since}' is not a date",
                               hint="e.g. --since 2026-11-01") from None
    text = export_csv(appliance_from(args), since)
    return write_output(text, args.output)


def _outbox(args: argparse.Namespace) -> int:
    from appliance.mail import list_messages

    for row in list_messages(appliance_from(args), state=args.state or None, limit=args.limit):
        # Channel, state and reference only: targets and subjects may name a person.
        line = {"id": row.id, "channel": row.channel, "state": row.state, "ref": row.ref,
                "attempts": row.attempts, "next_attempt_at": row.next_attempt_at.isoformat(timespec="seconds"),
                "last_error": row.last_error}
        print(json.dumps(line) if args.json else
              f"{row.id:>6} {row.channel:<8} {row.state:<8} {row.ref:<16} attempts {row.attempts}"
              + (f"  {row.last_error}" if row.last_error else ""))
    return 0


def _retry(args: argparse.Namespace) -> int:
    from appliance.mail import retry_mail as retry

    row = retry(appliance_from(args), args.id, by="cli")
    print(f"outbox message {row.id}: {row.state}")
    return 0


def _receive(args: argparse.Namespace) -> int:
    from appliance.triage import receive_message as receive

    app = appliance_from(args)
    for name in args.files:
        item = receive(app, Path(name).read_bytes(), source="folder", external_id="")
        flags = f" flags {','.join(item.flags)}" if item.flags else ""
        print(f"item {item.id}: {item.state} ({item.reason or '-'}){flags}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # sub-commands only, through register_intake
    return None


def register_intake(cmds: argparse._SubParsersAction) -> None:
    p = cmds.add_parser("poll", help="poll the triage IMAP mailbox once (or keep watching it)")
    p.add_argument("--watch", action="store_true",
                   help="keep running: new mail within seconds by IMAP IDLE where the server offers it")
    p.set_defaults(func=_poll)
    p = cmds.add_parser("deliver", help="deliver the outbox once (routed mail and webhooks)")
    p.set_defaults(func=_deliver)
    p = cmds.add_parser("export", help="export triage items as CSV")
    p.add_argument("--csv", action="store_true", help="CSV (the only format; accepted for clarity)")
    p.add_argument("--since", default="", help="only items received on or after this ISO date")
    p.add_argument("--output", "-o", default="", help="write to this file instead of standard output")
    p.set_defaults(func=_export)
    p = cmds.add_parser("outbox", help="list outbox messages: state, attempts, last error")
    p.add_argument("--state", choices=["pending", "sent", "dead"], default=None)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true", help="one JSON object per message")
    p.set_defaults(func=_outbox)
    p = cmds.add_parser("retry", help="put a dead outbox message back in line")
    p.add_argument("id", type=int)
    p.set_defaults(func=_retry)
    p = cmds.add_parser("receive", help="take .eml/.msg files in as triage items (as the drop folder does)")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_receive)
