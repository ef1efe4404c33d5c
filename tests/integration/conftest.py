"""Fixtures shared by the web tests; each module defines its own `world`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
from litestar.testing import TestClient

from tests.integration.web_support import World, sign_in


@pytest.fixture
def signed_in(world: World) -> Iterator[Callable[[str], TestClient]]:
    """signed_in(user) -> a client with that user's session; all are closed after the test."""
    with contextlib.ExitStack() as stack:

        def make(user: str) -> TestClient:
            c = stack.enter_context(world.client())
            assert sign_in(c, user).status_code == 303
            return c

        yield make
