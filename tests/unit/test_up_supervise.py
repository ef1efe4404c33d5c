"""`belfort up`'s supervisor: no silent restart, signals stop every child."""

from __future__ import annotations

import sys
import threading
import time

from ops.commands.up import child_commands, supervise

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_one_child_dying_stops_all_with_nonzero_exit() -> None:
    logs: list[str] = []
    started = time.monotonic()
    code = supervise({"web": SLEEPER, "worker": [sys.executable, "-c", "raise SystemExit(3)"]},
                     threading.Event(), poll_seconds=0.05, grace_seconds=5, log=logs.append)
    assert code == 1
    assert any("worker exited with code 3" in line for line in logs)
    assert time.monotonic() - started < 10  # the sleeper was stopped, not waited for


def test_stop_event_ends_children_cleanly() -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    logs: list[str] = []
    assert supervise({"web": SLEEPER, "watcher": SLEEPER}, stop, poll_seconds=0.05, log=logs.append) == 0
    assert sum("started" in line for line in logs) == 2


def test_child_commands_pass_the_config() -> None:
    cmds = child_commands("/etc/belfort/belfort.toml")
    assert set(cmds) == {"web", "worker", "watcher"}
    assert cmds["web"][-3:] == ["--config", "/etc/belfort/belfort.toml", "serve"]


def test_tool_variables_are_not_mistaken_for_settings() -> None:
    from appliance.settings import load_settings

    env = {"BELFORT_DEMO_PASSWORD": "x" * 12, "BELFORT_SKIP_LLM": "1", "BELFORT_MODEL_WHEELS": "/w",
           "BELFORT_MODELS_OFFLINE": "1", "BELFORT_SKIP_MODELS": "1", "BELFORT_TEST_MODELS": "/t"}
    assert load_settings(environ=env).web.port == 8000
