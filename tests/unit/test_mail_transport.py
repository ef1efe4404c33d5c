"""Mail transport settings and doctor checks (finding 4); the servers themselves: test_mail_tls.py."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from appliance.checks import check_mail_transport
from appliance.context import open_appliance
from appliance.errors import BelfortError
from appliance.mail.transport import tls_context
from appliance.settings import load_settings
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.tls_certs import make_pki


def test_verified_tls_is_the_default_for_both_servers() -> None:
    s = load_settings(None, environ={})
    assert (s.mail.smtp_security, s.intake.imap_security, s.mail.ca_bundle) == ("starttls", "tls", "")
    ctx = tls_context(s.mail)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.mark.parametrize(("old", "new"), [("BELFORT_MAIL__SMTP_STARTTLS", "mail.smtp_security"),
                                          ("BELFORT_INTAKE__IMAP_SSL", "intake.imap_security")])
def test_a_replaced_setting_names_its_successor(old: str, new: str) -> None:
    with pytest.raises(BelfortError) as err:
        load_settings(None, environ={old: "true"})
    assert err.value.code == "settings.unknown_key" and new in err.value.hint


def test_an_unknown_security_mode_is_refused() -> None:
    with pytest.raises(BelfortError) as err:
        load_settings(None, environ={"BELFORT_MAIL__SMTP_SECURITY": "none"})
    assert err.value.code == "settings.invalid" and "mail.smtp_security" in err.value.message


def test_the_ca_bundle_is_trusted_beside_the_system_cas(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "ca")
    plain = tls_context(load_settings(None, environ={}).mail)
    with_ca = tls_context(load_settings(None, environ={"BELFORT_MAIL__CA_BUNDLE": str(pki.ca_pem)}).mail)
    assert with_ca.cert_store_stats()["x509_ca"] == plain.cert_store_stats()["x509_ca"] + 1
    for bad in (tmp_path / "missing.pem", pki.key_pem):
        with pytest.raises(BelfortError) as err:
            tls_context(load_settings(None, environ={"BELFORT_MAIL__CA_BUNDLE": str(bad)}).mail)
        assert err.value.code == "mail.ca_bundle_invalid" and str(bad) in err.value.message


def test_doctor_warns_about_plain_and_names_the_setting(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, mail={"smtp_host": "smtp.gemeente.example", "smtp_security": "plain"},
                             intake={"imap_host": "imap.gemeente.example", "imap_security": "plain"})
    checks = {c.name: c for c in check_mail_transport(open_appliance(settings, embedder=FakeEmbedder()))}
    for key in ("mail.smtp_security", "intake.imap_security"):
        assert checks[key].level == "warning" and "in clear" in checks[key].message
        assert f'{key} = "starttls"' in checks[key].hint


def test_doctor_is_quiet_about_verified_tls_and_unset_servers(tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "ca")
    quiet = open_appliance(make_settings(tmp_path / "a"), embedder=FakeEmbedder())
    assert check_mail_transport(quiet) == []  # no mail servers: mail.smtp says that already
    settings = make_settings(tmp_path / "b", mail={"smtp_host": "smtp.gemeente.example", "ca_bundle": str(pki.ca_pem)},
                             intake={"imap_host": "imap.gemeente.example", "imap_security": "starttls"})
    checks = check_mail_transport(open_appliance(settings, embedder=FakeEmbedder()))
    assert [(c.name, c.level) for c in checks] == [("mail.smtp_security", "ok"), ("intake.imap_security", "ok"),
                                                   ("mail.ca_bundle", "ok")]
