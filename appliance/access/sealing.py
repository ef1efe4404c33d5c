"""Secrets sealed at rest with one key kept outside the database: TOTP secrets, OIDC client secrets
and SMB share passwords (Fernet: AES-128-CBC + HMAC-SHA256).

The key file is identity.secrets_key_file, else shares.key_file (its earlier name), else
data_dir/secrets.key (a data folder from before keeps using its data_dir/shares.key); it is created on
first use with mode 0600. A copy of the database alone (a support copy, a PostgreSQL dump) then yields
no secret; the key file is backed up apart from the database. A sealed value reads 'sealed:v1:<Fernet
token>'; anything else is a plain value stored before sealing, read as it is and sealed at its next write.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken

from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

PREFIX = "sealed:v1:"


def key_path(app: Appliance) -> Path:
    s = app.settings
    if s.identity.secrets_key_file:
        return Path(s.identity.secrets_key_file)
    if s.shares.key_file:
        return Path(s.shares.key_file)
    default, earlier = app.layout.secrets_key, app.layout.root / "shares.key"
    return earlier if not default.exists() and earlier.exists() else default


def _fernet(app: Appliance, create: bool) -> Fernet:
    path = key_path(app)
    if not path.exists():
        if not create:
            raise BelfortError("secrets.no_key", f"the key file {path} that seals secrets is missing",
                               hint="restore it from its backup (it is kept apart from the database), or set the "
                                    "secrets again: share passwords, OIDC client secrets, TOTP (belfort admin "
                                    "totp-reset)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    return Fernet(path.read_bytes().strip())


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def seal(app: Appliance, secret: str) -> str:
    """The value to store ('' stays '': no secret)."""
    if not secret:
        return ""
    return PREFIX + _fernet(app, create=True).encrypt(secret.encode("utf-8")).decode("ascii")


def reseal(app: Appliance, stored: str) -> str:
    """A stored value as it should be written now: a plain one from before gets sealed."""
    return stored if not stored or is_sealed(stored) else seal(app, stored)


def unseal(app: Appliance, stored: str) -> str:
    """The secret of a stored value; a plain value (stored before sealing) is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        return _fernet(app, create=False).decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise BelfortError("secrets.bad_key", "a sealed secret cannot be opened with the key file",
                           hint="restore the key file that belongs to this database, or set the secret again") from exc
