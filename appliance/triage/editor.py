"""Editing the taxonomy in the admin console: the same YAML file `belfort triage import-taxonomy` writes.

Every change is a whole new document validated by `taxonomy_from_dict` before it replaces the active
file (atomically), so an invalid edit changes nothing. Removing a category that items still wait in
(queued with it as suggestion, or routed/awaiting information under it) is refused with the count:
a person first routes those items elsewhere, so no item is left pointing at a category that is gone.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, func, or_, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, TriageItem
from appliance.errors import BelfortError, NotFound
from appliance.storage.files import atomic_write_text
from appliance.triage.store import active_taxonomy, taxonomy_path
from appliance.triage.taxonomy import Category, Department, Taxonomy, taxonomy_from_dict


class CategoryInUse(BelfortError):
    """Refusal to remove a category items still wait in; carries the count for the translated text."""

    def __init__(self, key: str, count: int) -> None:
        super().__init__("triage.category_in_use", f"{count} item(s) still wait in category '{key}'",
                         hint="route them to another category in the triage queue first, then remove it",
                         status=409)
        self.key, self.count = key, count


def category_dict(c: Category) -> dict[str, Any]:
    out: dict[str, Any] = {"key": c.key, "department": c.department}
    if c.name:
        out["name"] = c.name
    out["description"] = c.description
    if c.examples:
        out["examples"] = list(c.examples)
    if c.required_fields:
        out["required_fields"] = list(c.required_fields)
    if c.deadline_days is not None:
        out["deadline_days"] = c.deadline_days
    if c.human_only:
        out["human_only"] = True
    out["threshold"] = c.threshold
    return out


def department_dict(d: Department) -> dict[str, Any]:
    return {k: v for k, v in (("key", d.key), ("name", d.name), ("mailbox", d.mailbox),
                              ("webhook", d.webhook)) if v}


def taxonomy_dict(t: Taxonomy) -> dict[str, Any]:
    return {"version": t.version, "default_threshold": t.default_threshold,
            "departments": [department_dict(d) for d in t.departments],
            "categories": [category_dict(c) for c in t.categories]}


def export_yaml(app: Appliance) -> str:
    import yaml

    text: str = yaml.safe_dump(taxonomy_dict(active_taxonomy(app.settings)), sort_keys=False, allow_unicode=True)
    return text


def waiting_items(app: Appliance, key: str) -> int:
    """Items still waiting in a category: queued with it as suggestion, or open under it."""
    with read_session(app.db) as s:
        return int(s.exec(select(func.count()).select_from(TriageItem).where(or_(
            (col(TriageItem.state) == "queued") & (col(TriageItem.suggested) == key),
            col(TriageItem.state).in_(("routed", "awaiting_info")) & (col(TriageItem.category) == key),
        ))).one())


def check_removals(app: Appliance, taxonomy: Taxonomy) -> None:
    """Refuse a new taxonomy that drops a category items still wait in (console and CLI import)."""
    try:
        before = active_taxonomy(app.settings)
    except BelfortError:
        return
    for key in sorted(set(before.keys) - set(taxonomy.keys)):
        n = waiting_items(app, key)
        if n:
            raise CategoryInUse(key, n)


def save(app: Appliance, data: dict[str, Any], *, actor: str, change: str) -> Taxonomy:
    """Validate `data` and make it the active taxonomy; refuses removing categories items wait in."""
    import yaml

    taxonomy = taxonomy_from_dict(data)
    check_removals(app, taxonomy)
    target = taxonomy_path(app.settings)
    atomic_write_text(target, yaml.safe_dump(taxonomy_dict(taxonomy), sort_keys=False, allow_unicode=True))
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action="triage.taxonomy_changed", target="triage:taxonomy",
                         detail={"change": change, "categories": taxonomy.keys}))
    return taxonomy


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _fields(text: str) -> list[str]:
    return [f.strip() for f in (text or "").replace(";", ",").replace("\n", ",").split(",") if f.strip()]


def category_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """A category mapping from the editor's form fields (validation happens in `save`)."""
    def number(name: str, cast: type) -> Any:
        raw = str(form.get(name) or "").strip().replace(",", ".")
        if not raw:
            return None
        try:
            return cast(raw)
        except ValueError:
            raise BelfortError("triage.taxonomy_invalid", f"{name} is not a number", hint="e.g. 20 or 0.6") \
                from None

    out: dict[str, Any] = {
        "key": str(form.get("key") or "").strip(),
        "department": str(form.get("department") or "").strip(),
        "name": str(form.get("name") or "").strip(),
        "description": str(form.get("description") or "").strip(),
        "examples": _lines(str(form.get("examples") or "")),
        "required_fields": _fields(str(form.get("required_fields") or "")),
        "human_only": bool(form.get("human_only")),
    }
    deadline, threshold = number("deadline_days", int), number("threshold", float)
    if deadline is not None:
        out["deadline_days"] = deadline
    if threshold is not None:
        out["threshold"] = threshold
    return out


def _current(app: Appliance) -> dict[str, Any]:
    return taxonomy_dict(active_taxonomy(app.settings))


def update_category(app: Appliance, key: str, form: dict[str, Any], *, actor: str) -> Taxonomy:
    data = _current(app)
    fields = category_from_form({**form, "key": key})
    index = next((i for i, c in enumerate(data["categories"]) if c["key"] == key), None)
    if index is None:
        raise NotFound("triage.category_not_found", f"no category '{key}'")
    data["categories"][index] = fields
    return save(app, data, actor=actor, change=f"edit {key}")


def add_category(app: Appliance, form: dict[str, Any], *, actor: str) -> Taxonomy:
    data = _current(app)
    fields = category_from_form(form)
    data["categories"].append(fields)
    return save(app, data, actor=actor, change=f"add {fields['key']}")


def remove_category(app: Appliance, key: str, *, actor: str) -> Taxonomy:
    data = _current(app)
    kept = [c for c in data["categories"] if c["key"] != key]
    if len(kept) == len(data["categories"]):
        raise NotFound("triage.category_not_found", f"no category '{key}'")
    data["categories"] = kept
    return save(app, data, actor=actor, change=f"remove {key}")


def save_department(app: Appliance, form: dict[str, Any], *, actor: str) -> Taxonomy:
    """Add a department, or change the name/mailbox/webhook of one with the same key."""
    data = _current(app)
    dept = {k: str(form.get(k) or "").strip() for k in ("key", "name", "mailbox", "webhook")}
    dept = {k: v for k, v in dept.items() if v}
    others = [d for d in data["departments"] if d["key"] != dept.get("key")]
    data["departments"] = [*others, dept] if len(others) == len(data["departments"]) else [
        dept if d["key"] == dept.get("key") else d for d in data["departments"]]
    return save(app, data, actor=actor, change=f"department {dept.get('key', '')}")


def import_yaml(app: Appliance, text: str, *, actor: str) -> Taxonomy:
    """A whole YAML document uploaded in the console (same checks as every edit)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        raise BelfortError("triage.taxonomy_syntax", "the taxonomy is not valid YAML",
                           hint="check indentation and quote values that contain ':'") from None
    return save(app, data, actor=actor, change="import")
