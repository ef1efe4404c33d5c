"""`belfort up [--demo]`: migrate, doctor, (demo seed), then web + worker + watcher as child processes.

No silent restarts: when one child dies the others are stopped and `up` exits non-zero, so systemd
or the container runtime (which can restart with back-off and log it) stays in charge.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from appliance.checks import failed_required, run_checks
from appliance.context import open_appliance
from appliance.settings import Settings, load_settings
from ops.commands.doctor import print_checks

STOP_GRACE_SECONDS = 15.0


def _log(msg: str) -> None:
    print(f"belfort up: {msg}", file=sys.stderr, flush=True)


def supervise(
    commands: Mapping[str, Sequence[str]],
    stop: threading.Event,
    *,
    poll_seconds: float = 0.2,
    grace_seconds: float = STOP_GRACE_SECONDS,
    log: Callable[[str], None] = _log,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run the commands until `stop` is set (exit 0) or one of them ends (exit 1, others stopped)."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    code = 0
    try:
        for name, argv in commands.items():
            # Own session: a terminal's Ctrl-C reaches only `up`, which then stops the children in order.
            procs[name] = subprocess.Popen(list(argv), env=dict(env) if env is not None else None,
                                           start_new_session=True)
            log(f"started {name} (pid {procs[name].pid})")
        while not stop.is_set():
            dead = [(n, p.returncode) for n, p in procs.items() if p.poll() is not None]
            if dead:
                for name, rc in dead:
                    log(f"{name} exited with code {rc}; stopping the others (no silent restart)")
                code = 1
                break
            stop.wait(poll_seconds)
    finally:
        _stop_all(procs, grace_seconds, log)
    return code


def _stop_all(procs: Mapping[str, subprocess.Popen[bytes]], grace: float, log: Callable[[str], None]) -> None:
    for name, p in procs.items():
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for name, p in procs.items():
        try:
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{name} did not stop within {grace:.0f} s; killing it")
            p.kill()
            p.wait()


def child_commands(config: str | None) -> dict[str, list[str]]:
    base = [sys.executable, "-m", "ops.cli"] + (["--config", config] if config else [])
    return {"web": base + ["serve"], "worker": base + ["worker"], "watcher": base + ["watch"]}


def child_env(settings: Settings, demo: bool, environ: Mapping[str, str]) -> dict[str, str]:
    """The children's environment: `--demo` is served on plain http://localhost, where Secure cookies
    would never come back, so it declares web.insecure_http (and says so)."""
    env = dict(environ)
    if demo and not settings.web.insecure_http:
        env["BELFORT_WEB__INSECURE_HTTP"] = "true"
        _log("demo on plain http: cookies without Secure (web.insecure_http); use HTTPS for real use")
    return env


def _up(args: argparse.Namespace) -> int:
    config = getattr(args, "config", None)
    settings = load_settings(Path(config) if config else None)
    app = open_appliance(settings)
    _log(f"data in {settings.data_dir.resolve()}, models in {settings.models_dir.resolve()}")
    checks = run_checks(app)
    print_checks(checks)
    if failed_required(checks) and not args.ignore_errors:
        _log("required checks failed (see hints above); fix them or pass --ignore-errors")
        return 1
    if args.demo or settings.profile == "demo":
        from ops.demo.seed import USERS, seed_demo

        report = seed_demo(app)
        names = ", ".join(u[0] for u in USERS)
        if report.password_is_new:
            print(f"\n  Demo users: {names}\n  Password:   {report.password}\n"
                  f"  (kept in {app.layout.demo_password})\n", flush=True)
        else:
            where = ("$BELFORT_DEMO_PASSWORD" if os.environ.get("BELFORT_DEMO_PASSWORD")
                     else str(app.layout.demo_password))
            print(f"\n  Demo users: {names} (password in {where})\n", flush=True)
    app.db.dispose()  # the children open their own connections
    env = child_env(settings, args.demo, os.environ)
    local = settings.web.host in ("127.0.0.1", "0.0.0.0", "::", "::1", "localhost")
    print(f"  Belfort: http://{'localhost' if local else settings.web.host}:{settings.web.port}\n", flush=True)

    stop = threading.Event()

    def _on_signal(signum: int, _frame: object) -> None:
        _log(f"received {signal.Signals(signum).name}; stopping")
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    return supervise(child_commands(config), stop, env=env)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("up", help="migrate, run the doctor, then start web, worker and watcher")
    parser.add_argument("--demo", action="store_true",
                        help="seed the demo municipality (users, documents, citizen mails, a meeting) first")
    parser.add_argument("--ignore-errors", action="store_true", help="start even when a required check fails")
    parser.set_defaults(func=_up)
