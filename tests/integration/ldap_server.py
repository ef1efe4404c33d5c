"""A real OpenLDAP slapd on loopback for the directory tests: AD-like entries (Debian's msuser schema:
objectClass user/group, sAMAccountName, binary objectSid, userAccountControl; OpenLDAP has no
matching rule for AD's ACCOUNTDISABLE bit filter, so disabled accounts carry a description here), TLS with a test CA
(LDAPS and StartTLS), loaded with slapadd before start. Skipped only when slapd is not installed."""

from __future__ import annotations

import base64
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.integration.tls_certs import Pki, make_pki

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SLAPADD = shutil.which("slapadd") or "/usr/sbin/slapadd"
needs_slapd = pytest.mark.skipif(not Path(SLAPD).exists(), reason="slapd is not installed (ops/setup.sh: slapd ldap-utils)")
SUFFIX = "dc=gemeente,dc=test"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
BULK = f"ou=bulk,{SUFFIX}"  # the 2,000 groups of one user: only the test that syncs them looks here
ADMIN_DN, ADMIN_PW = f"cn=admin,{SUFFIX}", "beheer-geheim-1"
DOMAIN_SID = "S-1-5-21-1000-2000-3000"
_AD_EXTRA = ("instanceType: 4\nnTSecurityDescriptor:: AAAA\n"
             "objectCategory: CN=Schema,CN=Configuration," + SUFFIX + "\n")


def sid_bytes(sid: str) -> bytes:
    parts = [int(p) for p in sid.split("-")[1:]]
    rev, auth, subs = parts[0], parts[1], parts[2:]
    return bytes([rev, len(subs)]) + auth.to_bytes(6, "big") + b"".join(s.to_bytes(4, "little") for s in subs)


def user_ldif(name: str, password: str, rid: int, *, disabled: bool = False) -> str:
    sid = base64.b64encode(sid_bytes(f"{DOMAIN_SID}-{rid}")).decode()
    return (f"dn: cn={name},{PEOPLE}\nobjectClass: user\nobjectClass: securityPrincipalTest\ncn: {name}\n"
            f"sn: {name}\nsAMAccountName: {name}\ndisplayName: {name.title()}\nuserPassword: {password}\n"
            f"userAccountControl: {514 if disabled else 512}\nobjectSid:: {sid}\n{_AD_EXTRA}"
            + ("description: account disabled\n" if disabled else "") + "\n")


def group_ldif(cn: str, rid: int, members: list[str], base: str = GROUPS) -> str:
    sid = base64.b64encode(sid_bytes(f"{DOMAIN_SID}-{rid}")).decode()
    lines = "".join(f"member: {m}\n" for m in members)
    return (f"dn: cn={cn},{base}\nobjectClass: group\nobjectClass: securityPrincipalTest\ncn: {cn}\n"
            f"groupType: -2147483646\nobjectSid:: {sid}\n{lines}{_AD_EXTRA}\n")


def user_dn(name: str) -> str:
    return f"cn={name},{PEOPLE}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{GROUPS}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Slapd:
    folder: Path
    pki: Pki
    ldap_port: int
    ldaps_port: int
    proc: subprocess.Popen[bytes] | None = None
    password_file: Path = field(default_factory=Path)

    def settings(self, security: str = "ldaps", **extra: object) -> dict[str, object]:
        url = (f"ldaps://127.0.0.1:{self.ldaps_port}" if security == "ldaps"
               else f"ldap://127.0.0.1:{self.ldap_port}")
        return {"url": url, "security": security, "ca_file": str(self.pki.ca_pem), "bind_dn": ADMIN_DN,
                "bind_password_file": str(self.password_file), "user_base": PEOPLE, "group_base": GROUPS,
                "disabled_filter": "(description=account disabled)",
                # msuser.schema gives sAMAccountName no equality rule: the sign-in filter uses cn here
                "user_filter": "(&(objectClass=user)(cn={username}))", "timeout_seconds": 5.0, **extra}

    def modify(self, dn: str, changes: dict[str, list[tuple[str, list[str]]]]) -> None:
        """Change an entry as the directory's administrator (ldap3 MODIFY_ADD / MODIFY_DELETE)."""
        import ldap3

        conn = ldap3.Connection(ldap3.Server(f"ldap://127.0.0.1:{self.ldap_port}"), ADMIN_DN, ADMIN_PW, auto_bind=True)
        try:
            ops = {attr: [(getattr(ldap3, op), vals) for op, vals in items] for attr, items in changes.items()}
            assert conn.modify(dn, ops), conn.result
        finally:
            conn.unbind()

    def add(self, ldif_dn: str, attrs: dict[str, object], classes: list[str]) -> None:
        import ldap3

        conn = ldap3.Connection(ldap3.Server(f"ldap://127.0.0.1:{self.ldap_port}"), ADMIN_DN, ADMIN_PW, auto_bind=True)
        try:
            assert conn.add(ldif_dn, classes, attrs), conn.result
        finally:
            conn.unbind()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def _config(folder: Path, pki: Pki) -> Path:
    (folder / "db").mkdir()
    (folder / "principal.schema").write_text(
        "objectclass ( 1.3.6.1.4.1.55555.1.1 NAME 'securityPrincipalTest' SUP top AUXILIARY "
        "MAY ( sAMAccountName $ objectSid ) )\n")
    schemas = "".join(f"include /etc/ldap/schema/{s}.schema\n" for s in ("core", "cosine", "inetorgperson", "nis", "msuser"))
    conf = folder / "slapd.conf"
    conf.write_text(
        f"{schemas}include {folder}/principal.schema\nmodulepath /usr/lib/ldap\nmoduleload back_mdb\n"
        f"pidfile {folder}/slapd.pid\nTLSCertificateFile {pki.cert_pem}\nTLSCertificateKeyFile {pki.key_pem}\n"
        f"sizelimit 5000\ndatabase mdb\nmaxsize 104857600\nsuffix \"{SUFFIX}\"\nrootdn \"{ADMIN_DN}\"\n"
        f"rootpw {ADMIN_PW}\ndirectory {folder}/db\nindex objectClass,member eq\n")
    return conf


def start_slapd(ldif: str) -> Slapd:
    folder = Path(tempfile.mkdtemp(prefix="belfort-slapd-"))
    pki = make_pki(folder / "tls")
    conf = _config(folder, pki)
    base = (f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Gemeente\ndc: gemeente\n\n"
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n"
            f"dn: {BULK}\nobjectClass: organizationalUnit\nou: bulk\n\n")
    (folder / "data.ldif").write_text(base + ldif, "utf-8")
    subprocess.run([SLAPADD, "-q", "-f", str(conf), "-l", str(folder / "data.ldif")], check=True,
                   capture_output=True, timeout=120)
    server = Slapd(folder, pki, _free_port(), _free_port())
    server.password_file = folder / "bind.pw"
    server.password_file.write_text(ADMIN_PW + "\n")
    server.proc = subprocess.Popen(
        [SLAPD, "-f", str(conf), "-h", f"ldap://127.0.0.1:{server.ldap_port}/ ldaps://127.0.0.1:{server.ldaps_port}/",
         "-d", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", server.ldaps_port), 0.2).close()
            return server
        except OSError:
            if server.proc.poll() is not None:
                raise RuntimeError("slapd exited: " + (server.proc.stderr.read() if server.proc.stderr else b"").decode())
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("slapd did not start listening")


def running_slapd(ldif: str) -> Iterator[Slapd]:
    server = start_slapd(ldif)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
