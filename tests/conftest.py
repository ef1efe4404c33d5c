"""Shared fixtures: a `test` settings profile, real SQLite in tmp_path, engines swapped at the seam."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.context import Appliance, open_appliance
from appliance.settings import Settings, build_settings
from models.fakes import FakeEmbedder
from tests.backends import (
    QUEUE,
    STORE,
    created_postgres_databases,
    drop_postgres_databases,
    fresh_redis_url,
    migrated_postgres_database,
)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EVAL = SHARED / "eval"


_STORES: dict[str, str] = {}  # data folder -> its database (BELFORT_TEST_STORE=postgresql)


def make_settings(tmp_path: Path, **extra: object) -> Settings:
    layers: list[dict] = [{
        "data_dir": str(tmp_path / "data"),
        "models_dir": str(tmp_path / "models"),
        "profile": "test",
        "search": {"embedder": "fake"},
        "ingest": {"stable_seconds": 0.0, "poll_seconds": 0.05},
        "llm": {"engine": "none"},
        "ocr": {"on_ingest": False},  # OCR tests call the OCR service themselves
        "pii": {"ner": "none"},  # Frog is a loopback server: tests that need it start it themselves
        "web": {"insecure_http": True},  # the test client speaks plain http (Secure cookies: test_sessions)
    }]
    if STORE == "postgresql":  # .ci/run's second pass: the same tests on the scale-out back ends
        # One database per data folder: settings made twice for one folder (a restart) share it, as the file does.
        folder = str(extra.get("data_dir", tmp_path / "data"))
        url = _STORES.get(folder) or _STORES.setdefault(folder, migrated_postgres_database())
        layers.append({"store": {"url": url}})
        # A `belfort` command the test runs on this data folder (BELFORT_DATA_DIR) uses this store, as a
        # node's configuration would; the test's latest appliance wins, _drop_test_databases restores it.
        os.environ["BELFORT_STORE__URL"] = url
    if QUEUE == "redis":
        layers.append({"queue": {"backend": "redis", "redis_url": fresh_redis_url()}})
    if extra:
        layers.append(extra)  # type: ignore[arg-type]
    return build_settings(layers)


def _restore_store_env(url: str | None) -> None:
    if url is None:
        os.environ.pop("BELFORT_STORE__URL", None)
    else:
        os.environ["BELFORT_STORE__URL"] = url


@pytest.fixture(scope="module", autouse=True)
def _module_store_env() -> Iterator[None]:
    """On PostgreSQL the store URL a module's wider-scoped fixture set (make_settings) ends with the
    module: a later module's `belfort` command or config file must not open that module's database."""
    url = os.environ.get("BELFORT_STORE__URL")
    yield
    if STORE == "postgresql":
        _restore_store_env(url)


@pytest.fixture(autouse=True)
def _drop_test_databases() -> Iterator[None]:
    """On PostgreSQL each test's databases go when it ends (fixtures of a wider scope keep theirs)."""
    if STORE != "postgresql":
        yield
        return
    before, url = created_postgres_databases(), os.environ.get("BELFORT_STORE__URL")
    yield
    _restore_store_env(url)
    dropped = drop_postgres_databases(before)
    for folder in [f for f, url in _STORES.items() if url in dropped]:
        del _STORES[folder]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
def appliance(settings: Settings) -> Appliance:
    """A migrated appliance on a fresh SQLite file (or PostgreSQL database) with the fake embedder."""
    return open_appliance(settings, embedder=FakeEmbedder())



def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL pass skips the few tests of the SQLite file itself (marker `sqlite_only`)."""
    if STORE != "postgresql":
        return
    skip = pytest.mark.skip(reason="checks the SQLite file itself; this pass runs on PostgreSQL")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)
