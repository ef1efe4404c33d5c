"""ask.js in a real browser: the form streams over server-sent events and the checked answer is
swapped in without leaving the page (strict CSP, real SmolLM2 with a few tokens)."""

from __future__ import annotations

import gc
import json
import subprocess
from pathlib import Path

import pytest

from tests.browser.browser_support import live_app
from tests.browser.test_axe import NODE, _missing, chromium  # noqa: F401
from tests.integration.ask_support import SPORTHAL_Q, FewTokens
from tests.integration.web_support import PW, build_world
from tests.llm_fixture import require_smollm

HERE = Path(__file__).resolve().parent

pytestmark = [pytest.mark.browser, pytest.mark.llm, pytest.mark.enable_socket,
              pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture
def settings(tmp_path):  # type: ignore[no-untyped-def]
    """The page's token streaming is what free answers do (a composed answer arrives whole)."""
    from tests.conftest import make_settings

    return make_settings(tmp_path, ask={"answer_mode": "free"})


@pytest.fixture
def server(appliance, tmp_path):  # type: ignore[no-untyped-def]

    from models.llamacpp import LlamaCppLLM

    world = build_world(appliance, tmp_path)
    appliance.engines.set("llm", FewTokens(LlamaCppLLM(require_smollm(), n_ctx=2048, n_threads=1, n_batch=256), 24))
    with live_app(appliance) as base:
        yield world, base
    appliance.engines.set("llm", None)
    gc.collect()  # free llama.cpp now, not during interpreter shutdown (noisy there)


def test_ask_form_streams_and_swaps_in_the_checked_answer(server, chromium) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    _world, base = server
    out = subprocess.run([NODE, str(HERE / "run_ask_js.js"), str(chromium), base, "anna", PW, SPORTHAL_Q],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    r = json.loads(out.stdout)
    assert r["samePage"] is True  # EventSource + fragment swap, not the plain form post
    assert r["auditId"] and r["conv"] == r["auditId"]  # the follow-up form continues this conversation
    assert r["status"] in ("answered", "dont_know") and "Antwoord gegenereerd door AI" in r["label"]
    assert r["maxLive"] > 0  # tokens were shown while the model wrote
    assert r["liveHidden"] is True and r["copyVisible"] is True and r["focused"] == "answer-heading"
    assert r["csp"] == [] and not [c for c in r["console"] if c.startswith("exception")]


if _missing():
    test_ask_form_streams_and_swaps_in_the_checked_answer = pytest.mark.skip(reason=_missing())(  # type: ignore[misc]
        test_ask_form_streams_and_swaps_in_the_checked_answer
    )
