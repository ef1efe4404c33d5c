"""`belfort demo`: seed the demo municipality (Gemeente Belveld) without starting the services."""

from __future__ import annotations

import argparse

from ops.commands._common import appliance_from


def _demo(args: argparse.Namespace) -> int:
    from ops.demo.seed import USERS, seed_demo

    report = seed_demo(appliance_from(args))
    if report.password_is_new:
        print(f"demo users: {', '.join(u[0] for u in USERS)}; password: {report.password}")
    return 1 if report.failures else 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("demo", help="seed the demo municipality: users, documents, citizen mails, a meeting (idempotent)")
    parser.set_defaults(func=_demo)
