"""Share passwords encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256). The key lives in its own
file (shares.key_file, else data_dir/shares.key, mode 0600), never in the database: a copy of the
database alone does not reveal the passwords."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken

from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance


def key_path(app: Appliance) -> Path:
    return Path(app.settings.shares.key_file) if app.settings.shares.key_file else Path(app.settings.data_dir) / "shares.key"


def _fernet(app: Appliance, create: bool) -> Fernet:
    path = key_path(app)
    if not path.exists():
        if not create:
            raise BelfortError("shares.no_key", f"the share key file {path} is missing",
                               hint="restore it from the backup, or add the shares again with their passwords")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(Fernet.generate_key())
    return Fernet(path.read_bytes().strip())


def encrypt(app: Appliance, secret: str) -> str:
    return _fernet(app, create=True).encrypt(secret.encode("utf-8")).decode("ascii")


def decrypt(app: Appliance, token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet(app, create=False).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise BelfortError("shares.bad_key", "the share password cannot be decrypted with the key file",
                           hint="restore the key file that belongs to this database, or set the password again "
                                "(belfort shares add --replace)") from exc
