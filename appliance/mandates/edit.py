"""Bodies and mandatarissen edited by hand (archivists): add or correct a governing body, add, edit
or end a mandate. The checks are the import's: http(s) URIs only, and a mandataris sits in one body
(`mandates.two_bodies`, as `belfort mandates import` refuses it). Every change is an audit event.
A later `belfort mandates import` still replaces all of it in one transaction.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.access import Principal
from appliance.db.engine import write_session
from appliance.db.tables import AuditEvent, GoverningBody, Mandatary
from appliance.errors import BelfortError, NotFound

if TYPE_CHECKING:
    from appliance.context import Appliance

KINDS = ("mandataris", "functionaris")
MAX_NAME = 300


def _http(value: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if not value.startswith(("http://", "https://")) or len(value) > 1000 or any(c.isspace() for c in value):
        raise BelfortError("mandates.bad_uri", f"{what}: not an http(s) URI ({value[:80]})",
                           hint="use the URI from the Mandatendatabank, starting with http:// or https://")
    return value


def _name(value: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise BelfortError("mandates.no_name", f"{what} has no name")
    if len(value) > MAX_NAME:
        raise BelfortError("mandates.name_too_long", f"{what}: at most {MAX_NAME} characters")
    return value


def _date(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise BelfortError("mandates.bad_date", f"{what}: not a date ({value[:40]})",
                           hint="use YYYY-MM-DD, e.g. 2025-01-02") from exc


def save_body(app: Appliance, who: Principal, *, uri: str, name: str, classification: str = "") -> GoverningBody:
    """Add a governing body, or rename / reclassify the one with this URI."""
    uri = _http(uri, "bestuursorgaan")
    values = {"name": _name(name, "bestuursorgaan"),
              "classification": _http(classification, "classification", required=False)}
    with write_session(app.db) as s:
        row = s.exec(select(GoverningBody).where(GoverningBody.uri == uri)).first()
        action = "mandates.body_edit" if row else "mandates.body_add"
        row = row or GoverningBody(uri=uri)
        row.name, row.classification = values["name"], values["classification"]
        s.add(row)
        s.add(AuditEvent(actor=who.username, action=action, target=f"body:{uri}", detail=values))
        return row


def save_mandatary(app: Appliance, who: Principal, *, uri: str, body_uri: str, name: str, role: str = "",
                   kind: str = "mandataris", person_uri: str = "", start_date: str = "",
                   end_date: str = "") -> Mandatary:
    """Add a mandate, or edit the one with this URI (in the same body: a mandataris sits in one body)."""
    uri = _http(uri, kind)
    if kind not in KINDS:
        raise BelfortError("mandates.bad_kind", f"unknown kind {kind[:40]}", hint="mandataris or functionaris")
    values = {"body_uri": _http(body_uri, "bestuursorgaan"), "name": _name(name, kind),
              "role": " ".join((role or "").split())[:MAX_NAME], "kind": kind,
              "person_uri": _http(person_uri, "person", required=False),
              "start_date": _date(start_date, "start"), "end_date": _date(end_date, "end")}
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        raise BelfortError("mandates.ends_before_start", f"the mandate ends ({values['end_date']}) before it "
                           f"starts ({values['start_date']})", hint="a mandate ends after it starts")
    with write_session(app.db) as s:
        if s.exec(select(GoverningBody).where(GoverningBody.uri == values["body_uri"])).first() is None:
            raise BelfortError("mandates.unknown_body", "no governing body with that URI",
                               hint="add the body first, or import the Mandatendatabank export")
        row = s.exec(select(Mandatary).where(Mandatary.uri == uri)).first()
        if row is not None and row.body_uri != values["body_uri"]:
            raise BelfortError("mandates.two_bodies", f"{kind} {uri} sits in two bodies: {row.body_uri}, "
                               f"{values['body_uri']}", hint="end this mandate and add the new one with its own URI")
        action = "mandates.mandate_edit" if row else "mandates.mandate_add"
        row = row or Mandatary(uri=uri, body_uri=values["body_uri"])
        for key, value in values.items():
            setattr(row, key, value)
        s.add(row)
        s.add(AuditEvent(actor=who.username, action=action, target=f"mandate:{uri}", detail=values))
        return row


def end_mandatary(app: Appliance, who: Principal, uri: str, end_date: str = "") -> Mandatary:
    """End a mandate on `end_date` (today when empty); it stays for the meetings it attended."""
    end = _date(end_date, "end") or date.today().isoformat()
    with write_session(app.db) as s:
        row = s.exec(select(Mandatary).where(Mandatary.uri == uri)).first()
        if row is None:
            raise NotFound("mandates.not_found", "no mandataris with that URI", hint="see the list of mandates")
        if row.start_date and end < row.start_date:
            raise BelfortError("mandates.ends_before_start", f"the mandate ends ({end}) before it starts "
                               f"({row.start_date})", hint="a mandate ends after it starts")
        row.end_date = end
        s.add(row)
        s.add(AuditEvent(actor=who.username, action="mandates.mandate_end", target=f"mandate:{uri}",
                         detail={"end_date": end, "body_uri": row.body_uri}))
        return row
