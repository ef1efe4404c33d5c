"""`belfort pseudonyms on|off|reveal COLLECTION`: pseudonymised indexing per collection."""

from __future__ import annotations

import argparse
import json

from sqlmodel import select

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("pseudonyms", help="pseudonymise a collection's indexed text, or reveal its mapping")
    p.add_argument("action", choices=["on", "off", "reveal"])
    p.add_argument("collection")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from appliance.access import SYSTEM
    from appliance.db.engine import write_session
    from appliance.db.tables import AuditEvent, Collection
    from appliance.errors import NotFound
    from appliance.privacy import PSEUDONYMISE_SETTING as SETTING
    from appliance.privacy import reveal_pseudonyms as reveal

    app = appliance_from(args)
    with write_session(app.db) as s:
        coll = s.exec(select(Collection).where(Collection.name == args.collection)).first()
        if coll is None:
            raise NotFound("collection.not_found", f"no collection '{args.collection}'")
        if args.action in ("on", "off"):
            coll.settings_json = {**(coll.settings_json or {}), SETTING: args.action == "on"}
            s.add(coll)
            s.add(AuditEvent(actor="cli", action=f"collection.pseudonymise_{args.action}", target=f"collection:{coll.id}"))
            print(f"{args.collection}: pseudonymised indexing {args.action} (applies to documents ingested from now on;"
                  " run `belfort reindex` after re-ingesting older ones)")
            return 0
        assert coll.id is not None  # a stored row
        collection_id = coll.id
    print(json.dumps(reveal(app, SYSTEM, collection_id), ensure_ascii=False, indent=1))
    return 0
