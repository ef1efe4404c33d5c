"""Secrets, cookie settings and the security headers sent with every response."""

from __future__ import annotations

import hashlib
import os
import secrets

from litestar.types import Message, Scope

from appliance.settings import Settings
from appliance.storage.layout import DataLayout

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated once into the data folder (readable by the owner only)."""
    if settings.web.secret_key:
        return settings.web.secret_key
    path = DataLayout.of(settings).secret_key
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def derive(secret: str, purpose: str) -> bytes:
    """One key per purpose, so the session key never equals the CSRF key."""
    return hashlib.sha256(f"belfort:{purpose}:{secret}".encode()).digest()


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook: runs for every response, error pages, 404s and static files included."""
    if message["type"] == "http.response.start":
        present = {name.lower() for name, _ in message.get("headers", [])}
        message["headers"] = list(message.get("headers", [])) + [
            (k, v) for k, v in HEADERS if k not in present
        ]
