"""Share passwords sealed at rest with the appliance's one secrets key (appliance.access sealing: the
key file lives outside the database, so a copy of the database alone does not reveal the passwords).
Rows written before the shared key hold a bare Fernet token made with the same key file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from appliance import access

if TYPE_CHECKING:
    from appliance.context import Appliance


def encrypt(app: Appliance, secret: str) -> str:
    return access.seal_secret(app, secret)


def decrypt(app: Appliance, token: str) -> str:
    if not token:
        return ""
    return access.unseal_secret(app, token if access.is_sealed(token) else access.SEALED_PREFIX + token)
