from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.settings import load_settings, settings_table


def test_layers_defaults_toml_env_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "belfort.toml"
    toml.write_text('data_dir = "/srv/belfort"\n[web]\nport = 9000\nmax_upload_mb = 50\n', "utf-8")
    env = {"BELFORT_WEB__PORT": "9100", "BELFORT_SEARCH__RRF_K": "30"}
    s = load_settings(toml, environ=env, overrides={"search": {"rrf_k": 10}})
    assert s.data_dir == Path("/srv/belfort")
    assert s.web.port == 9100  # env beats the file
    assert s.web.max_upload_mb == 50  # the file beats the default
    assert s.search.rrf_k == 10  # the admin's override beats env
    assert s.web.host == "127.0.0.1"  # untouched default


def test_unknown_key_fails_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(BelfortError) as err:
        load_settings(None, environ={"BELFORT_WEB__PROT": "1"})
    assert err.value.code == "settings.unknown_key"
    assert "web.port" in err.value.hint


def test_invalid_value_names_the_key() -> None:
    with pytest.raises(BelfortError) as err:
        load_settings(None, environ={"BELFORT_WEB__PORT": "not-a-number"})
    assert err.value.code == "settings.invalid"
    assert "web.port" in err.value.message


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    for key, _default, description in settings_table():
        assert description, f"setting {key} has no description"
        assert f"`{key}`" in readme, f"setting {key} missing from README's settings table"
