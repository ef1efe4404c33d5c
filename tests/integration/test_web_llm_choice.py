"""The admin console says which LLM runs and why (the doctor's llm.model check)."""

from __future__ import annotations

from pathlib import Path

from appliance.access import accounts
from appliance.context import open_appliance
from models.fakes import FakeEmbedder
from models.registry import PROFILE_LLMS
from tests.conftest import make_settings
from tests.integration.web_support import PW, World, sign_in


def test_admin_console_names_the_running_llm_and_why(tmp_path: Path) -> None:
    app = open_appliance(make_settings(tmp_path, llm={"engine": "llama-cpp"}), embedder=FakeEmbedder())
    accounts.create_user(app, "admin", PW, role="admin")
    expected = app.llm_choice()  # this machine's profile: which model, and the reason
    assert expected.name in PROFILE_LLMS.values() and expected.reason in ("profile", "fallback")
    with World(app, tmp_path).client() as c:
        sign_in(c, "admin")
        html = c.get("/admin").text
    line = next(part for part in html.split("<li") if "llm.model:" in part)
    assert expected.name in line and ("hardware profile" in line or "not provisioned" in line)
