"""`belfort shares ...`: SMB shares as sources (add, list, crawl)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from appliance import shares
from ops.commands._common import appliance_from


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if args.username and sys.stdin.isatty():
        return getpass.getpass(f"Password of {args.username}: ")
    return ""


def _add(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    info = shares.add_share(app, args.name, server=args.server, share=args.share, path=args.path,
                            collection=args.collection, username=args.username, domain=args.domain,
                            password=_password(args), port=args.port, replace=args.replace, actor="cli")
    print(f"share {info.name}: {info.unc} -> collection {info.collection} (password stored encrypted)")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = shares.list_shares(appliance_from(args))
    if args.json:
        print(json.dumps([{"name": r.name, "unc": r.unc, "port": r.port, "collection": r.collection,
                           "files": r.files, "last_crawl": r.last_crawl} for r in rows], default=str, indent=2))
        return 0
    for r in rows:
        last = r.last_crawl
        state = "never crawled" if not last else ("ok" if last.get("ok") else f"FAILED: {last.get('error', '')}")
        when = f"{r.last_crawl_at:%Y-%m-%d %H:%M}" if r.last_crawl_at else "-"
        print(f"{r.name}\t{r.unc}\t-> {r.collection}\t{r.files} file(s)\tlast crawl {when}: {state}")
    return 0


def _crawl(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    reports = [shares.crawl_share(app, args.name)] if args.name else shares.crawl_all(app)
    failed = 0
    for r in reports:
        if not r.ok:
            failed += 1
            print(f"{r.share}: crawl FAILED, nothing retired: {r.error}")
            continue
        print(f"{r.share}: {r.seen} file(s), {r.ingested} ingested, {r.unchanged} unchanged, "
              f"{r.acl_changed} permission change(s), {r.retired} retired")
        for u in r.unreadable:
            print(f"  unreadable with the crawl's account: {u['path']} ({u['reason']})")
        for sid, files in r.unresolved_sids.items():
            print(f"  SID {sid} names no directory group or user ({len(files)} file(s), e.g. {files[0]})")
        for f in r.failed:
            print(f"  failed: {f['path']} ({f['reason']})")
    return 1 if failed else 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("shares", help="SMB file shares as sources: add, list, crawl")
    cmds = parser.add_subparsers(dest="shares_command", metavar="ACTION", required=True)

    p = cmds.add_parser("add", help="add (or with --replace change) a share crawled into a collection")
    p.add_argument("name", help="a short name for the share, e.g. archief-bouw")
    p.add_argument("--server", required=True, help="file server, e.g. fs01.gemeente.local")
    p.add_argument("--share", required=True, help="share name, e.g. Archief")
    p.add_argument("--path", default="", help="folder inside the share (default: all of it)")
    p.add_argument("--collection", required=True, help="Belfort collection the files go into")
    p.add_argument("--username", default="", help="the crawl's account (read rights on the files and their ACLs)")
    p.add_argument("--domain", default="", help="the account's domain, e.g. GEMEENTE")
    p.add_argument("--port", type=int, default=445)
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--replace", action="store_true", help="change an existing share")
    p.set_defaults(func=_add)

    p = cmds.add_parser("list", help="the shares, their collection and their last crawl")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = cmds.add_parser("crawl", help="crawl one share (or all) now: ingest, permissions, retire")
    p.add_argument("name", nargs="?", default=None)
    p.set_defaults(func=_crawl)
