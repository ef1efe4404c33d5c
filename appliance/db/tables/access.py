"""Accounts, groups, API tokens, sign-in attempts, web sessions and rate limits."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from appliance.db.tables.common import utcnow


class Group(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    description: str = ""


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True)
    display_name: str = ""
    password_hash: str = ""
    role: str = "staff"  # staff | archivist | admin
    language: str = "nl"
    active: bool = True
    # Seam for OIDC/LDAP: where the identity comes from and its subject there.
    auth_source: str = "local"
    external_id: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class UserGroup(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    group_id: int = Field(foreign_key="group.id", primary_key=True)


class ApiToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = ""
    token_hash: str = Field(index=True, unique=True)  # sha256 of the token; the token itself is shown once
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked: bool = False
    # What the token may do (migration 20): comma-separated read | ask | ingest | admin; it never
    # exceeds the user's role. Expired tokens stop working; tokens from before migration 20 got 90 days.
    scopes: str = "read,ask"
    expires_at: datetime | None = None


class SignInAttempt(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    ok: bool = False
    # The client address (migration 20): failures are limited per user and address, so another
    # address cannot lock the real user out.
    client: str = Field(default="", index=True)


class WebSession(SQLModel, table=True):
    """A signed-in browser session (migration 20). The cookie carries a random id and the table only
    its sha256: sign-out, a new password or disabling the user ends it here, so a copied cookie dies."""

    id: int | None = Field(default=None, primary_key=True)
    sid_hash: str = Field(index=True, unique=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    client: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(default_factory=utcnow, index=True)
    revoked_at: datetime | None = None
    # How the sign-in that started it proved a second factor (migration 56): totp (a local account's code),
    # provider-mfa (the OIDC provider's amr claim names one), provider (the provider did not say),
    # password (the provider says: password only), none (a password alone: local or LDAP); '' before 56.
    second_factor: str = ""


class RateEvent(SQLModel, table=True):
    """One rate-limited action (an Ask question) counted under a key such as 'user:anna' or
    'client:10.0.0.5' (migration 20); rows older than the longest window are pruned."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)
    key: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
