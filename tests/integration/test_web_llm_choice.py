"""The admin console says which LLM runs and why: the doctor's llm.model check, and a translated line
in the Models section (the setting, the memory free for the LLM, or the larger model missing)."""

from __future__ import annotations

import html as htmllib
from pathlib import Path

import pytest

from appliance.access import accounts
from appliance.context import Appliance, open_appliance
from hardware import Hardware, profile
from models.fakes import FakeEmbedder
from models.registry import PROFILE_LLMS, SMALL_LLM
from tests.conftest import make_settings
from tests.integration.web_support import PW, World, sign_in

LARGE = PROFILE_LLMS["1.5b"]
SMALL_BOX = Hardware(cpu_count=2, cpu_flags=frozenset({"avx2"}), ram_gb=8, disk_free_gb=200)
BIG_BOX = Hardware(cpu_count=4, cpu_flags=frozenset({"avx2"}), ram_gb=16, disk_free_gb=200)


def _admin_page(app: Appliance, tmp_path: Path, lang: str = "nl") -> str:
    accounts.create_user(app, "admin", PW, role="admin")
    with World(app, tmp_path).client() as c:
        sign_in(c, "admin")
        return htmllib.unescape(c.get(f"/admin?lang={lang}").text)


def _app(tmp_path: Path, box: Hardware | None, **llm: str) -> Appliance:
    llm = {"engine": "llama-cpp", **llm}
    app = open_appliance(make_settings(tmp_path, llm=llm), embedder=FakeEmbedder())
    if box is not None:
        app.hardware = profile(box)  # the profile is probed once per appliance: this one is made up
    return app


def _llm_line(page: str) -> str:
    return page.split('<p class="llm-choice">', 1)[1].split("</p>", 1)[0]


def test_admin_console_names_the_running_llm_and_why(tmp_path: Path) -> None:
    app = _app(tmp_path, None)
    expected = app.llm_choice()  # this machine's profile: which model, and the reason
    assert expected.name in PROFILE_LLMS.values() and expected.reason in ("profile", "fallback")
    page = _admin_page(app, tmp_path)
    line = next(part for part in page.split("<li") if "llm.model:" in part)
    assert expected.name in line and ("hardware profile" in line or "not provisioned" in line)
    assert expected.name in _llm_line(page)


def test_a_big_box_with_the_large_model_runs_it_and_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "models" / LARGE
    folder.mkdir(parents=True)
    (folder / f"{LARGE}.gguf").write_bytes(b"GGUF")
    line = _llm_line(_admin_page(_app(tmp_path, BIG_BOX), tmp_path))
    assert line == (f"Taalmodel dat draait: {LARGE}, gekozen volgens de hardware: 12 GB geheugen vrij voor "
                    "het taalmodel, minstens de 8 GB die dit grotere model vraagt.")


EN_SMALL = (f"Language model running: {SMALL_LLM}, chosen by the hardware: 4 GB of memory free for the model, "
            "less than the 8 GB the larger model needs.")
FR_FALLBACK = (f"Modèle de langue en service : {SMALL_LLM}. Cette machine (12 Go de mémoire libre pour le modèle) "
               f"peut faire tourner le modèle plus grand {LARGE}, mais il n'est pas installé : "
               "belfort models install-defaults --llm large.")
NL_SETTING = f"Taalmodel dat draait: {SMALL_LLM}, gekozen met de instelling llm.model."
NL_NONE = "Geen taalmodel (llm.engine = none): vragen krijgen passages uit de bronnen als antwoord."


@pytest.mark.parametrize(("box", "llm", "lang", "expected"), [
    (SMALL_BOX, {}, "en", EN_SMALL),
    (BIG_BOX, {}, "fr", FR_FALLBACK),
    (BIG_BOX, {"model": SMALL_LLM}, "nl", NL_SETTING),
    (BIG_BOX, {"engine": "none"}, "nl", NL_NONE),
    (BIG_BOX, {"engine": "openai-compatible", "base_url": "http://10.0.0.5:8080/v1"}, "nl",
     f"Taalmodel: {SMALL_LLM} op de modelserver http://10.0.0.5:8080/v1 (llm.engine = openai-compatible)."),
])
def test_the_reason_is_translated(tmp_path: Path, box: Hardware, llm: dict[str, str], lang: str,
                                  expected: str) -> None:
    assert _llm_line(_admin_page(_app(tmp_path, box, **llm), tmp_path, lang)) == expected
