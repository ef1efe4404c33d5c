"""OpenID Connect sign-in: the authorization code flow with PKCE (S256), through Authlib's httpx client.

start() stores the sign-in on its way (state as its sha256, nonce, PKCE verifier, the browser it started
in) and returns the provider's authorization URL. finish() accepts a state once, from that browser,
within ten minutes (a replayed or forged state is refused), exchanges the code, checks the ID token with
joserfc (signature against the provider's JWKS, issuer, audience, expiry, issue time, nonce) and maps
its group/role claims (or the userinfo endpoint's) to Belfort groups and a role
(appliance.access.oidc_config). The discovery document must name the configured issuer exactly.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc6749.errors import OAuth2Error
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import delete
from sqlmodel import select

from appliance.access import oidc_users
from appliance.access.oidc_config import client_secret, get_provider
from appliance.access.principals import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import OidcLogin, OidcProvider, utcnow
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

LOGIN_TTL = timedelta(minutes=10)
_CACHE_S = 3600.0
_LEEWAY_S = 60  # clock skew allowed between the provider and this box
_ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
_cache: dict[str, tuple[float, Any]] = {}  # discovery documents and key sets, per process


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _unreachable(what: str, exc: Exception) -> BelfortError:
    return BelfortError("oidc.unreachable", f"the identity provider did not answer ({what}: {type(exc).__name__})",
                        hint="try again in a moment; local accounts (the break-glass admin) still sign in here",
                        status=503)


def _bad_token(reason: str) -> BelfortError:
    return BelfortError("oidc.bad_token", f"the provider's ID token was refused: {reason}",
                        hint="sign in again; if it keeps failing, IT checks the provider's issuer, client id "
                        "and the clocks", status=401)


def _get_json(app: Appliance, url: str) -> Any:
    try:
        with httpx.Client(timeout=app.settings.identity.oidc_timeout_s) as client:
            response = client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unreachable(url.split("?")[0], exc) from exc


def discover(app: Appliance, provider: OidcProvider, *, fresh: bool = False) -> dict[str, Any]:
    """The provider's discovery document (cached an hour); its issuer must be the configured one."""
    key = "discovery:" + provider.issuer
    hit = _cache.get(key)
    if hit and not fresh and time.monotonic() - hit[0] < _CACHE_S:
        return dict(hit[1])
    doc = _get_json(app, provider.issuer.rstrip("/") + "/.well-known/openid-configuration")
    if not isinstance(doc, dict) or doc.get("issuer") != provider.issuer:
        raise BelfortError("oidc.issuer_mismatch", "the discovery document names another issuer",
                           hint=f"set the issuer exactly as the provider spells it: {str(doc.get('issuer'))[:200]}"
                           if isinstance(doc, dict) else "check the issuer URL", status=502)
    for needed in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(doc.get(needed), str):
            raise BelfortError("oidc.bad_discovery", f"the discovery document has no {needed}",
                               hint="is this an OpenID Connect provider?", status=502)
    _cache[key] = (time.monotonic(), doc)
    return dict(doc)


def _keys(app: Appliance, jwks_uri: str, *, fresh: bool) -> KeySet:
    hit = _cache.get("jwks:" + jwks_uri)
    if hit and not fresh and time.monotonic() - hit[0] < _CACHE_S:
        return hit[1]  # type: ignore[no-any-return]
    try:
        keys = KeySet.import_key_set(_get_json(app, jwks_uri))
    except JoseError as exc:
        raise _bad_token("the provider's key set cannot be read") from exc
    _cache["jwks:" + jwks_uri] = (time.monotonic(), keys)
    return keys


def validate_id_token(app: Appliance, provider: OidcProvider, doc: dict[str, Any], id_token: str, *,
                      nonce: str, now: float | None = None) -> dict[str, Any]:
    """The ID token's claims once signature, issuer, audience, expiry, issue time and nonce hold; else
    oidc.bad_token (401). An unknown key id fetches the key set once more (the provider rotated keys)."""
    algorithms = sorted(set(doc.get("id_token_signing_alg_values_supported") or ["RS256"]) & _ASYMMETRIC)
    token = None
    for fresh in (False, True):
        try:
            token = jwt.decode(id_token, _keys(app, str(doc["jwks_uri"]), fresh=fresh), algorithms=algorithms)
            break
        except InvalidKeyIdError:
            if fresh:
                raise _bad_token("signature (unknown key id)") from None
        except (JoseError, ValueError) as exc:
            raise _bad_token(f"signature ({getattr(exc, 'error', 'malformed')})") from exc
    if token is None:
        raise _bad_token("signature (unknown key id)")
    registry = JWTClaimsRegistry(
        now=int(now if now is not None else time.time()), leeway=_LEEWAY_S,
        iss={"essential": True, "value": provider.issuer}, aud={"essential": True, "value": provider.client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(token.claims)
    except ExpiredTokenError as exc:
        raise _bad_token("expired") from exc
    except ClaimError as exc:
        raise _bad_token(f"claim {exc.claim}") from exc
    aud = token.claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and token.claims.get("azp") != provider.client_id:
        raise _bad_token("claim azp")
    return dict(token.claims)


def start(app: Appliance, name: str, *, redirect_uri: str, browser: str, next_path: str = "/") -> str:
    """The provider's authorization URL for a new sign-in from the browser holding `browser` (a random
    value the caller keeps in that browser's session cookie)."""
    provider = get_provider(app, name)
    if not provider.enabled:
        raise BelfortError("oidc.no_provider", f"identity provider '{name}' is switched off",
                           hint="an administrator switches it on in the admin console", status=404)
    doc = discover(app, provider)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    now = utcnow()
    with write_session(app.db) as session:
        session.exec(delete(OidcLogin).where(OidcLogin.created_at < now - timedelta(days=1)))  # type: ignore[arg-type]
        session.add(OidcLogin(state_hash=_sha(state), browser_hash=_sha(browser), provider_id=provider.id or 0,
                              nonce=nonce, code_verifier=verifier, next=next_path, created_at=now))
    client = OAuth2Client(client_id=provider.client_id, scope=provider.scopes, redirect_uri=redirect_uri,
                          code_challenge_method="S256")
    url, _ = client.create_authorization_url(str(doc["authorization_endpoint"]), state=state,
                                             code_verifier=verifier, nonce=nonce)
    return str(url)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def _take_login(app: Appliance, state: str, browser: str) -> OidcLogin:
    """The sign-in this state belongs to, used up now: unknown, replayed, late or from another browser is
    oidc.bad_state (400)."""
    now = utcnow()
    with read_session(app.db) as session:  # a forged state never opens a write transaction
        known = session.exec(select(OidcLogin.id).where(OidcLogin.state_hash == _sha(state or "-"))).first()
    login, problem = None, "unknown"
    if known is not None:
        with write_session(app.db) as session:
            login = session.get(OidcLogin, known)
            assert login is not None
            problem = ("replayed" if login.used_at is not None
                       else "expired" if _aware(login.created_at) < now - LOGIN_TTL
                       else "other browser" if not secrets.compare_digest(login.browser_hash, _sha(browser))
                       else "")
            if login.used_at is None:
                login.used_at = now  # one try per state, also a failed one
                session.add(login)
    if problem or login is None:
        raise BelfortError("oidc.bad_state", f"this sign-in answer is not valid here ({problem})",
                           hint="start the sign-in again from the sign-in page", status=400)
    return login


def _exchange(app: Appliance, provider: OidcProvider, doc: dict[str, Any], login: OidcLogin, code: str,
              redirect_uri: str) -> dict[str, Any]:
    secret = client_secret(app, provider)
    method = "client_secret_basic" if secret else "none"
    try:
        with OAuth2Client(client_id=provider.client_id, client_secret=secret or None,
                          token_endpoint_auth_method=method, redirect_uri=redirect_uri,
                          timeout=app.settings.identity.oidc_timeout_s) as client:
            token = client.fetch_token(str(doc["token_endpoint"]), code=code, code_verifier=login.code_verifier,
                                       grant_type="authorization_code")
    except httpx.HTTPError as exc:
        raise _unreachable("token", exc) from exc
    except OAuth2Error as exc:
        raise BelfortError("oidc.token_refused", f"the provider refused the code ({exc.error})",
                           hint="start the sign-in again; IT checks the client secret and redirect URI",
                           status=401) from exc
    if not isinstance(token, dict) or not isinstance(token.get("id_token"), str):
        raise _bad_token("no id_token in the answer (is 'openid' among the scopes?)")
    return dict(token)


def _userinfo(app: Appliance, provider: OidcProvider, doc: dict[str, Any], token: dict[str, Any],
              claims: dict[str, Any]) -> dict[str, Any]:
    """Claims the ID token lacks (groups, roles, name) from the userinfo endpoint, for the same subject."""
    wanted = [c for c in (provider.groups_claim, provider.roles_claim, provider.username_claim) if c]
    url = doc.get("userinfo_endpoint")
    if all(c in claims for c in wanted) or not isinstance(url, str) or not token.get("access_token"):
        return claims
    try:
        with httpx.Client(timeout=app.settings.identity.oidc_timeout_s) as client:
            response = client.get(url, headers={"Authorization": f"Bearer {token['access_token']}"})
            response.raise_for_status()
            info = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise _unreachable("userinfo", exc) from exc
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise _bad_token("userinfo is about another subject")
    return {**{k: v for k, v in info.items() if k in wanted or k in ("name", "given_name", "family_name")},
            **claims}


def finish(app: Appliance, *, state: str, code: str, error: str, browser: str, redirect_uri: str,
           iss: str = "") -> tuple[Principal, str]:
    """The provider's answer at the callback -> the signed-in Principal and where to go next. `iss`, when
    the provider sends it (RFC 9207), must be the provider the sign-in started at (no mix-up)."""
    login = _take_login(app, state, browser)
    if error:
        raise BelfortError("oidc.provider_error", f"the identity provider ended the sign-in ({error[:80]})",
                           hint="try again, or ask IT whether you may use Belfort", status=401)
    with read_session(app.db) as session:
        provider = session.get(OidcProvider, login.provider_id)
    if provider is None or not provider.enabled:
        raise BelfortError("oidc.no_provider", "this identity provider is switched off", hint="ask IT", status=404)
    if iss and iss != provider.issuer:
        raise BelfortError("oidc.issuer_mismatch", "the answer comes from another provider than the sign-in went to",
                           hint="start the sign-in again from the sign-in page", status=400)
    doc = discover(app, provider)
    token = _exchange(app, provider, doc, login, code, redirect_uri)
    claims = validate_id_token(app, provider, doc, token["id_token"], nonce=login.nonce)
    claims = _userinfo(app, provider, doc, token, claims)
    return oidc_users.provision(app, provider, claims), login.next
