"""Throwaway certificate authorities for the mail transport tests, and a man in the middle: made in the
test, never on disk beyond a temporary folder, never trusted by anything but the settings that name them.

`mail_pki()` is the mail servers' usual CA and a certificate for 127.0.0.1 and localhost (the
fixtures of mail_servers.py serve it; the appliance trusts it through `mail.ca_bundle`).
`make_pki(folder, ...)` makes another one: a man in the middle's self-signed certificate, or one
for the wrong host name. `Interceptor` is the attack of finding 4: TLS with its own certificate in
front of a real server, keeping whatever the client says."""

from __future__ import annotations

import atexit
import ipaddress
import shutil
import socket
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_NAMES = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Pki:
    ca_pem: Path  # what a client trusts (mail.ca_bundle)
    cert_pem: Path  # the server's certificate (chain: the certificate alone, the CA is the trust root)
    key_pem: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_pem, self.key_pem)
        return ctx


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Belfort test"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(names: tuple[str, ...]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_pki(folder: Path, *, names: tuple[str, ...] = LOOPBACK_NAMES, self_signed: bool = False) -> Pki:
    """A CA and a server certificate for `names`, signed by it; with self_signed=True the server
    certificate signs itself (what a man in the middle presents) and is also written as ca_pem."""
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    ca_key = key if self_signed else ec.generate_private_key(ec.SECP256R1())
    issuer = _name(names[0]) if self_signed else _name("Belfort test CA")
    builder = (x509.CertificateBuilder().subject_name(_name(names[0])).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=2))
               .add_extension(_san(names), critical=False)
               .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.BasicConstraints(ca=self_signed, path_length=None), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    cert = builder.sign(ca_key, hashes.SHA256())
    ca_cert = cert
    if not self_signed:
        ca_cert = (x509.CertificateBuilder().subject_name(issuer).issuer_name(issuer)
                   .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=2))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
                   .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .sign(ca_key, hashes.SHA256()))
    pki = Pki(ca_pem=folder / "ca.pem", cert_pem=folder / "server.pem", key_pem=folder / "server.key")
    pki.ca_pem.write_bytes(_pem(ca_cert))
    pki.cert_pem.write_bytes(_pem(cert))
    pki.key_pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()))
    for path in (pki.ca_pem, pki.cert_pem, pki.key_pem):
        path.chmod(0o644)  # dovecot's config process reads them; the folder is a throwaway
    return pki


@cache
def mail_pki() -> Pki:
    """The mail servers' CA for the whole test session (one key pair is enough, and it is quick)."""
    folder = Path(tempfile.mkdtemp(prefix="belfort-test-ca-"))
    folder.chmod(0o755)
    atexit.register(shutil.rmtree, folder, True)
    return make_pki(folder)


class Interceptor:
    """A man in the middle on 127.0.0.1: it answers TLS with its own certificate (`pki`), relays in
    clear to the real server at `upstream`, and keeps what the client sent after the handshake (a
    password, a mail). `handshakes` counts the clients that accepted its certificate."""

    def __init__(self, port: int, upstream: int, pki: Pki) -> None:
        self.captured = bytearray()
        self.handshakes = 0
        self._context = pki.server_context()
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", port))
        self._listener.settimeout(0.2)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def __enter__(self) -> Self:
        self._spawn(self._accept_loop)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self._spawn(self._serve, conn)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            client = self._context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            conn.close()  # the client refused the certificate: nothing was said
            return
        self.handshakes += 1
        upstream = socket.create_connection(("127.0.0.1", self._upstream), timeout=5)
        self._spawn(self._pipe, upstream, client, False)
        self._pipe(client, upstream, True)

    def _pipe(self, source: socket.socket, sink: socket.socket, record: bool) -> None:
        try:
            while not self._stop.is_set():
                try:
                    data = source.recv(65536)
                except TimeoutError:
                    continue
                if not data:
                    break
                if record:
                    self.captured += data
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass
