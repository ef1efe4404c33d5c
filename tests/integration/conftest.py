"""Fixtures shared by the web tests; a module that needs another `world` defines its own."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from appliance.context import Appliance
from tests.integration.web_support import World, build_world, sign_in


@pytest.fixture
def world(appliance: Appliance, tmp_path: Path) -> World:
    return build_world(appliance, tmp_path)


@pytest.fixture
def client(world: World) -> Iterator[TestClient]:
    with world.client() as c:
        yield c


@pytest.fixture
def signed_in(world: World) -> Iterator[Callable[[str], TestClient]]:
    """signed_in(user) -> a client with that user's session; all are closed after the test."""
    with contextlib.ExitStack() as stack:

        def make(user: str) -> TestClient:
            c = stack.enter_context(world.client())
            assert sign_in(c, user).status_code == 303
            return c

        yield make
