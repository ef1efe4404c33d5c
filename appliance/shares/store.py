"""Shares as sources: adding and listing them (the crawl: appliance.shares.crawl)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from appliance import documents
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Share, ShareFile
from appliance.errors import BelfortError, NotFound
from appliance.shares import secrets

if TYPE_CHECKING:
    from appliance.context import Appliance

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class ShareInfo:
    name: str
    server: str
    port: int
    share: str
    path: str
    collection: str
    username: str
    last_crawl_at: datetime | None
    last_crawl: dict[str, Any]
    files: int

    @property
    def unc(self) -> str:
        return f"\\\\{self.server}\\{self.share}" + (f"\\{self.path}" if self.path else "")


def add_share(app: Appliance, name: str, *, server: str, share: str, collection: str, path: str = "",
              username: str = "", password: str = "", domain: str = "", port: int = 445,
              replace: bool = False, actor: str = "system") -> ShareInfo:
    """Register a share; the password is encrypted with the key file before it reaches the database."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise BelfortError("shares.invalid_name", f"'{name}' is not a valid share name",
                           hint="use lower-case letters, digits, '.', '_' or '-'")
    if not server.strip() or not share.strip() or "\\" in share or "/" in share:
        raise BelfortError("shares.invalid", "a share needs a server and a share name (without slashes)",
                           hint="e.g. --server fs01.gemeente.local --share Archief --path Bouw")
    if not 1 <= port <= 65535:
        raise BelfortError("shares.invalid", f"port {port} is not a TCP port", hint="445 unless IT says otherwise")
    documents.ensure_collection(app, collection)
    token = secrets.encrypt(app, password) if password else ""
    with write_session(app.db) as s:
        row = s.exec(select(Share).where(Share.name == name)).first()
        if row is not None and not replace:
            raise BelfortError("shares.exists", f"share '{name}' already exists",
                               hint="pass --replace to change it", status=409)
        row = row or Share(name=name, server="", share="", collection="")
        row.server, row.port, row.share = server.strip(), port, share.strip()
        row.path, row.collection = path.strip("/\\").replace("\\", "/"), collection
        row.username, row.domain, row.secret = username, domain, token
        s.add(row)
        s.add(AuditEvent(actor=actor, action="share.add", target=name,
                         detail={"server": row.server, "share": row.share, "path": row.path, "collection": collection}))
    return get_share(app, name)


def _info(row: Share, files: int) -> ShareInfo:
    return ShareInfo(row.name, row.server, row.port, row.share, row.path, row.collection, row.username,
                     row.last_crawl_at, dict(row.last_crawl or {}), files)


def get_share(app: Appliance, name: str) -> ShareInfo:
    with read_session(app.db) as s:
        row = s.exec(select(Share).where(Share.name == name)).first()
        if row is None:
            raise NotFound("shares.not_found", f"no share '{name}'", hint="belfort shares list")
        files = len(s.exec(select(ShareFile.id).where(ShareFile.share_id == row.id, ShareFile.state == "active")).all())
        return _info(row, files)


def list_shares(app: Appliance) -> list[ShareInfo]:
    with read_session(app.db) as s:
        rows = s.exec(select(Share).order_by(col(Share.name))).all()
        return [_info(r, len(s.exec(select(ShareFile.id).where(ShareFile.share_id == r.id,
                                                               ShareFile.state == "active")).all()))
                for r in rows]
