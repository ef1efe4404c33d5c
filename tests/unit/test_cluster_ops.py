"""ops/cluster/: the example settings load, and the units start the commands that exist."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest

from appliance.settings import load_settings
from ops.cli import build_parser

CLUSTER = Path(__file__).resolve().parents[2] / "ops" / "cluster"


def test_the_example_settings_describe_the_scale_out_profile() -> None:
    s = load_settings(CLUSTER / "belfort-cluster.example.toml", environ={})
    assert s.store.url.startswith("postgresql+psycopg://") and "@" in s.store.url
    assert ":" not in s.store.url.split("//", 1)[1].split("@", 1)[0]  # no password in the file
    assert s.queue.backend == "redis" and s.queue.redis_url.startswith("redis://")
    assert s.cluster.shared_dir and s.cluster.follow_index
    assert s.llm.engine == "openai-compatible" and len(s.model_servers.llm) >= 2


@pytest.mark.parametrize("unit", sorted(p.name for p in CLUSTER.glob("*.service")))
def test_each_unit_runs_a_belfort_command_that_exists(unit: str) -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.read(CLUSTER / unit)
    commands = [parser["Service"]["ExecStart"], *parser["Service"].get("ExecStartPre", "").splitlines()]
    sub = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for line in filter(None, commands):
        argv = shlex.split(line)
        assert argv[0].endswith("/belfort")
        assert argv[1] in sub, f"{unit}: belfort {argv[1]} does not exist"
    assert parser["Service"]["User"] == "belfort"
