"""`belfort admin oidc list|presets|add|map|disable|sweep` and `belfort admin totp-reset`: identity providers
and second factors from the command line, thin over appliance.access (registered by ops/commands/admin.py)."""

from __future__ import annotations

import argparse
import sys

from ops.commands._common import appliance_from


def _pairs(items: list[str] | None) -> dict[str, str] | None:
    if items is None:
        return None
    out = {}
    for item in items:
        key, sep, value = item.rpartition("=")
        if not sep or not key.strip() or not value.strip():
            raise SystemExit(f"not CLAIM=NAME: {item!r}")
        out[key.strip()] = value.strip()
    return out


def _list(args: argparse.Namespace) -> int:
    from appliance import access

    app = appliance_from(args)
    for p in access.list_oidc_providers(app):
        state = "on" if p.enabled else "off"
        print(f"{p.name}\t{state}\t{p.preset}\t{p.issuer}\tclient={p.client_id}\tgroups<-{p.groups_claim or '-'}"
              f"\troles<-{p.roles_claim or '-'}\tmapped groups={len(p.mapping['groups'])} roles={len(p.mapping['roles'])}")
    for row in access.oidc_sign_ins(app, limit=args.sign_ins):
        at = row.at.strftime("%Y-%m-%d %H:%M") if row.at else "never"
        print(f"  {row.username}\t{row.provider}\t{at}\t{row.role}\t{','.join(row.groups)}\t"
              f"{'active' if row.active else 'inactive'}")
    return 0


def _presets(args: argparse.Namespace) -> int:
    from appliance.access import OIDC_CALLBACK_PATH as CALLBACK_PATH
    from appliance.access import OIDC_PRESETS as PRESETS

    for key, p in PRESETS.items():
        print(f"{key}: {p.title}\n  issuer: {p.issuer_pattern}\n  scopes: {p.scopes}\n  user name claim: "
              f"{p.username_claim}\n  groups claim: {p.groups_claim or '-'}\n  roles claim: {p.roles_claim}\n"
              f"  {p.note}")
    print(f"redirect URI: <identity.public_url>{CALLBACK_PATH}")
    return 0


def _add(args: argparse.Namespace) -> int:
    from appliance import access

    secret = sys.stdin.readline().strip() if args.client_secret_stdin else None
    info = access.save_oidc_provider(
        appliance_from(args), args.name, actor="cli", preset=args.preset, title=args.title, issuer=args.issuer,
        client_id=args.client_id, client_secret=secret, scopes=args.scopes, username_claim=args.username_claim,
        groups_claim=args.groups_claim, roles_claim=args.roles_claim)
    print(f"saved provider {info.name} ({info.preset}, {info.issuer}); map its claims with: "
          f"belfort admin oidc map {info.name} --group CLAIM=GROUP --role CLAIM=ROLE")
    return 0


def _map(args: argparse.Namespace) -> int:
    from appliance import access

    app = appliance_from(args)
    current = access.get_oidc_provider(app, args.name).mapping or {}
    mapping = {"groups": _pairs(args.group) if args.group is not None else current.get("groups", {}),
               "roles": _pairs(args.role) if args.role is not None else current.get("roles", {}),
               "require_mapped": not args.allow_unmapped}
    info = access.save_oidc_provider(app, args.name, actor="cli", mapping=mapping)
    print(f"{info.name}: {len(info.mapping['groups'])} group and {len(info.mapping['roles'])} role mapping(s); "
          f"unmapped users {'admitted as staff' if not info.mapping['require_mapped'] else 'refused'}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    from appliance import access

    access.save_oidc_provider(appliance_from(args), args.name, actor="cli", enabled=not args.enable)
    print(f"{args.name}: sign-in {'on' if args.enable else 'off'}")
    return 0


def _sweep(args: argparse.Namespace) -> int:
    from appliance import access

    names = access.sweep_oidc_users(appliance_from(args), days=args.days, actor="cli")
    print(f"deactivated {len(names)} user(s)" + (": " + ", ".join(names) if names else ""))
    return 0


def _totp_reset(args: argparse.Namespace) -> int:
    from appliance import access

    access.totp_reset(appliance_from(args), args.username, actor="cli")
    print(f"second factor of {args.username} removed; an administrator enrols again at the next sign-in")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # sub-commands only, through register_identity
    return None


def register_identity(admin: argparse._SubParsersAction) -> None:
    p = admin.add_parser("totp-reset", help="remove a user's TOTP second factor and recovery codes (lost phone)")
    p.add_argument("username")
    p.set_defaults(func=_totp_reset)
    oidc = admin.add_parser("oidc", help="OpenID Connect providers (Entra ID, ADFS, ACM/IDM) and their claim mapping")
    cmds = oidc.add_subparsers(dest="oidc_command", metavar="ACTION", required=True)
    p = cmds.add_parser("list", help="providers, their mapping and the last sign-ins through them")
    p.add_argument("--sign-ins", type=int, default=20, help="how many recent sign-ins to show")
    p.set_defaults(func=_list)
    cmds.add_parser("presets", help="the presets: issuer pattern, scopes and claims to configure").set_defaults(
        func=_presets)
    p = cmds.add_parser("add", help="add or change a provider")
    p.add_argument("name", help="short name, in the sign-in URL (e.g. entra)")
    p.add_argument("--preset", choices=["entra", "adfs", "acmidm", "generic"], default=None)
    p.add_argument("--title", default=None, help="text on the sign-in button")
    p.add_argument("--issuer", default=None, help="exactly as the discovery document spells it")
    p.add_argument("--client-id", default=None)
    p.add_argument("--client-secret-stdin", action="store_true", help="read the client secret from standard input")
    p.add_argument("--scopes", default=None, help="space-separated (default: the preset's)")
    p.add_argument("--username-claim", default=None)
    p.add_argument("--groups-claim", default=None)
    p.add_argument("--roles-claim", default=None)
    p.set_defaults(func=_add)
    p = cmds.add_parser("map", help="map claim values to Belfort groups and roles (replaces the given part)")
    p.add_argument("name")
    p.add_argument("--group", action="append", metavar="CLAIM=GROUP", help="repeat; e.g. GG-Belfort-Bouw=bouwgroep")
    p.add_argument("--role", action="append", metavar="CLAIM=ROLE", help="repeat; ROLE is staff, archivist or admin")
    p.add_argument("--allow-unmapped", action="store_true", help="admit users whose claims map to nothing, as staff")
    p.set_defaults(func=_map)
    p = cmds.add_parser("disable", help="switch sign-in through a provider off (--enable: on again)")
    p.add_argument("name")
    p.add_argument("--enable", action="store_true")
    p.set_defaults(func=_disable)
    p = cmds.add_parser("sweep", help="deactivate provider users not seen for identity.oidc_inactive_days")
    p.add_argument("--days", type=int, default=None, help="instead of identity.oidc_inactive_days")
    p.set_defaults(func=_sweep)
