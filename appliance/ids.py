"""Bounded integers for paths and query strings, shared by the JSON API and the web UI.

SQLite stores 64-bit integers: a larger number that reaches a query makes the driver raise
OverflowError (once a 500). Every id, page or offset a client sends is bounded where it is parsed, so
it is a 400 (`http.bad_request`) instead. The bound is 2**53 - 1 because OpenAPI numbers are JSON
numbers (doubles): a larger bound would be rounded up in the schema.
"""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

MAX_ID = 2**53 - 1
Id = Annotated[int, Parameter(ge=1, le=MAX_ID, description="A positive row id.")]
