"""The HTTP API fuzzed from its own OpenAPI schema (schemathesis) against an in-process demo instance:
the demo municipality as `belfort demo` seeds it (documents in public and HR collections, its users,
citizen mails in triage), with bearer tokens of its administrator and of a staff member.

For every operation: no server error (5xx); data the schema allows is not refused (no 400 or 422
for schema-conforming input; 401/403/404 are permissions and missing ids, not the schema); data the
schema forbids is refused. Bounded: a fixed number of derandomised examples per operation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from appliance.api import API_BODY_LIMIT
from appliance.api.document_ai import MAX_PII_BODY
from appliance.api.intake import MAX_BODY as MAX_INTAKE_BODY
from tests.integration.web_support import World

CHECKS = [not_a_server_error, positive_data_acceptance, negative_data_rejection]
EXAMPLES = 24  # per operation and mode: about 30 operations x 2 modes x 24 = 1,400 requests


@pytest.fixture(scope="module")
def api_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    from appliance.access import tokens as api_tokens
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from ops.demo.seed import seed_demo
    from tests.conftest import make_settings

    tmp: Path = tmp_path_factory.mktemp("fuzz-api")
    # The fuzzer exercises the operations, not the rate limiters (tests/integration/test_ask_limits.py,
    # test_pii_budget.py): its ~1,400 calls in a minute would otherwise meet 429s.
    unlimited = 1_000_000
    settings = make_settings(tmp, pii={"per_user_per_minute": unlimited},
                             web={"insecure_http": True, "ask_per_user_per_minute": unlimited,
                                  "ask_per_client_per_minute": unlimited})
    app = open_appliance(settings, embedder=FakeEmbedder())
    seeded = seed_demo(app, log=lambda _: None, environ={"BELFORT_DEMO_PASSWORD": "fuzz-wachtwoord-123"})
    assert seeded.failures == [] and {"admin", "demo"} <= set(seeded.users_created)
    world = World(app, tmp)
    for user in ("admin", "demo"):
        world.tokens[user] = api_tokens.create_token(app, user, "fuzz")
    return world


@pytest.fixture(scope="module")
def api_app(api_world: World) -> Any:
    from appliance.jobs import queue_for
    from ops.webapp import create_app

    queue_for(api_world.app, immediate=True)  # the web app's jobs run where they are queued
    return create_app(api_world.app)


# Statuses beyond schemathesis' defaults, each for a reason the schema states:
# - 413 refuses data the schema forbids for its size (maxLength of /pii text, the intake form size);
# - POST /recordings: the schema of a multipart file cannot say "holds decodable audio"; the operation's
#   description says that another type is 415 and undecodable content 422.
# - 409 refuses schema-valid data that conflicts with the server's state as it is now, which no static
#   schema can describe (a category the taxonomy does not have at the moment, a document whose type
#   cannot be redacted); each such operation says so in its description.
CONFIG = {
    "generation": {"with-security-parameters": False},  # the token is sent on every call, below
    "checks": {"negative_data_rejection": {"expected-statuses": [
        "400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]},
        "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409"]}},
    "operations": [{
        "include-path": "/api/v1/recordings", "include-method": "POST",
        "checks": {"positive_data_acceptance": {"expected-statuses": [
            "2xx", "401", "403", "404", "409", "415", "422", "429"]}},
    }],
}


@pytest.fixture(scope="module")
def api_schema(api_app: Any) -> Any:
    from schemathesis.config import SchemathesisConfig

    config = SchemathesisConfig.from_dict(CONFIG)
    return schemathesis.openapi.from_asgi("/api/v1/schema/openapi.json", api_app, config=config)


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str], examples: int) -> str:
    """Run `examples` cases of one operation in one mode; '' when all pass, else the report."""

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:
        return ""  # nothing to negate (an operation without parameters or body)
    except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected: one run reports them all
        return f"{operation.label} ({mode.value}): {exc}"
    return ""


@pytest.mark.parametrize(("user", "examples"), [("admin", EXAMPLES), ("demo", EXAMPLES // 2)])
def test_every_api_operation_honours_its_schema(api_schema: Any, api_world: World, user: str, examples: int) -> None:
    """An administrator reaches every route; a staff member of one group takes the permission paths."""
    headers = {"Authorization": f"Bearer {api_world.tokens[user]}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    reports = [_fuzz(op, mode, headers, examples) for op in operations for mode in GenerationMode]
    failures = [r for r in reports if r]
    assert not failures, f"{len(failures)} of {len(reports)} runs failed:\n\n" + "\n\n".join(failures)


@pytest.mark.parametrize(("path", "limit"), [
    ("/api/v1/ask", API_BODY_LIMIT), ("/api/v1/triage/items/1/route", API_BODY_LIMIT),
    ("/api/v1/intake", MAX_INTAKE_BODY), ("/api/v1/pii", MAX_PII_BODY)])
def test_request_bodies_have_a_limit_per_route(api_world: World, path: str, limit: int) -> None:
    """A body above its route's limit is refused before it is read (413), not parsed into memory;
    one just under the limit is read (and then judged on its content)."""
    headers = {"Authorization": f"Bearer {api_world.tokens['admin']}", "Content-Type": "application/json"}
    with api_world.client() as client:
        over = client.post(path, content=b'{"text": "' + b"a" * limit + b'"}', headers=headers)
        under = client.post(path, content=b'{"text": "' + b"a" * (limit - 100) + b'"}', headers=headers)
    assert over.status_code == 413, over.text[:200]
    assert under.json()["error"]["code"] != over.json()["error"]["code"], "the smaller body was not read"


def test_schema_whitespace_is_python_whitespace() -> None:
    """The schema's 'not blank' patterns (ECMA-262) must mean what strip() means in the handlers."""
    import re

    from appliance.api.schemas import SPACE_CLASS

    space = re.compile(f"[{SPACE_CLASS}]")
    assert [c for c in range(0x110000) if chr(c).isspace() != bool(space.fullmatch(chr(c)))] == []
