"""Applying the retention rules: what is due (a dry run) and deleting or anonymising it.

An item is due when its rule's date field lies more than `days` before now; items without that date
(a ticket not closed yet) are not due. Nothing under an active legal hold is touched. A rule that would
take every item it covers runs only once an admin confirmed it (they saw the count). Each deletion is
an audit event; each run leaves one "retention.run" event with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, RetentionRule
from appliance.governance.actions import carry_out
from appliance.governance.holds import HoldCheck, hold_check
from appliance.governance.items import TARGETS, Item, items_of
from appliance.governance.removal import masker

SHOWN = 100  # item references listed per rule in a report


@dataclass
class RulePlan:
    rule: RetentionRule
    total: int = 0
    due: list[Item] = field(default_factory=list)
    held: list[tuple[Item, int]] = field(default_factory=list)

    @property
    def takes_everything(self) -> bool:
        return self.total > 0 and len(self.due) + len(self.held) == self.total

    def as_dict(self) -> dict[str, Any]:
        r = self.rule
        return {"rule": r.id, "target": r.target, "scope": r.scope, "days": r.days, "date_field": r.date_field,
                "action": r.action, "duty": r.duty, "enabled": r.enabled, "total": self.total,
                "due": len(self.due), "held": len(self.held), "takes_everything": self.takes_everything,
                "needs_confirmation": self.takes_everything and not r.confirmed_by,
                "items": [i.ref for i in self.due[:SHOWN]],
                "held_items": [{"ref": i.ref, "hold": h} for i, h in self.held[:SHOWN]]}


def _rules(app: Appliance) -> list[RetentionRule]:
    with read_session(app.db) as s:
        return list(s.exec(select(RetentionRule).order_by(col(RetentionRule.id))).all())


def _now(now: datetime | None) -> datetime:
    now = now or datetime.now(UTC)
    return now if now.tzinfo else now.replace(tzinfo=UTC)


def in_scope(rule: RetentionRule, item: Item) -> bool:
    return not rule.scope or item.where == rule.scope


def plan_rule(app: Appliance, rule: RetentionRule, now: datetime | None = None,
              holds: HoldCheck | None = None, items: list[Item] | None = None) -> RulePlan:
    kind = TARGETS[rule.target][0]
    cutoff = _now(now) - timedelta(days=rule.days)
    holds = holds or hold_check(app)
    plan = RulePlan(rule)
    for item in items if items is not None else items_of(app, kind):
        if item.settled or not in_scope(rule, item):
            continue
        plan.total += 1
        date = item.dates.get(rule.date_field)
        if date is None or date > cutoff:
            continue
        hold = holds.hold_of(item)
        if hold is None:
            plan.due.append(item)
        else:
            plan.held.append((item, hold))
    return plan


def _plans(app: Appliance, now: datetime | None) -> list[RulePlan]:
    holds, plans = hold_check(app), []
    cache: dict[str, list[Item]] = {}
    rules = sorted((r for r in _rules(app) if r.enabled), key=lambda r: (r.target, r.scope == ""))
    claimed: set[str] = set()
    for rule in rules:  # a scoped rule (one collection, one category) goes before its target's general rule
        kind = TARGETS[rule.target][0]
        items = cache.setdefault(kind, items_of(app, kind))
        mine = [i for i in items if i.ref not in claimed and in_scope(rule, i)]
        claimed.update(i.ref for i in mine)
        plans.append(plan_rule(app, rule, now, holds, mine))
    return plans


def dry_run(app: Appliance, now: datetime | None = None) -> dict[str, Any]:
    """What `apply` would do now, changing nothing."""
    plans = _plans(app, now)
    return {"at": _now(now).isoformat(), "dry_run": True, "rules": [p.as_dict() for p in plans],
            "due": sum(len(p.due) for p in plans), "held": sum(len(p.held) for p in plans), "done": 0}


def apply(app: Appliance, actor: str = "system", now: datetime | None = None, *,
          confirm: bool = False) -> dict[str, Any]:
    """Delete or anonymise what is due; `confirm` lets rules that take everything run this once."""
    plans = _plans(app, now)
    mask, done, skipped = masker(), 0, []
    for plan in plans:
        rule = plan.rule
        if plan.takes_everything and not (confirm or rule.confirmed_by):
            skipped.append(rule.id)
            continue
        for item in plan.due:
            date = item.dates.get(rule.date_field)
            age = (_now(now) - date).days if date else None
            carry_out(app, actor, item, rule.action, mask, basis="retention",
                      detail={"rule": rule.id, "days": rule.days, "date_field": rule.date_field, "age_days": age})
            done += 1
    report = {"at": _now(now).isoformat(), "dry_run": False, "rules": [p.as_dict() for p in plans],
              "due": sum(len(p.due) for p in plans), "held": sum(len(p.held) for p in plans), "done": done,
              "needs_confirmation": skipped}
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action="retention.run", target="retention",
                         detail={"done": done, "held": report["held"], "skipped_rules": skipped}))
    return report


def last_run(app: Appliance) -> AuditEvent | None:
    """The newest run (the daily job's or an admin's), for the retention page."""
    with read_session(app.db) as s:
        return s.exec(select(AuditEvent).where(AuditEvent.action == "retention.run")
                      .order_by(col(AuditEvent.id).desc()).limit(1)).first()


def duty_of(app: Appliance, item: Item, now: datetime | None = None) -> RetentionRule | None:
    """The rule whose legal duty to keep forbids erasing `item` now, if any."""
    cutoff = None
    for rule in _rules(app):
        if not (rule.duty and rule.enabled and TARGETS[rule.target][0] == item.kind and in_scope(rule, item)):
            continue
        date = item.dates.get(rule.date_field)
        cutoff = _now(now) - timedelta(days=rule.days)
        if date is None or date > cutoff:
            return rule
    return None
