"""`belfort retention list|set|remove|dry-run|apply` and `belfort retention hold|release|holds`."""

from __future__ import annotations

import argparse
import json

from ops.commands._common import appliance_from

ACTOR = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("retention", help="retention rules, legal holds, and applying them")
    actions = p.add_subparsers(dest="retention_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="the rules and the active legal holds (JSON)").set_defaults(func=cmd_list)
    s = actions.add_parser("set", help="add a rule, or change the one for the same target and scope")
    s.add_argument("target", choices=("documents", "triage", "answers", "tickets", "transcripts", "recordings"))
    s.add_argument("--scope", default="", help="a collection (documents) or category key (triage)")
    s.add_argument("--days", required=True, help="keep this many days after the date field")
    s.add_argument("--date-field", default="", help="which date counts (default: when the item was made)")
    s.add_argument("--action", choices=("delete", "anonymise"), default="delete")
    s.add_argument("--duty", action="store_true", help="a legal duty to keep: no erasure on request before then")
    s.add_argument("--confirm", action="store_true", help="confirm a rule that takes every item it covers")
    s.set_defaults(func=cmd_set)
    r = actions.add_parser("remove", help="remove a rule")
    r.add_argument("rule", type=int)
    r.set_defaults(func=cmd_remove)
    actions.add_parser("dry-run", help="what applying the rules would do now (changes nothing)") \
        .set_defaults(func=cmd_dry_run)
    a = actions.add_parser("apply", help="delete or anonymise what is due (the daily job does this)")
    a.add_argument("--confirm", action="store_true", help="also run rules that take every item they cover")
    a.set_defaults(func=cmd_apply)
    h = actions.add_parser("hold", help="place a legal hold (suspends every deletion of what it covers)")
    h.add_argument("kind", choices=("document", "collection", "meeting", "person"))
    h.add_argument("ref", help="document number, collection name, recording number, or the person's name")
    h.add_argument("--reason", required=True)
    h.add_argument("--rrn", default="", help="person: their national number")
    h.add_argument("--email", default="", help="person: their e-mail address")
    h.set_defaults(func=cmd_hold)
    x = actions.add_parser("release", help="release a legal hold")
    x.add_argument("hold", type=int)
    x.add_argument("--reason", default="")
    x.set_defaults(func=cmd_release)


def _rule(r: object) -> dict[str, object]:
    keys = ("id", "target", "scope", "days", "date_field", "action", "duty", "enabled", "confirmed_by", "updated_by")
    return {k: getattr(r, k) for k in keys}


def cmd_list(args: argparse.Namespace) -> int:
    from appliance.governance import active_holds, list_rules

    app = appliance_from(args)
    holds = [{"id": h.id, "kind": h.kind, "ref": h.ref, "reason": h.reason, "by": h.created_by,
              "at": h.created_at.isoformat()} for h in active_holds(app)]
    print(json.dumps({"rules": [_rule(r) for r in list_rules(app)], "holds": holds}, ensure_ascii=False))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    from appliance.governance import save_rule

    data = {"target": args.target, "scope": args.scope, "days": args.days, "date_field": args.date_field,
            "action": args.action, "duty": "true" if args.duty else ""}
    print(json.dumps(_rule(save_rule(appliance_from(args), ACTOR, data, confirm=args.confirm))))
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from appliance.governance import remove_rule

    remove_rule(appliance_from(args), ACTOR, args.rule)
    return 0


def cmd_dry_run(args: argparse.Namespace) -> int:
    from appliance.governance import retention_dry_run

    print(json.dumps(retention_dry_run(appliance_from(args))))
    return 0


def cmd_apply(args: argparse.Namespace) -> int:
    from appliance.governance import apply_retention

    print(json.dumps(apply_retention(appliance_from(args), ACTOR, confirm=args.confirm)))
    return 0


def cmd_hold(args: argparse.Namespace) -> int:
    from appliance.governance import place_hold

    hold = place_hold(appliance_from(args), ACTOR, args.kind, args.ref, reason=args.reason, rrn=args.rrn,
                      email=args.email)
    print(json.dumps({"hold": hold.id}))
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from appliance.governance import release_hold

    release_hold(appliance_from(args), ACTOR, args.hold, reason=args.reason)
    return 0
