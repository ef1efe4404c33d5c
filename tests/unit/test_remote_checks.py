"""`belfort doctor` on the scale-out profile: each remote part checked, the one that is down named."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from appliance.remote_checks import (
    check_database_server,
    check_model_server,
    check_redis,
    check_shared_dir,
    model_server_urls,
    remote_checks,
    safe_url,
)
from tests.backends import needs_postgres, needs_redis, postgres_url, redis_url
from tests.conftest import make_settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler(BaseHTTPRequestHandler):
    replies: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        status, body = self.replies.get(self.path, (404, b"{}"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def model_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("H", (_Handler,), {"replies": {}})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


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


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_model_servers_up_down_and_broken(model_server) -> None:  # type: ignore[no-untyped-def]
    url, handler = model_server
    handler.replies["/v1/models"] = (200, json.dumps({"object": "list", "data": [{"id": "qwen"}]}).encode())
    ok = check_model_server(url)
    assert ok.ok and "qwen" in ok.message
    assert check_model_server(url + "/v1").ok  # a base URL with /v1 works too
    handler.replies["/v1/models"] = (200, b"{not json")
    assert not check_model_server(url).ok
    handler.replies["/v1/models"] = (200, b'{"error": "loading"}')
    assert "not with a model list" in check_model_server(url).message
    handler.replies["/v1/models"] = (503, b"{}")
    assert "HTTP 503" in check_model_server(url).message
    down = check_model_server(f"http://127.0.0.1:{_free_port()}", timeout=1)
    assert not down.ok and "down" in down.message


def test_shared_dir(tmp_path: Path) -> None:
    assert check_shared_dir(tmp_path).ok and not list(tmp_path.iterdir())
    missing = check_shared_dir(tmp_path / "not-mounted")
    assert not missing.ok and missing.name == "cluster.shared_dir"


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_single_box_has_no_remote_checks_and_a_cluster_names_each_part(tmp_path: Path) -> None:
    assert remote_checks(make_settings(tmp_path)) == [] or all(
        c.name == "cluster.database" for c in remote_checks(make_settings(tmp_path)))  # PG pass: its database
    s = make_settings(tmp_path, queue={"backend": "redis", "redis_url": ""},
                      llm={"engine": "openai-compatible", "base_url": "http://127.0.0.1:1"},
                      cluster={"shared_dir": str(tmp_path / "nope")})
    assert model_server_urls(s) == ["http://127.0.0.1:1"]
    names = [c.name for c in remote_checks(s) if not c.ok]
    assert {"cluster.redis", "cluster.model_server", "cluster.shared_dir"} <= set(names)


def test_urls_are_printed_without_credentials() -> None:
    assert safe_url("postgresql+psycopg://belfort:geheim@db.gemeente.local:5432/belfort") == \
        "postgresql+psycopg://db.gemeente.local:5432/belfort"
    assert safe_url("redis://:pw@queue:6379/0") == "redis://queue:6379/0"


@needs_postgres
def test_doctor_with_the_database_down_names_it_and_exits_1(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from ops.cli import main

    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\nprofile = "test"\n[store]\n'
                      'url = "postgresql+psycopg://belfort@/belfort?host=/nonexistent/sock"\n', "utf-8")
    assert main(["--config", str(config), "doctor"]) == 1
    out = capsys.readouterr().out
    assert "cluster.database" in out and "FAIL" in out and "is down" in out
