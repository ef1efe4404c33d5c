"""Retention rules: which items are kept how long, edited by administrators. Every change is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, RetentionRule, utcnow
from appliance.errors import BelfortError, NotFound
from appliance.governance.actions import ACTIONS
from appliance.governance.items import TARGETS

MAX_DAYS = 100 * 366


class ConfirmEverything(BelfortError):
    """The rule would delete every item it covers: the admin must confirm, seeing the count."""

    def __init__(self, count: int) -> None:
        super().__init__("retention.confirm_everything", f"this rule would delete or anonymise all {count} items "
                         "it covers", hint="check the period; confirm to apply it anyway", status=409)
        self.count = count


def _as_int(value: Any, default: int = 0) -> int:
    try:
        return int(str(value).strip() or default)
    except ValueError:
        raise BelfortError("retention.bad_days", "the period must be a whole number of days",
                           hint="e.g. 365") from None


def validate(app: Appliance, data: dict[str, Any]) -> RetentionRule:
    """A rule from form or CLI values, checked (not stored)."""
    target = str(data.get("target", ""))
    if target not in TARGETS:
        raise BelfortError("retention.bad_target", f"unknown target '{target[:30]}'", hint=", ".join(TARGETS))
    fields = TARGETS[target][1]
    date_field = str(data.get("date_field") or fields[0])
    if date_field not in fields:
        raise BelfortError("retention.bad_date_field", f"{target} have no date '{date_field[:30]}'",
                           hint=", ".join(fields))
    days = _as_int(data.get("days"))
    if not 1 <= days <= MAX_DAYS:
        raise BelfortError("retention.bad_days", "the period must be between 1 day and 100 years", hint="e.g. 365")
    action = str(data.get("action") or "delete")
    if action not in ACTIONS or (target == "recordings" and action != "delete"):
        raise BelfortError("retention.bad_action", f"unknown action '{action[:20]}' for {target}",
                           hint="delete or anonymise (recordings: delete, the audio only)")
    scope = " ".join(str(data.get("scope") or "").split())
    if scope and target not in ("documents", "triage"):
        raise BelfortError("retention.bad_scope", f"{target} take no scope", hint="leave the scope empty")
    if scope and target == "documents":
        with read_session(app.db) as s:
            if s.exec(select(Collection).where(Collection.name == scope)).first() is None:
                raise NotFound("retention.unknown_collection", f"no collection '{scope[:60]}'")
    truthy = ("1", "true", "on", "yes")
    return RetentionRule(target=target, scope=scope, days=days, date_field=date_field, action=action,
                         duty=str(data.get("duty", "")).lower() in truthy,
                         enabled=str(data.get("enabled", "true")).lower() in truthy)


def list_rules(app: Appliance) -> list[RetentionRule]:
    with read_session(app.db) as s:
        return list(s.exec(select(RetentionRule).order_by(col(RetentionRule.target), col(RetentionRule.scope))).all())


def get_rule(app: Appliance, rule_id: int) -> RetentionRule:
    with read_session(app.db) as s:
        rule = s.get(RetentionRule, rule_id)
    if rule is None:
        raise NotFound("retention.not_found", f"no retention rule {rule_id}")
    return rule


def save_rule(app: Appliance, actor: str, data: dict[str, Any], *, confirm: bool = False,
              now: datetime | None = None) -> RetentionRule:
    """Add a rule, or replace the one for the same target and scope. A rule that would take every item
    it covers now raises ConfirmEverything (with the count) unless `confirm`."""
    from appliance.governance.retention import plan_rule

    rule = validate(app, data)
    plan = plan_rule(app, rule, now)
    if plan.takes_everything and not confirm:
        raise ConfirmEverything(plan.total)
    rule.confirmed_by = actor if plan.takes_everything else ""
    with write_session(app.db) as s:
        old = s.exec(select(RetentionRule).where(RetentionRule.target == rule.target,
                                                 RetentionRule.scope == rule.scope)).first()
        if old is not None:
            for key in ("days", "date_field", "action", "duty", "enabled", "confirmed_by"):
                setattr(old, key, getattr(rule, key))
            rule = old
        rule.updated_by, rule.updated_at = actor, utcnow()
        s.add(rule)
        s.flush()
        s.add(AuditEvent(actor=actor, action="retention.rule_set", target=f"retention_rule:{rule.id}",
                         detail={"target": rule.target, "scope": rule.scope, "days": rule.days,
                                 "date_field": rule.date_field, "action": rule.action, "duty": rule.duty,
                                 "enabled": rule.enabled, "affects_now": len(plan.due), "confirmed": confirm}))
    return rule


def remove_rule(app: Appliance, actor: str, rule_id: int) -> None:
    with write_session(app.db) as s:
        rule = s.get(RetentionRule, rule_id)
        if rule is None:
            raise NotFound("retention.not_found", f"no retention rule {rule_id}")
        s.add(AuditEvent(actor=actor, action="retention.rule_removed", target=f"retention_rule:{rule_id}",
                         detail={"target": rule.target, "scope": rule.scope, "days": rule.days}))
        s.delete(rule)
