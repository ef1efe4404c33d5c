"""`belfort search "…" [--json] [--collection C] [--user U] [--mode M]` and `belfort reindex`."""

from __future__ import annotations

import argparse
import json
import re

from sqlmodel import select

from appliance.access import SYSTEM, Principal, principal_for
from appliance.db.engine import read_session
from appliance.db.tables import User
from appliance.documents import rechunk_stale
from appliance.errors import NotFound
from appliance.index.sync import ensure_index, reindex
from appliance.search import MODES, search
from ops.commands._common import appliance_from

_TAG = re.compile(r"</?mark>")


def _principal(app, username: str | None) -> Principal:  # type: ignore[no-untyped-def]
    if not username:
        return SYSTEM
    with read_session(app.db) as s:
        user = s.exec(select(User).where(User.username == username)).first()
        if user is None or not user.active:
            raise NotFound("search.unknown_user", f"no active user '{username}'",
                           hint="list users in the admin console or create one with belfort admin create-user")
        return principal_for(s, user)


def _search(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    who = _principal(app, args.user)
    ensure_index(app)  # repairs an index left behind by a crash or an engine change
    result = search(app, who, args.query, limit=args.limit, mode=args.mode,
                    collections=args.collection or None)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return 0
    print(f"{len(result.hits)} of {result.total} passages, {result.took_ms:.0f} ms, {result.mode}")
    for n, hit in enumerate(result.hits, start=1):
        plain = _TAG.sub("**", hit.snippet_html)
        print(f"\n{n}. {hit.title} [{hit.collection}/{hit.source_path}, p. {hit.page}] {hit.score:.4f}")
        print("   " + " ".join(plain.split()))
    return 0


def _reindex(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    rechunked = rechunk_stale(app)  # documents of an older chunker first: the index is built from chunks
    result = {**reindex(app), **rechunked}
    if args.json:
        print(json.dumps(result))
    else:
        print(", ".join(f"{k}: {v}" for k, v in result.items()))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("search", help="search passages as a user (default: the system account)")
    p.add_argument("query")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--collection", action="append", help="only this collection (repeatable)")
    p.add_argument("--user", help="search with this user's permissions")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--mode", choices=MODES, default="hybrid")
    p.set_defaults(func=_search)
    r = sub.add_parser("reindex", help="rechunk documents of an older chunker, rebuild the keyword and vector "
                                       "indices from the database")
    r.add_argument("--json", action="store_true", help="print the counts as JSON")
    r.set_defaults(func=_reindex)
