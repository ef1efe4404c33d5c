"""`belfort doctor` on the scale-out profile: each remote part checked, the one that is down named."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.remote_checks import (
    check_database_server,
    check_redis,
    check_shared_dir,
    remote_checks,
    safe_url,
)
from tests.backends import needs_postgres, needs_redis, postgres_url, redis_url
from tests.conftest import make_settings


@needs_postgres
def test_database_up_and_down() -> None:
    assert check_database_server(postgres_url()).ok
    bad = check_database_server("postgresql+psycopg://belfort:geheim@/belfort?host=/nonexistent/sock")
    assert not bad.ok and bad.name == "cluster.database" and "down" in bad.message
    assert "geheim" not in bad.message + bad.hint


@needs_redis
def test_redis_up_and_down(tmp_path: Path) -> None:
    assert check_redis(redis_url()).ok
    bad = check_redis(f"unix://{tmp_path}/missing.sock")
    assert not bad.ok and bad.name == "cluster.redis" and "down" in bad.message


def test_shared_dir(tmp_path: Path) -> None:
    assert check_shared_dir(tmp_path).ok and not list(tmp_path.iterdir())
    missing = check_shared_dir(tmp_path / "not-mounted")
    assert not missing.ok and missing.name == "cluster.shared_dir"


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_single_box_has_no_remote_checks_and_a_cluster_names_each_part(tmp_path: Path) -> None:
    assert remote_checks(make_settings(tmp_path, store={"url": ""}, queue={"backend": "sqlite"})) == []
    s = make_settings(tmp_path, queue={"backend": "redis", "redis_url": ""},
                      llm={"engine": "openai-compatible", "base_url": "http://127.0.0.1:1"},
                      cluster={"shared_dir": str(tmp_path / "nope")})
    names = [c.name for c in remote_checks(s) if not c.ok]
    assert {"cluster.redis", "cluster.shared_dir"} <= set(names)


def test_urls_are_printed_without_credentials() -> None:
    assert safe_url("postgresql+psycopg://belfort:geheim@db.gemeente.local:5432/belfort") == \
        "postgresql+psycopg://db.gemeente.local:5432/belfort"
    assert safe_url("redis://:pw@queue:6379/0") == "redis://queue:6379/0"


@needs_postgres
def test_doctor_with_the_database_down_names_it_and_exits_1(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from ops.cli import main

    monkeypatch.delenv("BELFORT_STORE__URL", raising=False)  # the PostgreSQL pass: this file's store, not the test's

    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nprofile = "test"\n[store]\n'
                      'url = "postgresql+psycopg://belfort@/belfort?host=/nonexistent/sock"\n', "utf-8")
    assert main(["--config", str(config), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "cluster.database" in out and "FAIL" in out and "is down" in out
