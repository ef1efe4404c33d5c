"""OpenID Connect providers IT connects, their presets and the claim mapping (admin console and
`belfort admin oidc ...`); the sign-in itself is appliance.access.oidc.

A mapping turns claim values into Belfort groups and a role:
  {"groups": {"<group claim value>": "<belfort group>", ...},
   "roles":  {"<role claim value>": "staff|archivist|admin", ...},
   "require_mapped": true}
With require_mapped (the default) a user whose claims map to no group and no role is refused and, if
known, deactivated: IT removes someone from the Belfort groups in the directory and access ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from appliance.access.sealing import reseal, seal, unseal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, OidcProvider
from appliance.errors import BelfortError, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

ROLE_ORDER = ("staff", "archivist", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
CALLBACK_PATH = "/sign-in/oidc/callback"


@dataclass(frozen=True)
class Preset:
    title: str
    issuer_pattern: str  # what IT fills in; {placeholders} are theirs
    scopes: str
    username_claim: str
    groups_claim: str
    roles_claim: str
    note: str


PRESETS: dict[str, Preset] = {
    "entra": Preset("Microsoft Entra ID", "https://login.microsoftonline.com/{tenant-id}/v2.0",
                    "openid profile email", "preferred_username", "groups", "roles",
                    "App registration > Token configuration > Add groups claim (security groups, or groups "
                    "assigned to the application: a user in more than 200 groups otherwise gets none); app roles "
                    "arrive in 'roles'. Use the tenant's own issuer, never /common."),
    "adfs": Preset("AD FS", "https://{adfs-host}/adfs", "openid profile email allatclaims", "upn", "group", "role",
                   "Application group > Web API > Issuance Transform Rules: 'Send LDAP Attributes as Claims' "
                   "(UPN to upn) and 'Send Group Membership as a Claim' or Token-Groups - Unqualified Names to "
                   "'group'; 'allatclaims' puts them in the ID token."),
    "acmidm": Preset("Vlaanderen ACM/IDM", "https://authenticatie.vlaanderen.be/op",
                     "openid profile vo {app-code}", "vo_id", "", "{app-code}_rol_3d",
                     "Test environment: https://authenticatie-ti.vlaanderen.be/op. The integration dossier names "
                     "the scopes; WebIDM roles arrive as '<Role>:<organisation code>' in the <app>_rol_3d claim."),
    "generic": Preset("OpenID Connect", "https://{provider}", "openid profile email", "preferred_username",
                      "groups", "roles", "Any certified OpenID Connect provider with a discovery document."),
}


@dataclass(frozen=True)
class ProviderInfo:
    id: int
    name: str
    title: str
    preset: str
    issuer: str
    client_id: str
    has_secret: bool
    scopes: str
    username_claim: str
    groups_claim: str
    roles_claim: str
    mapping: dict[str, Any]
    enabled: bool


def _info(row: OidcProvider) -> ProviderInfo:
    return ProviderInfo(row.id or 0, row.name, row.title or row.name, row.preset, row.issuer, row.client_id,
                        bool(row.client_secret), row.scopes, row.username_claim, row.groups_claim,
                        row.roles_claim, normalise_mapping(row.mapping or {}), row.enabled)


def normalise_mapping(raw: dict[str, Any]) -> dict[str, Any]:
    """Checked and trimmed: str -> str maps, roles only Belfort's, require_mapped a bool (default true)."""
    def pairs(value: object) -> dict[str, str]:
        if not isinstance(value, dict):
            raise BelfortError("oidc.bad_mapping", "a mapping part is not a table of claim value -> name",
                               hint='e.g. {"groups": {"GG-Belfort-Bouw": "bouwgroep"}}')
        return {str(k).strip(): str(v).strip() for k, v in value.items() if str(k).strip() and str(v).strip()}

    groups, roles = pairs(raw.get("groups", {})), pairs(raw.get("roles", {}))
    bad = sorted(v for v in roles.values() if v not in ROLE_ORDER)
    if bad:
        raise BelfortError("oidc.bad_mapping", f"unknown role(s) {', '.join(bad)} in the mapping",
                           hint="roles are " + ", ".join(ROLE_ORDER))
    return {"groups": groups, "roles": roles, "require_mapped": bool(raw.get("require_mapped", True))}


def parse_mapping_lines(text: str, kind: str) -> dict[str, str]:
    """'claim value = belfort name' per line (the admin console's text areas)."""
    out = {}
    for line in text.splitlines():
        if "=" not in line:
            if line.strip():
                raise BelfortError("oidc.bad_mapping", f"no '=' in the {kind} line '{line.strip()[:80]}'",
                                   hint="write: claim value = Belfort name")
            continue
        key, _, value = line.rpartition("=")
        if key.strip() and value.strip():
            out[key.strip()] = value.strip()
    return out


def list_providers(app: Appliance, *, enabled_only: bool = False) -> list[ProviderInfo]:
    with read_session(app.db) as session:
        rows = session.exec(select(OidcProvider).order_by(OidcProvider.name)).all()
    return [_info(r) for r in rows if r.enabled or not enabled_only]


def get_provider(app: Appliance, name: str) -> OidcProvider:
    with read_session(app.db) as session:
        row = session.exec(select(OidcProvider).where(OidcProvider.name == name)).first()
    if row is None:
        raise NotFound("oidc.no_provider", f"no identity provider '{name}'", hint="belfort admin oidc list")
    return row


def client_secret(app: Appliance, row: OidcProvider) -> str:
    """The provider's client secret in the clear, for the token request only (stored sealed)."""
    return unseal(app, row.client_secret)


def save_provider(app: Appliance, name: str, *, actor: str, **fields: Any) -> ProviderInfo:
    """Create or change a provider; fields left None keep their value (a new one starts from its preset)."""
    name = name.strip().lower()
    if not _NAME.match(name):
        raise BelfortError("oidc.bad_name", f"'{name}' is not a valid provider name",
                           hint="lower-case letters, digits and '-', at most 32")
    fields = {k: v for k, v in fields.items() if v is not None}
    if "preset" in fields and fields["preset"] not in PRESETS:
        raise BelfortError("oidc.bad_preset", f"unknown preset '{fields['preset']}'", hint=", ".join(PRESETS))
    if "mapping" in fields:
        fields["mapping"] = normalise_mapping(fields["mapping"])
    if "issuer" in fields:
        fields["issuer"] = str(fields["issuer"]).strip()  # exactly as the discovery document spells it
        if not re.match(r"^https?://[^\s{}]+$", fields["issuer"]):
            raise BelfortError("oidc.bad_issuer", "the issuer is not an http(s) URL without placeholders",
                               hint=PRESETS[fields.get("preset", "generic")].issuer_pattern)
    with write_session(app.db) as session:
        row = session.exec(select(OidcProvider).where(OidcProvider.name == name)).first()
        if row is None:
            preset = PRESETS[fields.get("preset", "generic")]
            row = OidcProvider(name=name, title=preset.title, scopes=preset.scopes.replace(" {app-code}", ""),
                               username_claim=preset.username_claim, groups_claim=preset.groups_claim,
                               roles_claim=preset.roles_claim if "{" not in preset.roles_claim else "",
                               mapping=normalise_mapping({}))
        for key, value in fields.items():
            setattr(row, key, seal(app, value) if key == "client_secret" else value)
        row.client_secret = reseal(app, row.client_secret)  # a plain secret from before sealing is sealed now
        if not row.issuer or not row.client_id:
            raise BelfortError("oidc.incomplete", "a provider needs an issuer and a client id",
                               hint="--issuer and --client-id (from the provider's app registration)")
        session.add(row)
        session.add(AuditEvent(actor=actor, action="oidc.provider_save", target=name,
                               detail={k: v for k, v in fields.items() if k != "client_secret"}))
        session.flush()
        return _info(row)


def delete_provider(app: Appliance, name: str, *, actor: str) -> None:
    """Disable rather than delete: users keep their link and their history; sign-in through it stops."""
    save_provider(app, name, actor=actor, enabled=False)


def map_claims(mapping: dict[str, Any], groups: list[str], roles: list[str]) -> tuple[list[str], str | None]:
    """The Belfort groups and the highest mapped role of these claim values (None: no role maps)."""
    group_map, role_map = mapping.get("groups", {}), mapping.get("roles", {})
    mapped_groups = sorted({group_map[g] for g in groups if g in group_map})
    ranks = [ROLE_ORDER.index(role_map[r]) for r in roles + groups if r in role_map]
    return mapped_groups, (ROLE_ORDER[max(ranks)] if ranks else None)
