"""Finding 4: the mailbox password and routed mail never go over an unverified or clear connection.

Real servers on loopback: dovecot (IMAP, STARTTLS and IMAPS) and aiosmtpd (SMTP, STARTTLS or implicit
TLS, with a login), each with certificates made here, plus a man in the middle that answers TLS with a
self-signed certificate and relays to the real server. The appliance must refuse every certificate
it cannot verify, and a server without STARTTLS, before it says its password; it connects when
`mail.ca_bundle` names the CA; and it speaks in clear only where a setting says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.checks import check_mail_transport
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import OutboxMessage
from appliance.errors import BelfortError
from appliance.mail import outbox
from appliance.triage.imap import poll_mailbox
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.mail_servers import (
    PASSWORD,
    USER,
    Dovecot,
    Hook,
    SmtpSink,
    appliance_for,
    free_port,
    mail,
    needs_dovecot,
    running_dovecot,
)
from tests.integration.tls_certs import Interceptor, Pki, mail_pki, make_pki

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]


@pytest.fixture
def attacker(tmp_path: Path) -> Pki:
    """A man in the middle's certificate: self-signed, for the right address."""
    return make_pki(tmp_path / "mitm", self_signed=True)


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def _untrusted(tmp_path: Path, case: str) -> tuple[Pki, str]:
    """A server certificate the appliance must refuse, and the CA bundle it is given: the usual test
    CA beside a self-signed certificate, or the very CA that signed a certificate for another host."""
    if case == "self_signed":
        return make_pki(tmp_path / case, self_signed=True), str(mail_pki().ca_pem)
    pki = make_pki(tmp_path / case, names=("mail.elders.example",))
    return pki, str(pki.ca_pem)  # trusting the CA is not enough: the certificate must name the host


def _refused(app: Appliance, code: str) -> BelfortError:
    with pytest.raises(BelfortError) as err:
        poll_mailbox(app)
    assert err.value.code == code, err.value
    return err.value


# --- IMAP ------------------------------------------------------------------------------------------


@needs_dovecot
def test_imap_man_in_the_middle_gets_no_password(tmp_path: Path, dovecot: Dovecot, attacker: Pki) -> None:
    port = free_port()
    app = appliance_for(tmp_path, dovecot, intake={"imap_port": port, "imap_security": "tls"})
    with Interceptor(port, dovecot.port, attacker) as mitm:
        err = _refused(app, "mail.tls_failed")
    assert "mail.ca_bundle" in err.hint
    assert mitm.handshakes == 0 and PASSWORD.encode() not in mitm.captured and not mitm.captured
    assert dovecot.logins() == 0


@needs_dovecot
@pytest.mark.parametrize("case", ["self_signed", "other_host"])
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_imap_refuses_a_certificate_it_cannot_verify(tmp_path: Path, case: str, security: str) -> None:
    pki, bundle = _untrusted(tmp_path, case)
    with running_dovecot(pki=pki) as server:
        port = server.port if security == "starttls" else server.imaps_port
        app = appliance_for(tmp_path, server, intake={"imap_port": port, "imap_security": security},
                            mail={"ca_bundle": bundle})
        err = _refused(app, "mail.tls_failed")
        assert server.logins() == 0
    assert ("mismatch" in err.message.lower()) == (case == "other_host")


@needs_dovecot
def test_imap_internal_ca_needs_the_ca_bundle(tmp_path: Path, dovecot: Dovecot) -> None:
    app = appliance_for(tmp_path, dovecot, mail={"ca_bundle": ""})  # the system's CAs do not know ours
    _refused(app, "mail.tls_failed")
    assert dovecot.logins() == 0


@needs_dovecot
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_imap_with_the_ca_bundle_reads_the_mailbox(tmp_path: Path, dovecot: Dovecot, security: str) -> None:
    dovecot.append(mail("Put", "Een put in het fietspad.", message_id="<tls@example.be>"))
    port = dovecot.port if security == "starttls" else dovecot.imaps_port
    app = appliance_for(tmp_path, dovecot, intake={"imap_port": port, "imap_security": security})
    assert poll_mailbox(app).received == 1
    logins = [line for line in dovecot.log.read_text().splitlines() if "Login: user=" in line]
    assert len(logins) == 2 and ", TLS," in logins[-1]  # the test's own APPEND, then the poller over TLS


@needs_dovecot
def test_imap_without_starttls_is_refused_unless_plain_is_set(tmp_path: Path) -> None:
    with running_dovecot(tls=False) as server:
        server.append(mail("Put", "Een put in het fietspad.", message_id="<plain@example.be>"))
        before = server.logins()  # the test's own APPEND
        err = _refused(appliance_for(tmp_path / "a", server), "mail.starttls_unavailable")
        assert "intake.imap_security" in err.hint
        assert server.logins() == before
        plain = appliance_for(tmp_path / "b", server, intake={"imap_security": "plain"})
        assert poll_mailbox(plain).received == 1
        assert server.logins() == before + 1
    warning = {c.name: c for c in check_mail_transport(plain)}["intake.imap_security"]
    assert warning.level == "warning" and "in clear" in warning.message


# --- SMTP ------------------------------------------------------------------------------------------


def _smtp_app(tmp_path: Path, port: int, **mail_settings: object) -> Appliance:
    settings = make_settings(tmp_path, mail={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_user": USER,
                                             "smtp_password": PASSWORD, "from_address": "belfort@gemeente.example",
                                             "ca_bundle": str(mail_pki().ca_pem), **mail_settings})
    return open_appliance(settings, embedder=FakeEmbedder())


def _send(app: Appliance) -> tuple[dict[str, int], OutboxMessage]:
    mid = outbox.enqueue_mail(app, to="omgeving@gemeente.example", subject="Triage: wegschade", body="Nieuw item")
    counts = outbox.deliver_due(app)
    with read_session(app.db) as s:
        row = s.get(OutboxMessage, mid)
    assert row is not None
    return counts, row


def _nothing_said(sink: SmtpSink) -> None:
    assert sink.logins == [] and sink.messages == []


def test_smtp_without_starttls_never_logs_in(tmp_path: Path) -> None:
    port = free_port()
    app = _smtp_app(tmp_path, port)  # the default: STARTTLS required
    with SmtpSink(port, tls="none", auth=True) as sink:
        counts, row = _send(app)
    _nothing_said(sink)
    assert counts["retry"] == 1 and (row.state, row.last_error) == ("pending", "mail.starttls_unavailable")


@pytest.mark.parametrize("case", ["self_signed", "other_host"])
@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_smtp_refuses_a_certificate_it_cannot_verify(tmp_path: Path, case: str, tls: str) -> None:
    port, (pki, bundle) = free_port(), _untrusted(tmp_path, case)
    app = _smtp_app(tmp_path, port, ca_bundle=bundle,
                    smtp_security="starttls" if tls == "starttls" else "tls")
    with SmtpSink(port, tls=tls, pki=pki, auth=True) as sink:
        _, row = _send(app)
    _nothing_said(sink)
    assert (row.state, row.last_error) == ("pending", "mail.tls_failed")


def test_smtp_man_in_the_middle_gets_neither_password_nor_mail(tmp_path: Path, attacker: Pki) -> None:
    port, real = free_port(), free_port()
    app = _smtp_app(tmp_path, port, smtp_security="tls")
    with SmtpSink(real, tls="none", auth=True) as sink, Interceptor(port, real, attacker) as mitm:
        _, row = _send(app)
    _nothing_said(sink)
    assert mitm.handshakes == 0 and not mitm.captured and row.last_error == "mail.tls_failed"


@pytest.mark.parametrize(("security", "tls"), [("starttls", "starttls"), ("tls", "implicit")])
def test_smtp_with_the_ca_bundle_logs_in_and_sends_over_tls(tmp_path: Path, security: str, tls: str) -> None:
    port = free_port()
    app = _smtp_app(tmp_path, port, smtp_security=security)
    with SmtpSink(port, tls=tls, auth=True) as sink:
        counts, row = _send(app)
    assert counts["sent"] == 1 and row.state == "sent"
    assert sink.logins == [(USER.encode(), PASSWORD.encode())] and sink.over_tls == [True]
    assert {c.name: c for c in check_mail_transport(app)}["mail.smtp_security"].ok


def test_smtp_in_clear_only_when_set_and_the_doctor_warns(tmp_path: Path) -> None:
    port = free_port()
    app = _smtp_app(tmp_path, port, smtp_security="plain")
    with SmtpSink(port, tls="none", auth=True) as sink:
        counts, _ = _send(app)
    assert counts["sent"] == 1 and sink.over_tls == [False] and len(sink.logins) == 1
    check = {c.name: c for c in check_mail_transport(app)}["mail.smtp_security"]
    assert check.level == "warning" and "mail.smtp_security" in check.hint


def test_unreadable_ca_bundle_keeps_mail_waiting_and_the_doctor_says_why(tmp_path: Path) -> None:
    port = free_port()
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not a certificate\n")
    app = _smtp_app(tmp_path, port, ca_bundle=str(bundle))
    with SmtpSink(port, auth=True) as sink:
        counts, row = _send(app)
    _nothing_said(sink)
    assert counts["waiting"] == 1 and (row.attempts, row.last_error) == (0, "mail.ca_bundle_invalid")
    check = {c.name: c for c in check_mail_transport(app)}["mail.ca_bundle"]
    assert check.level == "warning" and str(bundle) in check.message


# --- webhooks: https verified the same way ---------------------------------------------------------



@pytest.mark.parametrize(("bundle", "delivered"), [("test_ca", True), ("", False)])
def test_https_webhook_trusts_the_ca_bundle(tmp_path: Path, bundle: str, delivered: bool) -> None:
    port = free_port()
    app = _smtp_app(tmp_path, port, ca_bundle=str(mail_pki().ca_pem) if bundle else "")
    mid = outbox.enqueue_webhook(app, url=f"https://127.0.0.1:{port}/hook", payload={"item": 7})
    with Hook(port, mail_pki().server_context()) as hook:
        counts = outbox.deliver_due(app)
    with read_session(app.db) as s:
        row = s.get(OutboxMessage, mid)
    assert row is not None
    assert (counts["sent"], len(hook.received)) == ((1, 1) if delivered else (0, 0))
    assert row.last_error == ("" if delivered else "webhook ConnectError")
