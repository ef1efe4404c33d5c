"""`belfort admin ...`: accounts and access from the command line (the first admin comes from here)."""

from __future__ import annotations

import argparse
import getpass
import sys

from appliance import access
from appliance.errors import BelfortError
from ops.commands._common import appliance_from


def _groups(text: str) -> list[str]:
    return [g.strip() for g in (text or "").split(",") if g.strip()]


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise BelfortError(
            "accounts.no_password",
            "no password given",
            hint="pipe it in with --password-stdin, or run the command in a terminal",
        )
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise BelfortError(
            "accounts.password_mismatch", "the passwords differ", hint="type the same password twice"
        )
    return first


def _create_user(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    who = access.create_user(
        app, args.username, _read_password(args), role=args.role, groups=_groups(args.groups), actor="cli"
    )
    print(f"created user {who.username} (role {who.role}, {len(who.group_ids)} group(s))")
    return 0


def _create_token(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    token = access.create_token(app, args.username, args.name, scopes=args.scope,
                                    expires_days=args.expires_days, actor="cli")
    info = access.list_tokens(app, args.username)[0]
    print(token)
    print(f"token {info.id}: scopes {','.join(info.scopes)}, expires {info.expires_at:%Y-%m-%d}; "
          "store it now: it is shown only once", file=sys.stderr)
    return 0


def _when(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "-"


def _list_tokens(args: argparse.Namespace) -> int:
    tokens = access.list_tokens(appliance_from(args), args.user)
    if not tokens:
        print("no API tokens")
    for t in tokens:
        print(f"{t.id:>4}  {t.state:<8} {t.username:<20} {','.join(t.scopes):<22} "
              f"expires {_when(t.expires_at)}  last used {_when(t.last_used_at)}  {t.name}")
    return 0


def _revoke_token(args: argparse.Namespace) -> int:
    info = access.revoke_token(appliance_from(args), args.token_id, actor="cli")
    print(f"revoked token {info.id} ({info.name}) of {info.username}")
    return 0


def _set_password(args: argparse.Namespace) -> int:
    access.update_user(appliance_from(args), args.username, password=_read_password(args), actor="cli")
    print(f"new password set for {args.username}; their browser sessions were ended")
    return 0


def _set_groups(args: argparse.Namespace) -> int:
    groups = access.set_collection_groups(
        appliance_from(args), args.collection, _groups(args.groups), actor="cli"
    )
    print(f"{args.collection}: readable by {', '.join(groups) or 'administrators only'}")
    return 0


def _set_route(args: argparse.Namespace) -> int:
    from appliance.ask import set_route

    route = set_route(
        appliance_from(args), args.collection, department=args.department, mailbox=args.mailbox,
        handler_groups=None if args.handlers is None else _groups(args.handlers),
        sensitive_topics=None if args.sensitive is None else args.sensitive.split(";"), actor="cli",
    )
    print(f"{route.collection}: department '{route.department or '-'}', mailbox '{route.mailbox or '-'}', "
          f"handlers {', '.join(route.handler_groups) or 'administrators only'}, "
          f"{len(route.sensitive_topics)} sensitive topic(s)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("admin", help="users, passwords, API tokens, collection groups and escalation routes")
    admin = parser.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    from ops.commands._ldap import register_ldap

    register_ldap(admin)

    p = admin.add_parser("create-user", help="create a local user")
    p.add_argument("username")
    p.add_argument("--role", choices=access.ROLES, default="staff")
    p.add_argument("--groups", default="", help="comma-separated group names (created as needed)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=_create_user)

    p = admin.add_parser("set-password", help="set a user's password (ends the user's browser sessions)")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.set_defaults(func=_set_password)

    p = admin.add_parser("create-token", help="create an API token (printed once)")
    p.add_argument("username")
    p.add_argument("--name", required=True, help="what the token is for, e.g. 'intranet'")
    p.add_argument("--scope", default=None,
                   help="comma-separated: read, ask, ingest, admin, metrics (default: all the user's role "
                        "allows but metrics)")
    p.add_argument("--expires-days", type=int, default=None, help="lifetime in days (default: web.token_days)")
    p.set_defaults(func=_create_token)

    p = admin.add_parser("list-tokens", help="list API tokens: id, state, user, scopes, expiry, last use")
    p.add_argument("--user", default=None, help="only this user's tokens")
    p.set_defaults(func=_list_tokens)

    p = admin.add_parser("revoke-token", help="revoke an API token by its id (see list-tokens)")
    p.add_argument("token_id", type=int)
    p.set_defaults(func=_revoke_token)

    p = admin.add_parser("set-groups", help="set the groups that may read a collection")
    p.add_argument("collection")
    p.add_argument("groups", help="comma-separated group names; empty: administrators only")
    p.set_defaults(func=_set_groups)

    p = admin.add_parser("set-route", help="set a collection's escalation route (Ask: tickets, sensitive topics)")
    p.add_argument("collection")
    p.add_argument("--department", help="who takes the questions, e.g. 'Dienst Burgerzaken'")
    p.add_argument("--mailbox", help="where tickets are mailed (empty: not mailed)")
    p.add_argument("--handlers", help="comma-separated groups whose members handle the tickets")
    p.add_argument("--sensitive", help="';'-separated topics that always go to a person")
    p.set_defaults(func=_set_route)

    from ops.commands.admin_identity import register_identity

    register_identity(admin)
