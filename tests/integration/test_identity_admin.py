"""The identity console (/admin/identity) and `belfort admin oidc ...`: providers, their claim mapping,
the last sign-ins and the sweep; only administrators reach them."""

from __future__ import annotations

import io
import sys

import pytest

from appliance.access import accounts, oidc_config, oidc_users
from appliance.errors import BelfortError
from tests.integration.web_support import PW, csrf, sign_in

ISSUER = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0"


@pytest.fixture
def web(appliance):
    from litestar.testing import TestClient

    from ops.webapp import create_app

    accounts.create_user(appliance, "admin", PW, role="admin")
    accounts.create_user(appliance, "anna", PW, role="staff")
    with TestClient(create_app(appliance)) as client:
        yield client


def _form(**fields: str) -> dict[str, str]:
    base = {"name": "entra", "preset": "entra", "title": "Gemeente", "issuer": ISSUER, "client_id": "belfort-app",
            "client_secret": "geheim-geheim", "scopes": "openid profile email", "username_claim": "preferred_username",
            "groups_claim": "groups", "roles_claim": "roles", "group_map": "GG-Bouw = bouwgroep\nGG-Welzijn=welzijngroep",
            "role_map": "Belfort.Admin = admin", "require_mapped": "1", "enabled": "1"}
    return {**base, **fields}


def test_admin_saves_a_provider_and_its_mapping(appliance, web):
    sign_in(web, "admin")
    r = web.post("/admin/identity/providers", data={**_form(), "_csrf_token": csrf(web)}, follow_redirects=False)
    assert r.status_code == 303, r.text[:400]
    info = oidc_config.get_provider(appliance, "entra")
    assert oidc_config.client_secret(appliance, info) == "geheim-geheim" and info.issuer == ISSUER
    assert info.client_secret.startswith("sealed:v1:") and "geheim" not in info.client_secret  # sealed at rest
    assert info.mapping["groups"] == {"GG-Bouw": "bouwgroep", "GG-Welzijn": "welzijngroep"}
    assert info.mapping["roles"] == {"Belfort.Admin": "admin"} and info.mapping["require_mapped"] is True
    page = web.get("/admin/identity").text
    assert "GG-Welzijn = welzijngroep" in page and "/sign-in/oidc/callback" in page
    assert "geheim-geheim" not in page  # the secret is never shown again
    # an empty secret field keeps the stored one; an unknown role is refused with the form kept
    web.post("/admin/identity/providers", data={**_form(client_secret=""), "_csrf_token": csrf(web)})
    assert oidc_config.client_secret(appliance, oidc_config.get_provider(appliance, "entra")) == "geheim-geheim"
    bad = web.post("/admin/identity/providers", data={**_form(role_map="X = koning"), "_csrf_token": csrf(web)})
    assert bad.status_code == 400 and 'role="alert"' in bad.text


def test_the_sign_in_page_offers_enabled_providers_only(appliance, web):
    oidc_config.save_provider(appliance, "entra", actor="t", preset="entra", issuer=ISSUER, client_id="x",
                              title="Aanmelden <Gemeente>")
    page = web.get("/sign-in").text
    assert 'action="/sign-in/oidc/entra"' in page and "Aanmelden &lt;Gemeente&gt;" in page
    oidc_config.save_provider(appliance, "entra", actor="t", enabled=False)
    assert "/sign-in/oidc/entra" not in web.get("/sign-in").text
    r = web.post("/sign-in/oidc/entra", data={"next": "/", "_csrf_token": csrf(web)}, follow_redirects=False)
    assert r.status_code == 404 and 'role="alert"' in r.text


def test_staff_cannot_reach_the_console(web):
    sign_in(web, "anna")
    assert web.get("/admin/identity", follow_redirects=False).status_code == 403
    r = web.post("/admin/identity/providers", data={**_form(), "_csrf_token": csrf(web)}, follow_redirects=False)
    assert r.status_code == 403


def test_provider_settings_are_checked(appliance):
    with pytest.raises(BelfortError) as exc:
        oidc_config.save_provider(appliance, "Bad Name", actor="t", issuer=ISSUER, client_id="x")
    assert exc.value.code == "oidc.bad_name"
    with pytest.raises(BelfortError) as exc:
        oidc_config.save_provider(appliance, "entra", actor="t", issuer="https://login.microsoftonline.com/{tenant-id}/v2.0",
                                  client_id="x")
    assert exc.value.code == "oidc.bad_issuer"
    with pytest.raises(BelfortError) as exc:
        oidc_config.save_provider(appliance, "entra", actor="t", issuer=ISSUER)
    assert exc.value.code == "oidc.incomplete"
    info = oidc_config.save_provider(appliance, "vlaanderen", actor="t", preset="acmidm",
                                     issuer="https://authenticatie.vlaanderen.be/op", client_id="x")
    assert (info.scopes, info.username_claim, info.groups_claim) == ("openid profile vo", "vo_id", "")


def test_mapping_takes_the_highest_role_and_known_groups():
    mapping = oidc_config.normalise_mapping({"groups": {"A": "a", "B": "b"}, "roles": {"R1": "staff", "R2": "admin",
                                                                                       "A": "archivist"}})
    assert oidc_config.map_claims(mapping, ["A", "Z"], ["R1"]) == (["a"], "archivist")
    assert oidc_config.map_claims(mapping, [], ["R2", "R1"]) == ([], "admin")
    assert oidc_config.map_claims(mapping, ["Z"], []) == ([], None)


def _cli(monkeypatch, tmp_path, *args: str, stdin: str = "") -> tuple[int, str]:
    from ops.cli import main

    monkeypatch.chdir(tmp_path)  # no stray belfort.toml
    for key, value in {"BELFORT_DATA_DIR": str(tmp_path / "data"), "BELFORT_MODELS_DIR": str(tmp_path / "m"),
                       "BELFORT_PROFILE": "test", "BELFORT_SEARCH__EMBEDDER": "fake",
                       "BELFORT_LLM__ENGINE": "none"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    code = main(list(args))
    return code, out.getvalue()


def test_cli_adds_maps_lists_and_sweeps(monkeypatch, tmp_path):
    code, out = _cli(monkeypatch, tmp_path, "admin", "oidc", "add", "adfs", "--preset", "adfs", "--issuer",
                     "https://adfs.gemeente.be/adfs", "--client-id", "belfort", "--client-secret-stdin",
                     stdin="s3cret\n")
    assert code == 0 and "saved provider adfs" in out
    code, out = _cli(monkeypatch, tmp_path, "admin", "oidc", "map", "adfs", "--group", "GG-Bouw=bouwgroep",
                     "--role", "Belfort-Beheer=admin")
    assert code == 0 and "1 group and 1 role" in out
    code, out = _cli(monkeypatch, tmp_path, "admin", "oidc", "list")
    assert code == 0 and "adfs\ton\tadfs\thttps://adfs.gemeente.be/adfs" in out and "groups<-group" in out
    code, out = _cli(monkeypatch, tmp_path, "admin", "oidc", "presets")
    assert "https://authenticatie.vlaanderen.be/op" in out and "/sign-in/oidc/callback" in out
    code, out = _cli(monkeypatch, tmp_path, "admin", "oidc", "sweep", "--days", "30")
    assert code == 0 and "deactivated 0 user(s)" in out
    code, _ = _cli(monkeypatch, tmp_path, "admin", "oidc", "map", "adfs", "--role", "X=koning")
    assert code != 0


def test_provision_ignores_unmapped_claims_when_allowed(appliance):
    row_info = oidc_config.save_provider(appliance, "open", actor="t", issuer=ISSUER, client_id="x",
                                         mapping={"require_mapped": False})
    assert not row_info.mapping["require_mapped"]
    who = oidc_users.provision(appliance, oidc_config.get_provider(appliance, "open"),
                               {"sub": "s-1", "preferred_username": "piet@gemeente.be", "groups": ["GG-X"]})
    assert who.username == "piet@gemeente.be" and who.role == "staff" and not who.group_ids


def test_the_sweep_runs_every_night(appliance):
    from datetime import datetime

    from appliance.jobs import queue_for

    periodic = {t.name: t for t in queue_for(appliance.settings, immediate=True)._registry.periodic_tasks}
    assert periodic["oidc_sweep"].validate_datetime(datetime(2026, 1, 1, 4, 10))
    assert not periodic["oidc_sweep"].validate_datetime(datetime(2026, 1, 1, 5, 10))


def test_an_entra_group_overage_neither_admits_nor_deactivates(appliance):
    oidc_config.save_provider(appliance, "entra", actor="t", preset="entra", issuer=ISSUER, client_id="x",
                              mapping={"groups": {"GG-Bouw": "bouwgroep"}})
    row = oidc_config.get_provider(appliance, "entra")
    who = oidc_users.provision(appliance, row, {"sub": "s-9", "preferred_username": "an@gemeente.be",
                                                "groups": ["GG-Bouw"]})
    assert who.group_ids
    with pytest.raises(BelfortError) as exc:  # past 200 groups Entra sends a Graph link instead
        oidc_users.provision(appliance, row, {"sub": "s-9", "preferred_username": "an@gemeente.be",
                                              "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {}}})
    assert exc.value.code == "oidc.groups_overage"
    assert next(u for u in accounts.list_users(appliance) if u.username == "an@gemeente.be").active


def test_a_user_in_two_thousand_groups_gets_the_mapped_ones(appliance):
    oidc_config.save_provider(appliance, "adfs", actor="t", preset="adfs", issuer="https://adfs.gemeente.be/adfs",
                              client_id="x", mapping={"groups": {"GG-1999": "welzijngroep", "GG-7": "bouwgroep"}})
    claims = {"sub": "s-2000", "upn": "veel@gemeente.be", "group": [f"GG-{n}" for n in range(2000)]}
    oidc_users.provision(appliance, oidc_config.get_provider(appliance, "adfs"), claims)
    user = next(u for u in accounts.list_users(appliance) if u.username == "veel@gemeente.be")
    assert user.groups == ("bouwgroep", "welzijngroep") and user.active
