"""`belfort admin ldap ...`: the directory (LDAP/AD) provider's status and a group sync now."""

from __future__ import annotations

import argparse

from appliance import access
from ops.commands._common import appliance_from


def _sync(args: argparse.Namespace) -> int:
    report = access.ldap_sync(appliance_from(args))
    if not report.ok:
        print(f"sync FAILED, nothing changed: {report.error}")
        return 1
    print(f"synced {report.users} user(s) and {report.groups} group(s): {len(report.changes)} change(s)")
    for c in report.changes[: args.show]:
        detail = ", ".join(f"{k}={v}" for k, v in c.items() if k != "kind")
        print(f"  {c['kind']}: {detail}")
    return 0


def _status(args: argparse.Namespace) -> int:
    st = access.provider_status(appliance_from(args))
    if not st.configured:
        print("no directory configured (ldap.url is empty): local accounts only")
        return 0
    print(f"directory {st.url} ({st.security}): {'reachable' if st.reachable else 'UNREACHABLE: ' + st.detail}")
    print(f"mirrored: {st.users} user(s), {st.groups} group(s)")
    if st.last_sync is not None:
        last = st.last_sync
        print(f"last sync {last.started_at:%Y-%m-%d %H:%M}: {'ok' if last.ok else 'FAILED: ' + last.error}, "
              f"{len(last.changes)} change(s)")
    return 0 if st.reachable else 1


def register_ldap(admin: argparse._SubParsersAction) -> None:
    parser = admin.add_parser("ldap", help="the directory (LDAP/Active Directory): status, group sync now")
    cmds = parser.add_subparsers(dest="ldap_command", metavar="ACTION", required=True)
    p = cmds.add_parser("sync", help="mirror the directory's users and (nested) groups now")
    p.add_argument("--show", type=int, default=50, help="print at most this many changes")
    p.set_defaults(func=_sync)
    p = cmds.add_parser("status", help="whether the directory answers, and the last sync")
    p.set_defaults(func=_status)


def register(sub: argparse._SubParsersAction) -> None:  # this module adds no top-level command
    return None
