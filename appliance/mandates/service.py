"""Bodies and mandatarissen: the atomic import and the reads the minutes' publication makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, delete, select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, GoverningBody, Mandatary
from appliance.mandates.importer import ParsedMandates, parse_mandates

if TYPE_CHECKING:
    from appliance.context import Appliance


@dataclass(frozen=True)
class Person:
    uri: str
    name: str
    role: str
    kind: str  # mandataris | functionaris
    body_uri: str
    person_uri: str = ""
    start_date: str = ""
    end_date: str = ""

    def current(self, day: str) -> bool:
        """Holds the mandate on `day` (ISO date): started by then and not ended before it."""
        return (not self.start_date or self.start_date <= day) and (not self.end_date or self.end_date >= day)


@dataclass
class Body:
    uri: str
    name: str
    classification: str = ""
    unit_uri: str = ""
    unit_name: str = ""
    people: list[Person] = field(default_factory=list)


def import_mandates(app: Appliance, path: Path, actor: str = "system") -> ParsedMandates:
    """Replace every body and mandataris with those of `path`; on any error nothing changes."""
    parsed = parse_mandates(path)  # raises before the database is touched
    with write_session(app.db) as s:
        s.exec(delete(Mandatary))
        s.exec(delete(GoverningBody))
        s.add_all(GoverningBody.model_validate(b) for b in parsed.bodies)
        s.add_all(Mandatary.model_validate(p) for p in parsed.people)
        s.add(AuditEvent(actor=actor, action="mandates.import", target=f"file:{path.name}",
                         detail={"bodies": len(parsed.bodies), "people": len(parsed.people),
                                 "skipped": parsed.skipped}))
    return parsed


def _person(row: Mandatary) -> Person:
    return Person(uri=row.uri, name=row.name, role=row.role, kind=row.kind, body_uri=row.body_uri,
                  person_uri=row.person_uri, start_date=row.start_date or "", end_date=row.end_date or "")


def list_bodies(app: Appliance) -> list[Body]:
    with read_session(app.db) as s:
        bodies = [Body(uri=b.uri, name=b.name, classification=b.classification, unit_uri=b.unit_uri,
                       unit_name=b.unit_name)
                  for b in s.exec(select(GoverningBody).order_by(col(GoverningBody.name))).all()]
        people = s.exec(select(Mandatary).order_by(col(Mandatary.kind), col(Mandatary.name))).all()
    by_uri = {b.uri: b for b in bodies}
    for row in people:
        if row.body_uri in by_uri:
            by_uri[row.body_uri].people.append(_person(row))
    return bodies


def body_of(app: Appliance, uri: str) -> Body | None:
    return next((b for b in list_bodies(app) if b.uri == uri), None)


def people_of(app: Appliance, body_uri: str) -> list[Person]:
    body = body_of(app, body_uri)
    return body.people if body is not None else []


def current_names(app: Appliance, body_uri: str, day: str = "") -> list[str]:
    """The names of the body's mandatarissen and functionarissen who hold their mandate on `day` (today)."""
    day = day or date.today().isoformat()
    return [p.name for p in people_of(app, body_uri) if p.current(day) and p.name]


def person_names(app: Appliance) -> dict[str, str]:
    with read_session(app.db) as s:
        return {m.uri: m.name for m in s.exec(select(Mandatary)).all()}
