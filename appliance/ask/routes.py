"""A collection's escalation route (Ask): the department and mailbox that take questions the AI
cannot answer, the group whose members handle its tickets, and the topics that always go to them.

Stored on the Collection row (`route_department`, `route_mailbox`) and in its `settings_json`
(`route_group`, `sensitive_topics`), where appliance.ask.answering and .tickets read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from appliance.access import Principal, readable_collection_ids
from appliance.ask.relevance import matches_topic
from appliance.ask.types import Answer, Source
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection
from appliance.errors import BelfortError, NotFound
from appliance.i18n import t

if TYPE_CHECKING:
    from appliance.context import Appliance


@dataclass(frozen=True)
class Route:
    collection: str
    department: str
    mailbox: str
    handler_groups: tuple[str, ...]
    sensitive_topics: tuple[str, ...]


def route_groups(c: Collection | None) -> list[str]:
    """The handler group(s) a collection names in settings_json["route_group"] (a name or a list)."""
    value = ((c.settings_json or {}) if c is not None else {}).get("route_group") or []
    names = [value] if isinstance(value, str) else list(value)
    return [str(n).strip() for n in names if str(n).strip()]


def _route(c: Collection) -> Route:
    return Route(c.name, c.route_department, c.route_mailbox, tuple(route_groups(c)),
                 tuple(str(t) for t in (c.settings_json or {}).get("sensitive_topics") or []))


def get_route(app: Appliance, collection: str) -> Route:
    with read_session(app.db) as s:
        row = s.exec(select(Collection).where(Collection.name == collection)).first()
    if row is None:
        raise NotFound("collection.not_found", f"no collection '{collection}'",
                       hint="create it by ingesting into it or with belfort ingest --collection")
    return _route(row)


def set_route(app: Appliance, collection: str, *, department: str | None = None, mailbox: str | None = None,
              handler_groups: list[str] | None = None, sensitive_topics: list[str] | None = None,
              actor: str = "system") -> Route:
    """Change what is given (None keeps the current value; an empty value clears it)."""
    if mailbox and ("@" not in mailbox or any(ch in mailbox for ch in " \r\n,;<>")):
        raise BelfortError("route.bad_mailbox", f"'{mailbox}' is not one mail address",
                           hint="give one address such as onthaal@gemeente.be, or an empty value")
    with write_session(app.db) as s:
        row = s.exec(select(Collection).where(Collection.name == collection)).first()
        if row is None:
            raise NotFound("collection.not_found", f"no collection '{collection}'",
                           hint="create it by ingesting into it or with belfort ingest --collection")
        if department is not None:
            row.route_department = department.strip()
        if mailbox is not None:
            row.route_mailbox = mailbox.strip()
        extra = dict(row.settings_json or {})  # a new dict: the JSON column must see a change
        if handler_groups is not None:
            extra["route_group"] = [g.strip() for g in handler_groups if g.strip()]
        if sensitive_topics is not None:
            extra["sensitive_topics"] = [t.strip() for t in sensitive_topics if t.strip()]
        row.settings_json = extra
        s.add(row)
        route = _route(row)
        s.add(AuditEvent(actor=actor, action="collection.set_route", target=collection,
                         detail={"department": route.department, "mailbox_set": bool(route.mailbox),
                                 "handler_groups": list(route.handler_groups),
                                 "sensitive_topics": len(route.sensitive_topics)}))
    return route


# --- what Ask reads: routes and sensitive topics of the collections one may read ----------


def _readable_collections(app: Appliance, who: Principal) -> list[Collection]:
    with read_session(app.db) as session:
        readable = readable_collection_ids(session, who)
        return list(session.exec(select(Collection).where(Collection.id.in_(readable))).all())  # type: ignore[union-attr]


def escalation_routes(app: Appliance, who: Principal, first: list[str]) -> list[dict[str, str]]:
    """Escalation routes: those of the `first` collections (the closest passages'), else of any
    collection `who` may read."""
    rows = _readable_collections(app, who)
    by_name = {c.name: c for c in rows if c.route_department or c.route_mailbox}
    order = first + sorted(by_name)
    out, seen = [], set()
    for name in order:
        c = by_name.get(name)
        if c is not None and name not in seen:
            seen.add(name)
            out.append({"collection": name, "department": c.route_department, "mailbox": c.route_mailbox})
    return out


def sensitive_topic(app: Appliance, who: Principal, q: str) -> str:
    """The first sensitive topic of a collection `who` may read that the question touches, or ""."""
    for c in _readable_collections(app, who):
        topics = (c.settings_json or {}).get("sensitive_topics") or []
        hit = matches_topic(q, [str(t) for t in topics])
        if hit:
            return hit
    return ""


def with_route(text: str, routes: list[dict[str, str]], language: str) -> str:
    if not routes:
        return text
    r = routes[0]
    who = " — ".join(x for x in (r["department"], r["mailbox"]) if x)
    return f"{text} {t(language, 'answer.escalate', route=who)}"


def dont_know(language: str, routes: list[dict[str, str]], sources: list[Source], checks: dict[str, Any],
              base: dict[str, Any], **extra: Any) -> Answer:
    """"I don't know", with the escalation route and the closest passages."""
    return Answer(text=with_route(t(language, "answer.dont_know"), routes, language), citations=[],
                  sources=sources, status="dont_know", checks=checks, **base, **extra)
