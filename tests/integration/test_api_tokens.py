"""API tokens (issue 19, finding 10): expiry, scopes enforced on every API route, and revocation by
id in the CLI and the admin console."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql
from sqlmodel import select

from appliance.access import tokens as api_tokens
from appliance.api.auth import route_scope
from appliance.db.engine import write_session
from appliance.db.tables import ApiToken, utcnow
from appliance.errors import BelfortError
from ops.cli import main
from tests.integration.web_support import bearer, csrf, sign_in


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _error(r: Any) -> str:
    return str(r.json()["error"]["code"])


def test_every_api_route_names_a_scope(world) -> None:  # type: ignore[no-untyped-def]
    """A route added without a scope would be refused for every token; this names it instead."""
    from ops.webapp import create_app

    unnamed = [
        f"{method} {route.path}"
        for route in create_app(world.app).routes
        if route.path.startswith("/api/v1/")
        for method in getattr(route, "methods", ())
        if route_scope(method, route.path) not in api_tokens.SCOPES
    ]
    assert unnamed == []


def test_tokens_expire(world) -> None:  # type: ignore[no-untyped-def]
    """Attack (finding 10): a token leaked once worked for ever."""
    token = api_tokens.create_token(world.app, "anna", "kort", expires_days=1)
    with world.client() as c:
        assert c.get("/api/v1/documents", headers=_headers(token)).status_code == 200
        with write_session(world.app.db) as s:
            row = s.exec(select(ApiToken).where(ApiToken.name == "kort")).one()
            row.expires_at = utcnow()
            s.add(row)
        r = c.get("/api/v1/documents", headers=_headers(token))
        assert r.status_code == 401 and _error(r) == "auth.invalid_token"
    info = next(t for t in api_tokens.list_tokens(world.app, "anna") if t.name == "kort")
    assert info.state == "expired" and info.last_used_at is not None
    default = next(t for t in api_tokens.list_tokens(world.app, "anna") if t.name == "tests")
    assert (default.expires_at - default.created_at).days == 90  # web.token_days


def test_scopes_are_enforced_on_the_routes(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Attack (finding 10): a token handed to a read-only intranet widget could also upload and ask."""
    from tests.filefactory import make_text

    read_only = api_tokens.create_token(world.app, "archie", "widget", scopes="read")
    asker = api_tokens.create_token(world.app, "archie", "chat", scopes=["ask"])
    txt = make_text(tmp_path / "nieuw.txt", "Een nieuw bouwdossier over de Vaartstraat.")
    with world.client() as c:
        assert c.get("/api/v1/search", params={"q": "sporthal"}, headers=_headers(read_only)).status_code == 200
        r = c.post("/api/v1/ask", json={"question": "Wie verleende de vergunning?"}, headers=_headers(read_only))
        assert r.status_code == 403 and _error(r) == "auth.token_scope"
        with txt.open("rb") as fh:
            r = c.post("/api/v1/documents", files={"file": ("nieuw.txt", fh, "text/plain")},
                       data={"collection": "bouw"}, headers=_headers(read_only))
        assert r.status_code == 403 and _error(r) == "auth.token_scope"
        r = c.get("/api/v1/search", params={"q": "sporthal"}, headers=_headers(asker))
        assert r.status_code == 403 and _error(r) == "auth.token_scope"
        r = c.post("/api/v1/ask", json={"question": "Wie verleende de vergunning?"}, headers=_headers(asker))
        assert r.status_code == 200
        # The full token of the same user still uploads: the scope, not the role, refused it.
        with txt.open("rb") as fh:
            r = c.post("/api/v1/documents", files={"file": ("nieuw.txt", fh, "text/plain")},
                       data={"collection": "bouw"}, headers=bearer(world, "archie"))
        assert r.status_code in (200, 201, 202), r.text


def test_an_admin_token_without_the_admin_scope_has_no_admin_powers(world) -> None:  # type: ignore[no-untyped-def]
    hidden = world.docs["welzijn"]  # admin reads it only as admin: admin is in no group
    narrow = api_tokens.create_token(world.app, "admin", "lezen", scopes="read")
    with world.client() as c:
        assert c.get(f"/api/v1/documents/{hidden}", headers=bearer(world, "admin")).status_code == 200
        assert c.get(f"/api/v1/documents/{hidden}", headers=_headers(narrow)).status_code == 404


def test_scopes_never_exceed_the_role_and_bad_input_is_named(world) -> None:  # type: ignore[no-untyped-def]
    for kwargs, code in (({"scopes": "admin"}, "auth.scope_beyond_role"), ({"scopes": "read,write"},
                         "auth.invalid_scope"), ({"scopes": ""}, "auth.invalid_scope"),
                         ({"expires_days": 0}, "auth.invalid_expiry"), ({"expires_days": 99999}, "auth.invalid_expiry")):
        with pytest.raises(BelfortError) as exc:
            api_tokens.create_token(world.app, "anna", "x", **kwargs)
        assert exc.value.code == code, kwargs
    assert api_tokens.list_tokens(world.app, "anna")[0].scopes == ("read", "ask", "ingest")  # role default


def test_cli_creates_scoped_expiring_tokens_lists_and_revokes_them(world, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "belfort.toml"
    s = world.app.settings
    config.write_text(f'data_dir = "{s.data_dir}"\nmodels_dir = "{s.models_dir}"\nprofile = "test"\n'
                      '[search]\nembedder = "fake"\n[llm]\nengine = "none"\n', "utf-8")
    capsys.readouterr()
    assert main(["--config", str(config), "admin", "create-token", "anna", "--name", "intranet",
                 "--scope", "read", "--expires-days", "30"]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert token.startswith("blf_") and "scopes read" in out.err
    info = api_tokens.list_tokens(world.app, "anna")[0]
    assert info.name == "intranet" and info.scopes == ("read",) and (info.expires_at - info.created_at).days == 30
    assert main(["--config", str(config), "admin", "list-tokens", "--user", "anna"]) == 0
    listing = capsys.readouterr().out
    assert "intranet" in listing and "active" in listing and token not in listing  # never the secret
    assert main(["--config", str(config), "admin", "revoke-token", str(info.id)]) == 0
    assert "revoked token" in capsys.readouterr().out
    with world.client() as c:
        assert c.get("/api/v1/documents", headers=_headers(token)).status_code == 401
    assert main(["--config", str(config), "admin", "revoke-token", "99999"]) == 2
    assert "auth.no_token" in capsys.readouterr().err


def test_cli_set_password_ends_the_users_sessions(world, tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    config = Path(tmp_path / "belfort.toml")
    s = world.app.settings
    config.write_text(f'data_dir = "{s.data_dir}"\nmodels_dir = "{s.models_dir}"\nprofile = "test"\n'
                      '[search]\nembedder = "fake"\n[llm]\nengine = "none"\n', "utf-8")
    with world.client() as c:
        sign_in(c, "anna")
        monkeypatch.setattr("sys.stdin", io.StringIO("een heel nieuw wachtwoord\n"))
        assert main(["--config", str(config), "admin", "set-password", "anna", "--password-stdin"]) == 0
        assert c.get("/", follow_redirects=False).status_code in (302, 303, 307)
        assert sign_in(c, "anna", "een heel nieuw wachtwoord").status_code == 303


def test_admin_console_lists_and_revokes_tokens(world) -> None:  # type: ignore[no-untyped-def]
    token_id = api_tokens.list_tokens(world.app, "wout")[0].id
    with world.client() as admin, world.client() as staff:
        sign_in(admin, "admin")
        page = admin.get("/admin/tokens").text
        assert f'id="token-{token_id}"' in page and world.tokens["wout"] not in page
        assert 'href="/admin/tokens"' in admin.get("/admin").text
        sign_in(staff, "anna")
        r = staff.post(f"/admin/tokens/{token_id}/revoke", data={"_csrf_token": csrf(staff)})
        assert r.status_code == 403
        assert admin.post(f"/admin/tokens/{token_id}/revoke", data={}).status_code == 403  # no CSRF token
        r = admin.post(f"/admin/tokens/{token_id}/revoke", data={"_csrf_token": csrf(admin)},
                       follow_redirects=False)
        assert r.status_code == 303
        assert "Ingetrokken" in admin.get(r.headers["location"]).text
        r = admin.get("/api/v1/documents", headers=bearer(world, "wout"))
        assert r.status_code == 401


def test_migration_20_keeps_old_tokens_working_for_90_days(appliance) -> None:  # type: ignore[no-untyped-def]
    """A database from before migration 20: its tokens keep what they could do, and now expire."""
    import hashlib

    from appliance.access import accounts
    from appliance.db.engine import migrate

    accounts.create_user(appliance, "svc", "een lang wachtwoord", role="archivist")
    legacy = "blf_" + "x" * 43
    with appliance.db.begin() as conn:  # back to the schema before migration 20
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version >= 20")
        conn.exec_driver_sql("DROP TABLE websession")
        conn.exec_driver_sql("DROP TABLE rateevent")
        conn.exec_driver_sql("DROP INDEX ix_signinattempt_client")
        conn.exec_driver_sql("ALTER TABLE signinattempt DROP COLUMN client")
        conn.exec_driver_sql("ALTER TABLE apitoken DROP COLUMN scopes")
        conn.exec_driver_sql("ALTER TABLE apitoken DROP COLUMN expires_at")
        conn.execute(sql(  # "user" quoted: a reserved word on PostgreSQL
            "INSERT INTO apitoken (user_id, name, token_hash, created_at, revoked) "
            "SELECT id, 'old', :h, created_at, FALSE FROM \"user\" WHERE username = 'svc'"),
            {"h": hashlib.sha256(legacy.encode()).hexdigest()})
    assert migrate(appliance.db) >= 20
    info = api_tokens.list_tokens(appliance, "svc")[0]
    assert info.state == "active" and info.scopes == ("read", "ask", "ingest", "admin")
    assert info.expires_at is not None and 89 <= (info.expires_at - utcnow()).days <= 90
    who = api_tokens.principal_for_token(appliance, legacy, "ingest")
    assert who.username == "svc" and who.role == "archivist"  # the scope never exceeds the role
