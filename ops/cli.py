"""`belfort` command line. Each module in ops/commands registers its own sub-commands."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import ops.commands
from appliance.errors import BelfortError
from models.base import ModelError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="belfort", description="Belfort: offline AI appliance.")
    parser.add_argument("--config", help="path of belfort.toml (default: ./belfort.toml or $BELFORT_CONFIG)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for info in sorted(pkgutil.iter_modules(ops.commands.__path__), key=lambda m: m.name):
        try:
            module = importlib.import_module(f"ops.commands.{info.name}")
        except ImportError as exc:
            # One feature's missing package must not take `belfort doctor` or `belfort up` down with it.
            _unavailable(sub, info.name, exc)
            continue
        module.register(sub)
    return parser


def _unavailable(sub: argparse._SubParsersAction, name: str, exc: ImportError) -> None:
    def fail(_args: argparse.Namespace) -> int:
        raise BelfortError("cli.unavailable", f"'{name}' cannot run: {exc}",
                           hint="run ./ops/setup.sh install to install the missing packages")

    p = sub.add_parser(name, help=f"(unavailable: {exc.name or exc})")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=fail)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (BelfortError, ModelError) as exc:
        print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
