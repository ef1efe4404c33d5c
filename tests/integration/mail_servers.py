"""Real mail servers on loopback for the triage and outbox tests: Debian's dovecot (IMAP), started per
test in a temporary folder, and aiosmtpd (SMTP) keeping what it receives; plus the appliance those
tests share (IMAP intake on the dovecot, SMTP to the sink, the example taxonomy, optionally real e5).
Both servers speak TLS with a certificate of the test CA (tls_certs.mail_pki), which the appliance
trusts through `mail.ca_bundle`: the tests use the verified transport that production uses.

Tests using it mark themselves `enable_socket` + `allow_hosts(["127.0.0.1"])`: only loopback."""

from __future__ import annotations

import imaplib
import json
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

import pytest
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem
from appliance.triage.store import import_taxonomy
from models.fakes import FakeEmbedder
from tests.conftest import REPO, make_settings
from tests.integration.tls_certs import Pki, mail_pki

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
needs_dovecot = pytest.mark.skipif(not Path(DOVECOT).exists(),
                                   reason="dovecot-imapd is not installed (ops/setup.sh)")
USER, PASSWORD = "triage", "geheim-wachtwoord"
E5_MODEL = "multilingual-e5-small-q4"


def provisioned_models() -> Path:
    """Where `ops/setup.sh test` provisions the test models (as the embedder contract tests look)."""
    return Path(os.environ.get("BELFORT_TEST_MODELS", REPO / "var" / "test-models"))


def skip_without_e5() -> None:
    if not (provisioned_models() / E5_MODEL).is_dir():
        pytest.skip("test models not provisioned (ops/setup.sh test)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """aiosmtpd on 127.0.0.1 keeping every message it receives. It offers STARTTLS with `pki`'s
    certificate (the test CA's by default), or with tls="implicit" speaks TLS from the first byte, or
    with tls="none" none at all. With `auth`, it asks for a login and records every attempt."""

    def __init__(self, port: int, *, tls: str = "starttls", pki: Pki | None = None, auth: bool = False) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list[tuple[str, list[str], Message]] = []
        self.logins: list[tuple[bytes, bytes]] = []  # (user, password) of every AUTH the server saw
        self.over_tls: list[bool] = []  # per message: did it arrive over TLS
        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                      message_from_bytes(envelope.original_content)))
                sink.over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
                return "250 OK"

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
            sink.logins.append((bytes(data.login), bytes(data.password)))
            return AuthResult(success=bytes(data.password) == PASSWORD.encode())

        pki = pki or mail_pki()
        options: dict[str, Any] = {"authenticator": authenticate, "auth_require_tls": False} if auth else {}
        if tls == "starttls":
            options["tls_context"] = pki.server_context()
        elif tls == "implicit":
            options["ssl_context"] = pki.server_context()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port, **options)

    def __enter__(self) -> Self:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


@dataclass
class Dovecot:
    port: int  # IMAP, with STARTTLS unless started with tls=False
    log: Path
    imaps_port: int = 0  # implicit TLS; 0 when started with tls=False

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            assert conn.append(folder, None, None, raw)[0] == "OK"
        finally:
            conn.logout()

    def seen_and_count(self, folder: str = "INBOX") -> tuple[int, int]:
        conn = self.client()
        try:
            conn.select(folder, readonly=True)
            total = len(conn.uid("SEARCH", None, "ALL")[1][0].split())
            seen = len(conn.uid("SEARCH", None, "SEEN")[1][0].split())
            return seen, total
        finally:
            conn.logout()

    def logins(self) -> int:
        """How many logins dovecot accepted (each one is a password it received)."""
        time.sleep(0.3)
        return len(re.findall(r"imap-login: Info: Login: user=", self.log.read_text()))

    def bodies_fetched_by_last_session(self) -> int:
        """dovecot logs, per IMAP session, how many message bodies the client fetched."""
        time.sleep(0.3)  # the logout line is written just after the connection closes
        counts = re.findall(r"Disconnected: Logged out .*?body_count=(\d+)", self.log.read_text())
        return int(counts[-1])


@contextmanager
def running_dovecot(*, tls: bool = True, pki: Pki | None = None) -> Iterator[Dovecot]:
    """A dovecot with one user (USER/PASSWORD) and a maildir, listening on free loopback ports: IMAP
    with STARTTLS and IMAPS, with `pki`'s certificate (the test CA's by default); tls=False: IMAP only."""
    # Not under tmp_path: pytest makes that 0700, and dovecot's own users must reach the files.
    with tempfile.TemporaryDirectory(prefix="belfort-dovecot-") as tmp:
        yield from _run_dovecot(Path(tmp), (pki or mail_pki()) if tls else None)


def _ssl_conf(pki: Pki | None) -> tuple[str, int]:
    """dovecot's TLS settings and the IMAPS port (0: none). Plain login stays allowed on loopback for
    the tests' own helper client; the appliance never sends it there unless told to."""
    if pki is None:
        return "ssl = no", 0
    return f"ssl = yes\nssl_cert = <{pki.cert_pem}\nssl_key = <{pki.key_pem}", free_port()


def _run_dovecot(root: Path, pki: Pki | None) -> Iterator[Dovecot]:
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True)
    if os.geteuid() == 0:  # mail processes run as nobody, never as root; dovecot's own users for the rest
        uid, gid, internal, login = 65534, 65534, "dovecot", "dovenull"
        shutil.chown(root / "mail", "nobody", "nogroup")
    else:  # an unprivileged test run: everything as the current user
        uid, gid = os.getuid(), os.getgid()
        internal = login = pwd.getpwuid(uid).pw_name
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/mail/{USER}\n")
    port = free_port()
    ssl_conf, imaps_port = _ssl_conf(pki)
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
{ssl_conf}
disable_plaintext_auth = no
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
service anvil {{
  chroot =
}}
""")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("dovecot did not start: " + (proc.stderr.read() or b"").decode()[-2000:]
                                   if proc.stderr else "dovecot did not start")
            time.sleep(0.1)
    try:
        yield Dovecot(port=port, log=root / "dovecot.log", imaps_port=imaps_port)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def mail(subject: str, body: str, *, message_id: str | None, sender: str = "burger@example.be") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "meldingen@gemeente.example", subject
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg.as_bytes()


def appliance_for(tmp_path: Path, imap: Dovecot, *, intake: dict[str, object] | None = None,
                  smtp_port: int = 0, e5: bool = False, mail: dict[str, object] | None = None) -> Appliance:
    """An appliance reading the dovecot mailbox (STARTTLS), sending by SMTP to 127.0.0.1:smtp_port (when
    given, STARTTLS), trusting the test CA, with the example taxonomy imported; the real e5 embedder when
    e5=True, else the fake."""
    layer: dict[str, object] = {
        "intake": {"imap_host": "127.0.0.1", "imap_port": imap.port, "imap_security": "starttls",
                   "imap_user": USER, "imap_password": PASSWORD, **(intake or {})},
        "mail": {"from_address": "belfort@gemeente.example", "smtp_host": "127.0.0.1" if smtp_port else "",
                 "smtp_port": smtp_port or 25, "ca_bundle": str(mail_pki().ca_pem), **(mail or {})},
    }
    if e5:
        layer |= {"search": {"embedder": "e5", "embedder_model": E5_MODEL},
                  "models_dir": str(provisioned_models())}
    settings = make_settings(tmp_path, **layer)
    app = open_appliance(settings) if e5 else open_appliance(settings, embedder=FakeEmbedder())
    import_taxonomy(settings, REPO / "docs" / "examples" / "taxonomy-gemeente.yaml")
    return app


def items(app: Appliance) -> list[TriageItem]:
    with read_session(app.db) as s:
        return list(s.exec(select(TriageItem).order_by(TriageItem.id)).all())


class Hook:
    """A loopback HTTP server (https with `tls`, a server-side SSL context) that records JSON POSTs."""

    def __init__(self, port: int, tls: ssl.SSLContext | None = None) -> None:
        self.received: list[tuple[dict[str, str], Any]] = []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hook.received.append((dict(self.headers), json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)

    def __enter__(self) -> Self:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
