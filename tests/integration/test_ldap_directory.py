"""Issue 13, LDAP/AD against a real OpenLDAP slapd on loopback (AD-like entries): bind-and-search
sign-in over LDAPS and StartTLS, the group sync with nested groups, a group loop and a user in 2,000
groups, and the adversarial case: a member removed in the directory loses the group's documents in
search, Ask, downloads and the API at the next sync, in the same browser session and with the same token."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from appliance import access, documents
from appliance.ask.answering import answer
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import DirectoryAccount, DirectoryGroup, DirectorySync, Group, User
from appliance.errors import BelfortError
from appliance.jobs import queue_for
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.filefactory import make_text
from tests.integration.ldap_server import (
    BULK,
    SUFFIX,
    Slapd,
    group_dn,
    group_ldif,
    needs_slapd,
    running_slapd,
    user_dn,
    user_ldif,
)
from tests.integration.tls_certs import make_pki
from tests.integration.web_support import sign_in

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]), needs_slapd]

PW = "directory-wachtwoord-1"
MANY = 2000
BOUW_TEXT = "De omgevingsvergunning voor de sporthal aan de Vaartstraat werd verleend."


def _directory() -> str:
    people = "".join(user_ldif(n, PW, 1100 + i, disabled=(n == "bert"))
                     for i, n in enumerate(["anna", "wout", "bert", "many", "lone", "admin"]))
    groups = (group_ldif("GG Bouw", 2001, [group_dn("GG Bouw Team")])
              + group_ldif("GG Bouw Team", 2002, [user_dn("anna")])
              + group_ldif("GG Welzijn", 2003, [user_dn("wout")])
              + group_ldif("Loop A", 2004, [group_dn("Loop B"), user_dn("anna")])
              + group_ldif("Loop B", 2005, [group_dn("Loop A")])
              + group_ldif("GG Archief", 2006, [user_dn("wout")]))
    many = "".join(group_ldif(f"Many {i:04d}", 3000 + i, [user_dn("many")], BULK) for i in range(MANY))
    return people + groups + many


@pytest.fixture(scope="module")
def slapd() -> Iterator[Slapd]:
    yield from running_slapd(_directory())


def _app(tmp_path, slapd: Slapd, security: str = "ldaps", **extra: object) -> Appliance:  # type: ignore[no-untyped-def]
    ldap = slapd.settings(security, archivist_groups=["GG Archief"], **extra)
    return open_appliance(make_settings(tmp_path, ldap=ldap), embedder=FakeEmbedder())


def _who(app: Appliance, username: str) -> access.Principal | None:
    with read_session(app.db) as s:
        return access.requester(s, username)


def _groups_of(app: Appliance, username: str) -> set[str]:
    return {u.groups for u in access.list_users(app) if u.username == username}.pop()  # type: ignore[return-value]


def test_sync_mirrors_users_and_nested_groups_with_a_loop_and_2000_groups(tmp_path, slapd) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path, slapd, group_base=SUFFIX)
    started = time.perf_counter()
    report = access.ldap_sync(app)
    took = time.perf_counter() - started
    assert report.ok, report.error
    assert report.groups == MANY + 6 and report.users == 6
    assert set(_groups_of(app, "anna")) == {"GG-Bouw", "GG-Bouw-Team", "Loop-A", "Loop-B"}  # nested + loop
    assert set(_groups_of(app, "wout")) == {"GG-Welzijn", "GG-Archief"}
    assert len(_groups_of(app, "many")) == MANY
    users = {u.username: u for u in access.list_users(app)}
    assert not users["bert"].active and users["anna"].active  # disabled in the directory
    assert users["wout"].role == "archivist" and users["anna"].role == "staff"
    with read_session(app.db) as s:
        bouw = s.exec(select(Group).where(Group.name == "GG-Bouw")).one()
        row = s.get(DirectoryGroup, bouw.id)
        assert row is not None and row.sid == "S-1-5-21-1000-2000-3000-2001"
        anna = s.exec(select(User).where(User.username == "anna")).one()
        account = s.get(DirectoryAccount, anna.id)
        assert account is not None and account.sid == "S-1-5-21-1000-2000-3000-1100"
    assert took < 60, took
    again = access.ldap_sync(app)  # nothing changed in the directory: nothing changes here
    assert again.ok and again.changes == []
    many = _who(app, "many")
    assert many is not None and len(many.group_ids) == MANY
    status = access.provider_status(app)
    assert status.reachable and status.groups == MANY + 6 and status.last_sync is not None and status.last_sync.ok
    print(f"sync of {MANY + 6} groups and 6 users: {took:.2f} s")


def test_a_local_account_keeps_its_name_and_signs_in_locally_when_the_directory_is_down(tmp_path, slapd) -> None:  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, ldap={**slapd.settings(), "url": "ldaps://127.0.0.1:1"}),
                         embedder=FakeEmbedder())
    access.create_user(app, "admin", "een lang wachtwoord", role="admin")
    assert access.authenticate(app, "admin", "een lang wachtwoord").is_admin  # break-glass admin
    with pytest.raises(BelfortError) as err:
        access.authenticate(app, "anna", PW)
    assert err.value.code == "ldap.unreachable" and err.value.status == 503
    assert "local administrators" in (err.value.hint or "")
    # With the directory back, its 'admin' user does not take over the local account.
    app2 = open_appliance(make_settings(tmp_path, ldap=slapd.settings()), embedder=FakeEmbedder())
    report = access.ldap_sync(app2)
    assert any(c["kind"] == "user.conflict" and c["user"] == "admin" for c in report.changes)
    with pytest.raises(BelfortError) as bad:
        access.authenticate(app2, "admin", PW)  # the directory's password is not the local one
    assert bad.value.code == "auth.invalid"


@pytest.mark.parametrize("security", ["ldaps", "starttls"])
def test_sign_in_binds_as_the_user_over_a_verified_tls_connection(tmp_path, slapd, security) -> None:  # type: ignore[no-untyped-def]
    app = _app(tmp_path, slapd, security)
    who = access.authenticate(app, "anna", PW)
    assert who.username == "anna" and len(who.group_ids) == 4  # nested groups resolved at sign-in too
    for user, password in (("anna", "wrong-password-1"), ("anna", ""), ("nobody", PW), ("*", PW), ("bert", PW)):
        with pytest.raises(BelfortError) as err:
            access.authenticate(app, user, password)
        assert err.value.code == "auth.invalid", (user, err.value.code)
    # A certificate from another CA is refused: the connection is verified, never just encrypted.
    other = _app(tmp_path / "other", slapd, security, ca_file=str(make_pki(tmp_path / "ca").ca_pem))
    with pytest.raises(BelfortError) as err:
        access.authenticate(other, "anna", PW)
    assert err.value.code == "ldap.unreachable"


def _world(app: Appliance, tmp_path) -> int:  # type: ignore[no-untyped-def]
    documents.ensure_collection(app, "bouw", "Bouwdossiers", [])
    access.ldap_sync(app)
    access.set_collection_groups(app, "bouw", ["GG-Bouw"])
    doc = documents.ingest_file(app, make_text(tmp_path / "src" / "sporthal.txt", BOUW_TEXT), "bouw")
    assert doc.document_id
    return doc.document_id


def test_a_member_removed_in_the_directory_loses_access_at_the_next_sync(tmp_path, slapd) -> None:  # type: ignore[no-untyped-def]
    from litestar.testing import TestClient

    from ops.webapp import create_app

    app = _app(tmp_path, slapd)
    doc_id = _world(app, tmp_path)
    queue_for(app, immediate=True)
    token = access.create_token(app, "anna", "tests")
    api = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(app)) as web:
        assert sign_in(web, "anna", PW).status_code in (302, 303)

        def sees() -> dict[str, bool]:
            who = _who(app, "anna")
            assert who is not None
            return {
                "page": "Vaartstraat" in web.get("/", params={"q": "sporthal"}).text,
                "download": web.get(f"/documents/{doc_id}/original").status_code == 200,
                "api_search": any(h["document_id"] == doc_id for h in
                                  web.get("/api/v1/search", params={"q": "sporthal"}, headers=api).json()["hits"]),
                "api_download": web.get(f"/api/v1/documents/{doc_id}/original", headers=api).status_code == 200,
                "ask": doc_id in {s.document_id for s in answer(app, who, "Wie verleende de vergunning voor de sporthal?").sources},
            }

        assert all(sees().values()), sees()
        slapd.modify(group_dn("GG Bouw Team"), {"member": [("MODIFY_DELETE", [user_dn("anna")])]})
        try:
            assert all(sees().values())  # the directory changed; Belfort follows at the next sync
            report = access.ldap_sync(app)
            assert {"kind": "user.changed", "user": "anna"}.items() <= next(
                c for c in report.changes if c.get("user") == "anna").items()
            assert not any(sees().values()), sees()  # same session, same token: no sign-out needed
        finally:
            slapd.modify(group_dn("GG Bouw Team"), {"member": [("MODIFY_ADD", [user_dn("anna")])]})
        access.ldap_sync(app)
        assert all(sees().values())
    with read_session(app.db) as s:
        runs = s.exec(select(DirectorySync)).all()
        assert [r.ok for r in runs] == [True, True, True]


def test_a_directory_admin_needs_no_local_totp_but_doctor_and_the_console_name_them(tmp_path, slapd) -> None:  # type: ignore[no-untyped-def]
    """TOTP stays with local accounts: an LDAP admin signs in with the directory password alone, and
    `belfort doctor` and /admin/identity say so; a local admin who passed TOTP is not named."""
    from litestar.testing import TestClient

    from appliance.checks import check_admin_second_factor, run_checks
    from ops.webapp import create_app

    app = _app(tmp_path, slapd, admin_groups=["GG Welzijn"])
    access.create_user(app, "beheer", "een lang lokaal wachtwoord", role="admin")  # the break-glass admin
    with TestClient(create_app(app)) as web:
        assert sign_in(web, "beheer", "een lang lokaal wachtwoord").status_code == 303  # with TOTP (enrolled)
        assert access.admins_without_second_factor(app) == [] and check_admin_second_factor(app).ok
    with TestClient(create_app(app)) as web:
        r = sign_in(web, "wout", PW)
        assert r.status_code == 303 and r.headers["location"] == "/"  # no /sign-in/second-factor step
        assert next(u for u in access.list_users(app) if u.username == "wout").role == "admin"
        [flagged] = access.admins_without_second_factor(app)
        assert (flagged.username, flagged.auth_source, flagged.second_factor) == ("wout", "ldap", "none")
        [check] = [c for c in run_checks(app) if c.name == "identity.admin_second_factor"]
        assert not check.ok and not check.required and "wout (ldap)" in check.message
        page = web.get("/admin/identity").text
        assert "wout (ldap)" in page and "zonder tweede factor" in page
    access.update_user(app, "wout", role="staff")  # IT takes the admin role away: no more warning
    assert access.admins_without_second_factor(app) == []
