"""Talking to an LDAP directory (Active Directory or OpenLDAP) through ldap3: a verified TLS
connection (LDAPS or StartTLS), paged searches, users, groups and their SIDs.

No state here: appliance.directory.sync writes what the directory says into the database, and
appliance.directory.provider signs people in with it.
"""

from __future__ import annotations

import math
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.setting_sections import LdapSettings

PAGE = 500


@dataclass(frozen=True)
class DirectoryUser:
    dn: str
    username: str
    display_name: str
    sid: str
    disabled: bool = False


@dataclass(frozen=True)
class DirectoryGroupEntry:
    dn: str
    name: str
    sid: str
    members: frozenset[str] = field(default_factory=frozenset)  # member DNs (normalised), users and groups


def norm_dn(dn: str) -> str:
    """DNs compared case- and space-insensitively (what AD and OpenLDAP do for these attributes)."""
    return ",".join(part.strip().lower() for part in str(dn).split(","))


def sid_text(value: Any) -> str:
    """'S-1-5-21-...' from AD's binary objectSid (or a value that is that text already)."""
    if isinstance(value, list):
        value = value[0] if value else b""
    if isinstance(value, str):
        return value if value.upper().startswith("S-1-") else ""
    raw = bytes(value or b"")
    if len(raw) < 8 or len(raw) < 8 + 4 * raw[1]:
        return ""
    authority = int.from_bytes(raw[2:8], "big")
    subs = [int.from_bytes(raw[8 + 4 * i:12 + 4 * i], "little") for i in range(raw[1])]
    return "S-" + "-".join(str(x) for x in [raw[0], authority, *subs])


def unreachable(cfg: LdapSettings, exc: Exception) -> BelfortError:
    return BelfortError("ldap.unreachable", f"the directory ({cfg.url}) cannot be reached: {type(exc).__name__}",
                        hint="check ldap.url, the network and the certificate (ldap.ca_file); "
                             "local administrators can still sign in", status=503)


def _password(cfg: LdapSettings) -> str:
    if not cfg.bind_password_file:
        return ""
    try:
        return Path(cfg.bind_password_file).read_text("utf-8").strip()
    except OSError as exc:
        raise BelfortError("ldap.no_bind_password", f"cannot read ldap.bind_password_file: {exc.strerror}",
                           hint="write the service account's password into that file") from exc


def _seconds(cfg: LdapSettings) -> int:
    return max(1, math.ceil(cfg.timeout_seconds))  # ldap3 packs the receive timeout as an integer


def connect(cfg: LdapSettings, user: str | None = None, password: str | None = None) -> Any:
    """A bound connection (the service account unless `user` is given). Raises ldap.unreachable (503)
    or, for a refused bind, auth.invalid (401)."""
    import ldap3
    from ldap3.core.exceptions import LDAPBindError, LDAPException, LDAPInvalidCredentialsResult

    if not cfg.url:
        raise BelfortError("ldap.not_configured", "no directory is configured", hint="set ldap.url")
    try:
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=cfg.ca_file or None,
                        version=ssl.PROTOCOL_TLS_CLIENT)
    except LDAPException as exc:
        raise BelfortError("ldap.bad_ca_file", f"ldap.ca_file cannot be used: {cfg.ca_file}",
                           hint="point ldap.ca_file at the PEM file of the directory's CA", status=503) from exc
    bind = ldap3.AUTO_BIND_TLS_BEFORE_BIND if cfg.security == "starttls" else ldap3.AUTO_BIND_NO_TLS
    who, secret = (user, password) if user is not None else (cfg.bind_dn, _password(cfg))
    failure: Exception = ConnectionError("no server")
    for url in cfg.url.split():  # in order: the first server that answers (a failed bind is final)
        server = ldap3.Server(url, use_ssl=cfg.security == "ldaps", tls=tls, get_info=ldap3.NONE,
                              connect_timeout=_seconds(cfg))
        try:
            return ldap3.Connection(server, user=who or None, password=secret or None, auto_bind=bind,
                                    receive_timeout=_seconds(cfg), raise_exceptions=True, read_only=True)
        except (LDAPBindError, LDAPInvalidCredentialsResult) as exc:
            if user is None:
                raise BelfortError("ldap.bind_failed", "the directory refused the service account's bind",
                                   hint="check ldap.bind_dn and ldap.bind_password_file", status=503) from exc
            raise BelfortError("auth.invalid", "unknown user or wrong password",
                               hint="check the user name and password", status=401) from exc
        except LDAPException as exc:
            failure = exc
    raise unreachable(cfg, failure) from failure


def escape(value: str) -> str:
    from ldap3.utils.conv import escape_filter_chars

    return str(escape_filter_chars(value))


def search(conn: Any, base: str, flt: str, attributes: list[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(dn, attributes) of every entry, page by page (directories cap one answer at 1,000 entries)."""
    import ldap3

    for entry in conn.extend.standard.paged_search(base, flt, ldap3.SUBTREE, attributes=attributes,
                                                   paged_size=PAGE, generator=True):
        if entry.get("type") == "searchResEntry":
            yield entry["dn"], dict(entry.get("raw_attributes") or {})


def _text(attrs: dict[str, Any], name: str) -> str:
    values = attrs.get(name) or []
    raw = values[0] if values else b""
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _texts(attrs: dict[str, Any], name: str) -> list[str]:
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in attrs.get(name) or []]


def _first_rdn_value(dn: str) -> str:
    return dn.split(",", 1)[0].split("=", 1)[-1].strip()


def users(conn: Any, cfg: LdapSettings, flt: str | None = None) -> list[DirectoryUser]:
    attrs = [cfg.username_attribute, cfg.display_name_attribute, cfg.sid_attribute]
    flt = flt or cfg.users_filter
    disabled: set[str] = set()
    if cfg.disabled_filter:
        disabled = {norm_dn(dn) for dn, _ in search(conn, cfg.user_base, f"(&{flt}{cfg.disabled_filter})", ["1.1"])}
    out = []
    for dn, a in search(conn, cfg.user_base, flt, attrs):
        name = _text(a, cfg.username_attribute)
        if name:
            out.append(DirectoryUser(dn, name, _text(a, cfg.display_name_attribute) or name,
                                     sid_text(a.get(cfg.sid_attribute)), norm_dn(dn) in disabled))
    return out


def groups(conn: Any, cfg: LdapSettings) -> list[DirectoryGroupEntry]:
    out = []
    for dn, a in search(conn, cfg.group_base or cfg.user_base, cfg.group_filter,
                        ["cn", cfg.member_attribute, cfg.sid_attribute]):
        out.append(DirectoryGroupEntry(dn, _text(a, "cn") or _first_rdn_value(dn), sid_text(a.get(cfg.sid_attribute)),
                                       frozenset(norm_dn(m) for m in _texts(a, cfg.member_attribute))))
    return out


def memberships(groups_: list[DirectoryGroupEntry]) -> dict[str, set[str]]:
    """member DN -> every group DN it is in, directly or through nested groups (loops tolerated)."""
    parents: dict[str, set[str]] = {}
    for g in groups_:
        for m in g.members:
            parents.setdefault(m, set()).add(norm_dn(g.dn))
    closure: dict[str, set[str]] = {}

    def up(dn: str) -> set[str]:
        if dn in closure:
            return closure[dn]
        seen: set[str] = set()
        todo = list(parents.get(dn, ()))
        while todo:  # iterative: a chain of thousands of nested groups does not hit the recursion limit
            g = todo.pop()
            if g in seen:
                continue
            seen.add(g)
            todo.extend(parents.get(g, ()))
        closure[dn] = seen
        return seen

    return {m: up(m) for m in parents}
