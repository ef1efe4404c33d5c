"""`belfort admin create-user | create-token | set-groups` through the real argument parser."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from appliance import documents
from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.context import open_appliance
from appliance.settings import load_settings
from ops.cli import main


@pytest.fixture
def config(tmp_path: Path) -> str:
    path = tmp_path / "belfort.toml"
    path.write_text(
        f'data_dir = "{tmp_path / "data"}"\nmodels_dir = "{tmp_path / "models"}"\nprofile = "test"\n'
        '[search]\nembedder = "fake"\n[llm]\nengine = "none"\n',
        "utf-8",
    )
    return str(path)


def run(config: str, *argv: str, stdin: str = "") -> int:
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        return main(["--config", config, *argv])
    finally:
        sys.stdin = old


def test_create_user_with_password_from_stdin_then_sign_in(config, capsys):
    assert (
        run(
            config,
            "admin",
            "create-user",
            "anna",
            "--role",
            "archivist",
            "--groups",
            "bouw,milieu",
            "--password-stdin",
            stdin="een lang wachtwoord\n",
        )
        == 0
    )
    assert "created user anna" in capsys.readouterr().out
    app = open_appliance(load_settings(Path(config)))
    who = accounts.authenticate(app, "anna", "een lang wachtwoord")
    assert who.role == "archivist" and len(who.group_ids) == 2


def test_errors_are_reported_with_code_and_hint(config, capsys):
    assert run(config, "admin", "create-user", "anna", "--password-stdin", stdin="kort\n") == 2
    err = capsys.readouterr().err
    assert "accounts.weak_password" in err and "hint:" in err
    # No terminal and no --password-stdin: refuse instead of hanging on a prompt.
    assert run(config, "admin", "create-user", "anna") == 2
    assert "accounts.no_password" in capsys.readouterr().err


def test_create_token_prints_a_working_token_once(config, capsys):
    run(config, "admin", "create-user", "svc", "--password-stdin", stdin="een lang wachtwoord\n")
    capsys.readouterr()
    assert run(config, "admin", "create-token", "svc", "--name", "intranet") == 0
    token = capsys.readouterr().out.strip()
    app = open_appliance(load_settings(Path(config)))
    assert api_tokens.principal_for_token(app, token).username == "svc"


def test_set_groups(config, capsys):
    app = open_appliance(load_settings(Path(config)))
    documents.ensure_collection(app, "bouw", "Bouw", ["oud"])
    assert run(config, "admin", "set-groups", "bouw", "bouwgroep, archief") == 0
    assert "archief, bouwgroep" in capsys.readouterr().out
    assert [c.groups for c in accounts.list_collections(app)] == [("archief", "bouwgroep")]
    assert run(config, "admin", "set-groups", "nope", "x") == 2
