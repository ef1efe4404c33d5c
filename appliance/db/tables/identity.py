"""Identity providers (OIDC) and the second factor of local accounts (migrations 50 and 51)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class OidcProvider(SQLModel, table=True):
    """One OpenID Connect provider IT connected (Entra ID, ADFS, ACM/IDM or any other): where it is,
    Belfort's client there, and how its group/role claims map to Belfort groups and roles."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)  # short, in URLs: /sign-in/oidc/<name>
    title: str = ""  # on the sign-in button
    preset: str = "generic"  # generic | entra | adfs | acmidm
    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""  # sealed (appliance.access.sealing): the key lives outside the database
    scopes: str = "openid profile email"
    username_claim: str = "preferred_username"
    groups_claim: str = "groups"
    roles_claim: str = "roles"
    # {"groups": {"<claim value>": "<belfort group>"}, "roles": {"<claim value>": "staff|archivist|admin"},
    #  "require_mapped": bool}: users whose claims map to no group or role are refused and deactivated.
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class OidcLogin(SQLModel, table=True):
    """A sign-in on its way through the provider: the callback must bring back this state (stored as its
    sha256), from the browser that started it, once, within ten minutes."""

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(index=True, unique=True)
    browser_hash: str = ""
    provider_id: int = Field(foreign_key="oidcprovider.id", index=True)
    nonce: str = ""
    code_verifier: str = ""
    next: str = "/"
    created_at: datetime = Field(default_factory=utcnow, index=True)
    used_at: datetime | None = None


class OidcIdentity(SQLModel, table=True):
    """Which provider subject a Belfort user is, and when the provider last vouched for them."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    provider_id: int = Field(foreign_key="oidcprovider.id", index=True)
    subject: str = Field(index=True)
    last_sign_in_at: datetime | None = None
    last_claims: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class TotpFactor(SQLModel, table=True):
    """A local account's TOTP secret (RFC 6238); confirmed once the user typed a first right code.
    last_step is the last accepted 30-second step: a code is accepted once."""

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    secret: str = ""  # sealed (appliance.access.sealing); a plain one from before is sealed at its next check
    confirmed_at: datetime | None = None
    last_step: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class RecoveryCode(SQLModel, table=True):
    """One single-use recovery code (stored as its sha256) of a local account with TOTP."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(index=True)
    used_at: datetime | None = None
