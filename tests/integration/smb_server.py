"""A real Samba smbd on a high loopback port for the share-crawl tests: a temporary smb.conf and
passdb, a share whose NT ACLs live in xattrs (vfs_acl_xattr, `acl_xattr:ignore system acls`), an
administrator ('root', sets ACLs) and the crawl's account (Unix 'nobody', so the ACLs bind it).

Samba's own smbcacls cannot be pointed at another port than 445/139, so the ACLs are written over
SMB (SET_INFO, security information) with smbprotocol, in the MS-DTYP self-relative layout built
here; smbd checks every access against them, which the tests observe through the crawl's account.
Needs root: smbd switches to the connecting user's Unix identity and writes security.NTACL."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SMBD = shutil.which("smbd") or "/usr/sbin/smbd"
SMBPASSWD = shutil.which("smbpasswd") or "/usr/bin/smbpasswd"
PDBEDIT = shutil.which("pdbedit") or "/usr/bin/pdbedit"
_VFS = [Path("/usr/lib/x86_64-linux-gnu/samba/vfs/acl_xattr.so"), Path("/usr/lib/aarch64-linux-gnu/samba/vfs/acl_xattr.so")]
needs_samba = pytest.mark.skipif(
    not Path(SMBD).exists() or not any(p.exists() for p in _VFS) or os.geteuid() != 0,
    reason="needs Debian's samba + samba-vfs-modules (acl_xattr) and root: smbd changes to the connecting "
           "user's Unix identity and stores NT ACLs in the security.NTACL xattr")
ADMIN_PW, CRAWL_PW = "samba-beheer-1", "samba-crawl-1"
FILE_READ = 0x120089  # FILE_GENERIC_READ
FULL = 0x1F01FF


def _sid_bytes(sid: str) -> bytes:
    parts = [int(p) for p in sid.split("-")[1:]]
    return bytes([parts[0], len(parts) - 2]) + parts[1].to_bytes(6, "big") + b"".join(
        p.to_bytes(4, "little") for p in parts[2:])


def security_descriptor(owner: str, aces: list[tuple[bool, str, int]]) -> bytes:
    """Self-relative SD (MS-DTYP 2.4.6) with a protected DACL of (deny, SID, mask) entries, in order."""
    blobs = []
    for deny, sid, mask in aces:
        body = mask.to_bytes(4, "little") + _sid_bytes(sid)
        blobs.append(bytes([1 if deny else 0, 0]) + (4 + len(body)).to_bytes(2, "little") + body)
    dacl_body = b"".join(blobs)
    dacl = bytes([2, 0]) + (8 + len(dacl_body)).to_bytes(2, "little") + len(aces).to_bytes(2, "little") + b"\0\0" + dacl_body
    own = _sid_bytes(owner)
    control = 0x8000 | 0x1000 | 0x0004  # self-relative, DACL protected, DACL present
    header_len = 20
    owner_at, group_at, dacl_at = header_len, header_len + len(own), header_len + 2 * len(own)
    header = bytes([1, 0]) + control.to_bytes(2, "little") + b"".join(
        x.to_bytes(4, "little") for x in (owner_at, group_at, 0, dacl_at))
    return header + own + own + dacl


@dataclass
class Samba:
    folder: Path
    root: Path  # the share's folder on disk
    port: int
    crawler_sid: str
    proc: subprocess.Popen[bytes] | None = None

    def set_acl(self, rel: str, aces: list[tuple[bool, str, int]]) -> None:
        """Replace a file's or folder's NT ACL over SMB as the administrator."""
        from smbclient import reset_connection_cache
        from smbclient._io import SMBFileTransaction, SMBRawIO
        from smbprotocol.open import SMB2SetInfoRequest

        cache: dict[str, object] = {}
        raw = SMBRawIO(f"\\\\127.0.0.1\\archief\\{rel.replace('/', chr(92))}", mode="r", share_access="rwd",
                       desired_access=0x00020000 | 0x00040000 | 0x00080000, port=self.port, username="root",
                       password=ADMIN_PW, connection_cache=cache)
        try:
            with SMBFileTransaction(raw) as tx:
                req = SMB2SetInfoRequest()
                req["info_type"] = 3
                req["file_info_class"] = 0
                req["additional_information"] = 0x1 | 0x2 | 0x4
                req["file_id"] = raw.fd.file_id
                req["buffer"] = security_descriptor(self.crawler_sid, aces)
                tx += (req, lambda request: raw.fd.connection.receive(request))
        finally:
            reset_connection_cache(connection_cache=cache)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _conf(folder: Path, root: Path, port: int) -> Path:
    dirs = {k: folder / k for k in ("private", "lock", "state", "cache", "pid")}
    for d in dirs.values():
        d.mkdir()
    conf = folder / "smb.conf"
    conf.write_text(
        "[global]\n  workgroup = GEMEENTE\n  netbios name = BELFORTTEST\n  server role = standalone server\n"
        f"  smb ports = {port}\n  interfaces = 127.0.0.1\n  bind interfaces only = yes\n"
        + "".join(f"  {k} directory = {v}\n" if k != "private" else f"  private dir = {v}\n" for k, v in dirs.items())
        + f"  ncalrpc dir = {dirs['state']}/ncalrpc\n  passdb backend = tdbsam:{dirs['private']}/passdb.tdb\n"
        f"  log file = {folder}/log.%m\n  load printers = no\n  printing = bsd\n  printcap name = /dev/null\n"
        "  disable spoolss = yes\n  server min protocol = SMB2_10\n  map to guest = never\n"
        f"[archief]\n  path = {root}\n  read only = no\n  vfs objects = acl_xattr\n"
        "  acl_xattr:ignore system acls = yes\n  nt acl support = yes\n")
    return conf


def start_samba(files: dict[str, str]) -> Samba:
    folder = Path(tempfile.mkdtemp(prefix="belfort-samba-"))
    root = folder / "share"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    for dirpath, dirnames, filenames in os.walk(root):  # Unix permissions let anyone in: the NT ACL decides
        os.chmod(dirpath, 0o755)
        for f in filenames:
            os.chmod(os.path.join(dirpath, f), 0o644)
    folder.chmod(0o755)
    port = _free_port()
    conf = _conf(folder, root, port)
    for user, pw in (("root", ADMIN_PW), ("nobody", CRAWL_PW)):
        subprocess.run([SMBPASSWD, "-c", str(conf), "-s", "-a", user], input=f"{pw}\n{pw}\n", text=True,
                       check=True, capture_output=True, timeout=30)
    listing = subprocess.run([PDBEDIT, "-s", str(conf), "-L", "-v"], capture_output=True, text=True, check=True).stdout
    crawler = re.search(r"Unix username:\s+nobody.*?User SID:\s+(S-[0-9-]+)", listing, re.DOTALL)
    assert crawler, listing
    server = Samba(folder, root, port, crawler.group(1))
    server.proc = subprocess.Popen([SMBD, "--foreground", "--no-process-group", "-s", str(conf)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)  # smbd signals its whole process group on exit
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return server
        except OSError:
            if server.proc.poll() is not None:
                raise RuntimeError("smbd exited; see " + str(folder))
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("smbd did not start listening")


def running_samba(files: dict[str, str]) -> Iterator[Samba]:
    server = start_samba(files)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)
