"""Reading an SMB share with smbprotocol: a full listing, file bytes, and each file's security
descriptor (NTFS ACL), parsed here into allow/deny entries for reading."""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

READ_BITS = 0x00000001 | 0x80000000 | 0x10000000  # FILE_READ_DATA | GENERIC_READ | GENERIC_ALL
INHERIT_ONLY = 0x08
ALLOWED_TYPES = (0x00, 0x05)  # ACCESS_ALLOWED_ACE, ACCESS_ALLOWED_OBJECT_ACE
DENIED_TYPES = (0x01, 0x06)
READ_CONTROL = 0x00020000
SECURITY_INFO = 0x03  # SMB2_0_INFO_SECURITY
OWNER_GROUP_DACL = 0x1 | 0x2 | 0x4


class ShareError(Exception):
    """The share (or a folder of it) cannot be listed: the crawl retires nothing."""


class Unreadable(Exception):
    """One file cannot be read with the crawl's credentials."""


@dataclass(frozen=True)
class Entry:
    path: str  # relative, '/'-separated
    size: int
    mtime: float


@dataclass(frozen=True)
class Ace:
    deny: bool
    sid: str
    reads: bool  # whether the entry covers reading the file's contents


def _sid(raw: bytes) -> str:
    if len(raw) < 8:
        return ""
    count = raw[1]
    authority = int.from_bytes(raw[2:8], "big")
    subs = struct.unpack_from(f"<{count}I", raw, 8) if len(raw) >= 8 + 4 * count else ()
    return "S-" + "-".join(str(x) for x in (raw[0], authority, *subs))


def parse_dacl(sd: bytes) -> list[Ace] | None:
    """The DACL entries that apply to the file itself (inherit-only ones do not); None for a null DACL
    (which lets everyone in)."""
    if len(sd) < 20:
        raise ValueError("security descriptor too short")
    control = int.from_bytes(sd[2:4], "little")
    dacl_at = int.from_bytes(sd[16:20], "little")
    if not control & 0x0004 or dacl_at == 0:  # SE_DACL_PRESENT
        return None
    count = int.from_bytes(sd[dacl_at + 4:dacl_at + 6], "little")
    pos, out = dacl_at + 8, []
    for _ in range(count):
        kind, flags, size = sd[pos], sd[pos + 1], int.from_bytes(sd[pos + 2:pos + 4], "little")
        mask = int.from_bytes(sd[pos + 4:pos + 8], "little")
        sid_at = pos + 8 + (36 if kind in (0x05, 0x06) else 0)  # object ACEs: flags + 2 GUIDs (at most)
        if kind in ALLOWED_TYPES + DENIED_TYPES and not flags & INHERIT_ONLY:
            out.append(Ace(kind in DENIED_TYPES, _sid(sd[sid_at:pos + size]), bool(mask & READ_BITS)))
        pos += max(size, 8)
    return out


class SmbShare:
    """One session to \\\\server\\share with its own connection cache (closed by close())."""

    def __init__(self, server: str, share: str, *, port: int = 445, username: str = "", password: str = "",
                 domain: str = "", timeout: int = 30) -> None:
        self.root = f"\\\\{server}\\{share}"
        self.server = server
        self._cache: dict[str, Any] = {}
        user = f"{domain}\\{username}" if domain and username else username
        self._kw: dict[str, Any] = {"port": port, "username": user or None, "password": password or None,
                                    "connection_timeout": timeout, "connection_cache": self._cache}

    def close(self) -> None:
        import smbclient

        smbclient.reset_connection_cache(connection_cache=self._cache)

    def unc(self, rel: str) -> str:
        return self.root + ("\\" + rel.replace("/", "\\") if rel else "")

    def walk(self, top: str = "") -> Iterator[Entry]:
        """Every file under `top`; any folder that cannot be listed raises ShareError."""
        import smbclient
        from smbprotocol.exceptions import SMBException

        todo = [top.strip("/\\").replace("\\", "/")]
        while todo:
            rel = todo.pop()
            try:
                entries = list(smbclient.scandir(self.unc(rel), **self._kw))
            except (SMBException, OSError, ValueError) as exc:
                raise ShareError(f"cannot list '{rel or '/'}': {exc}") from exc
            for e in sorted(entries, key=lambda x: x.name):
                path = f"{rel}/{e.name}" if rel else e.name
                info = e.smb_info  # from the directory listing itself: no request per file
                if info.file_attributes & 0x400:  # FILE_ATTRIBUTE_REPARSE_POINT: links are not followed
                    continue
                if info.file_attributes & 0x10:  # FILE_ATTRIBUTE_DIRECTORY
                    todo.append(path)
                else:
                    when = info.last_write_time
                    yield Entry(path, int(info.end_of_file), when.timestamp() if hasattr(when, "timestamp") else float(when))

    def read(self, rel: str, limit: int) -> bytes:
        import smbclient
        from smbprotocol.exceptions import SMBException

        try:
            with smbclient.open_file(self.unc(rel), mode="rb", share_access="rw", **self._kw) as f:
                data = f.read(limit + 1)
        except (SMBException, OSError) as exc:
            raise Unreadable(str(exc)) from exc
        if len(data) > limit:
            raise Unreadable(f"larger than {limit // (1024 * 1024)} MiB (shares.max_file_mb)")
        return bytes(data)

    def security(self, rel: str) -> bytes:
        """The file's security descriptor (owner, group, DACL) in self-relative form."""
        from smbclient._io import SMBFileTransaction, SMBRawIO
        from smbprotocol.exceptions import SMBException
        from smbprotocol.open import SMB2QueryInfoRequest, SMB2QueryInfoResponse

        try:
            raw = SMBRawIO(self.unc(rel), mode="r", share_access="rwd", desired_access=READ_CONTROL, **self._kw)
            with SMBFileTransaction(raw) as tx:
                req = SMB2QueryInfoRequest()
                req["info_type"] = SECURITY_INFO
                req["output_buffer_length"] = 65536
                req["additional_information"] = OWNER_GROUP_DACL
                req["file_id"] = raw.fd.file_id

                def receive(request: Any) -> bytes:
                    resp = SMB2QueryInfoResponse()
                    resp.unpack(raw.fd.connection.receive(request)["data"].get_value())
                    return bytes(resp["buffer"].get_value())

                tx += (req, receive)
            return bytes(tx.results[0])
        except (SMBException, OSError) as exc:
            raise Unreadable(f"cannot read the permissions: {exc}") from exc


def new_crawl_id() -> str:
    return uuid.uuid4().hex[:12]
