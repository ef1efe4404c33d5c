"""Numbers beyond what SQLite stores never make a 500 (re-review of issue 19, hole D): an id or offset of
2**63 or more reached a query, SQLite's driver raised OverflowError and the page or API answered 500.
Every integer in a path or query string of the web UI and the API is bounded where it is parsed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.exceptions import HTTPException

from appliance.ids import MAX_ID
from tests.integration.web_support import bearer, csrf, sign_in
from webui.errors import as_belfort_error

HUGE = (99999999999999999999999, 2**63)
PATH_PARAM = re.compile(r"\{([a-z_]+):(int|str)\}")


def _routes(world: Any) -> Iterator[tuple[str, str, list[str]]]:
    """(method, path template, names of int/float query parameters) for every GET and POST handler."""
    from ops.webapp import create_app

    for route in create_app(world.app).routes:
        path_names = {m.group(1) for m in PATH_PARAM.finditer(route.path)}
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(set(handler.http_methods) & {"GET", "POST"}):
                queries = [getattr(f.kwarg_definition, "query", None) or name
                           for name, f in handler.parsed_fn_signature.parameters.items()
                           if name not in path_names and f.annotation in (int, float)]
                yield method, route.path, queries


def _fill(template: str, number: object) -> str:
    return PATH_PARAM.sub(lambda m: str(number) if m.group(2) == "int" else "md", template)


def _call(c: Any, world: Any, method: str, path: str, params: dict[str, str]) -> Any:
    if path.startswith("/api/"):
        if method == "GET":
            return c.get(path, params=params, headers=bearer(world, "admin"))
        return c.post(path, params=params, json={}, headers=bearer(world, "admin"))
    if method == "GET":
        return c.get(path, params=params, follow_redirects=False)
    return c.post(path, params=params, data={"_csrf_token": csrf(c)}, follow_redirects=False)


def test_huge_numbers_in_paths_and_queries_never_make_a_500(world) -> None:  # type: ignore[no-untyped-def]
    failures, checked = [], 0
    with world.client() as c:
        assert sign_in(c, "admin").status_code == 303
        for method, template, queries in _routes(world):
            calls: list[tuple[str, dict[str, str]]] = [(_fill(template, n), {}) for n in HUGE if ":int}" in template]
            calls += [(_fill(template, 1), {q: str(n)}) for q in queries for n in HUGE]
            for path, params in calls:
                r = _call(c, world, method, path, params)
                checked += 1
                # request.out_of_range is the safety net: the parameter itself should have been bounded
                if r.status_code >= 500 or "request.out_of_range" in r.text:
                    failures.append(f"{method} {path} {params} -> {r.status_code}")
    assert checked > 100
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/tickets/{n}", "/documents/{n}", "/api/v1/documents/{n}"])
def test_an_id_out_of_range_is_a_bad_request_with_a_code(world, path) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        sign_in(c, "admin")
        r = c.get(path.format(n=MAX_ID + 1), headers=bearer(world, "admin"))
        assert r.status_code == 400
        assert "http.bad_request" in r.text
        assert c.get(path.format(n=MAX_ID), headers=bearer(world, "admin")).status_code == 404


def test_the_documents_offset_is_bounded(world) -> None:  # type: ignore[no-untyped-def]
    with world.client() as c:
        r = c.get("/api/v1/documents", params={"offset": 2**63}, headers=bearer(world, "admin"))
        assert r.status_code == 400 and r.json()["error"]["code"] == "http.bad_request"
        r = c.get("/api/v1/documents", params={"offset": MAX_ID}, headers=bearer(world, "admin"))
        assert r.status_code == 200 and r.json()["items"] == []


def test_an_overflow_anywhere_else_is_a_400_not_a_500() -> None:
    """The safety net behind the bounds: a number too large for SQLite that some future route lets
    through is the client's fault, said with a code, not an internal error."""
    error = as_belfort_error(OverflowError("Python int too large to convert to SQLite INTEGER"))
    assert (error.status, error.code) == (400, "request.out_of_range")
    assert as_belfort_error(HTTPException(status_code=400)).code == "http.bad_request"
