"""`belfort search` and `belfort reindex` through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.context import open_appliance
from appliance.settings import load_settings
from ops.cli import main
from tests.backends import STORE, migrated_postgres_database
from tests.integration.test_search_service import add_doc, make_user


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # no stray belfort.toml
    if STORE == "postgresql":  # the PostgreSQL + Redis pass: a database of this test's own
        monkeypatch.setenv("BELFORT_STORE__URL", migrated_postgres_database())
    for key, value in {"BELFORT_DATA_DIR": str(tmp_path / "data"), "BELFORT_MODELS_DIR": str(tmp_path / "m"),
                       "BELFORT_PROFILE": "test", "BELFORT_SEARCH__EMBEDDER": "fake",
                       "BELFORT_LLM__ENGINE": "none"}.items():
        monkeypatch.setenv(key, value)
    app = open_appliance(load_settings())
    add_doc(app, "bouwen", "Parkeerreglement", ["De parkeervergunningen voor bewoners <b>kosten</b> 25 euro."],
            groups=("ruimte",))
    add_doc(app, "personeel", "Ontslag", ["Vertrouwelijk ontslag wegens parkeervergunning fraude."], groups=("hr",))
    make_user(app, "an", ("ruimte",))
    return app


def test_search_json_as_system_sees_all(env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["search", "parkeervergunning", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {h["collection"] for h in out["hits"]} == {"bouwen", "personeel"}
    assert out["mode"] == "hybrid" and out["total"] == 2
    snippet = next(h["snippet_html"] for h in out["hits"] if h["collection"] == "bouwen")
    assert "<mark>parkeervergunningen</mark>" in snippet and "&lt;b&gt;kosten&lt;/b&gt;" in snippet


def test_search_as_user_is_scoped(env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["search", "parkeervergunning fraude", "--json", "--user", "an"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [h["collection"] for h in out["hits"]] == ["bouwen"] and out["total"] == 1


def test_search_text_output_and_collection_filter(env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["search", "parkeervergunning", "--collection", "personeel"]) == 0
    out = capsys.readouterr().out
    assert "Ontslag" in out and "Parkeerreglement" not in out and "**parkeervergunning**" in out


def test_search_errors_have_codes(env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["search", "  "]) == 2
    assert "search.empty_query" in capsys.readouterr().err
    assert main(["search", "x", "--user", "nobody"]) == 2
    assert "search.unknown_user" in capsys.readouterr().err


def test_reindex_then_search_after_deleting_the_index(env, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert main(["reindex", "--json"]) == 0
    counts = json.loads(capsys.readouterr().out)
    assert counts["chunks"] == 2 and counts["vectors"] == 2 and counts["collections"] == 2
    for f in env.layout.index.glob("*.faiss"):
        f.unlink()
    assert main(["search", "bewoners", "--json", "--mode", "vector"]) == 0  # search repairs the index first
    out = json.loads(capsys.readouterr().out)
    assert out["mode"] == "vector" and out["hits"]
    assert len(list(env.layout.index.glob("*.faiss"))) == 2
