"""POST /api/v1/intake: a web form (the municipality's site, an e-loket) becomes a triage item.

Any API token may submit, as anyone may write to the triage mailbox; the answer says only that the
item was received (its id and state), never how it was classified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import post
from litestar.params import Body, Parameter

from appliance.api.schemas import NOT_BLANK, SPACE_CLASS
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.access.principals import Principal

MAX_BODY = 1024 * 1024  # framing limit; the real one is intake.api_form_max_kb, checked below
MAX_FIELDS = 100
_ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_PART = f"[^@<>\"',;{SPACE_CLASS}]+"  # the same, for the schema (ECMA-262 regex)
_SENDER_PATTERN = f"^[{SPACE_CLASS}]*({_PART}@{_PART}\\.{_PART})?[{SPACE_CLASS}]*$"
# What _validate refuses, said in the schema (issue 19: the schema did not say that an empty form or
# a malformed sender is refused): a non-blank text, subject or field value, at most MAX_FIELDS fields.
# The total size limit (intake.api_form_max_kb) is a setting: a larger form is answered 413.
_NOT_BLANK = {"pattern": NOT_BLANK}
FORM_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"required": ["text"], "properties": {"text": _NOT_BLANK}},
        {"required": ["subject"], "properties": {"subject": _NOT_BLANK}},
        {"required": ["fields"],
         "properties": {"fields": {"not": {"additionalProperties": {"pattern": f"^[{SPACE_CLASS}]*$"}}}}},
    ],
    "allOf": [{"properties": {"fields": {"maxProperties": MAX_FIELDS}}}],
}


@dataclass
class IntakeIn:
    text: str = ""
    subject: str = ""
    # the citizen's mail address (for the answer); spaces around it are ignored
    sender: Annotated[str, Parameter(pattern=_SENDER_PATTERN)] = ""
    sender_name: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # the form's own fields (address, reference, ...)
    external_id: str = ""  # the form's submission id: a resubmission is stored once


@dataclass
class IntakeOut:
    id: int
    state: str  # queued | routed | closed
    received_at: str
    duplicate: bool


def _validate(app: Appliance, data: IntakeIn) -> None:
    limit = app.settings.intake.api_form_max_kb * 1024
    size = len(data.text) + len(data.subject) + sum(len(k) + len(str(v)) for k, v in data.fields.items())
    if size > limit:
        raise BelfortError("intake.too_large", f"the submission is larger than {limit // 1024} KiB",
                           hint="send attachments by mail, or raise intake.api_form_max_kb", status=413)
    if len(data.fields) > MAX_FIELDS:
        raise BelfortError("intake.too_many_fields", f"more than {MAX_FIELDS} form fields",
                           hint="send the form's own fields only", status=400)
    if data.sender.strip() and not _ADDRESS.match(data.sender.strip()):  # blank counts as no address
        raise BelfortError("intake.invalid_sender", "sender is not a mail address",
                           hint="leave it empty when the form has no mail address", status=400)
    if not (data.text.strip() or data.subject.strip() or any(str(v).strip() for v in data.fields.values())):
        raise BelfortError("intake.empty", "the submission has no text, subject or fields",
                           hint="send at least the text of the form", status=400)


@post("/intake", sync_to_thread=True, summary="Submit a web form for triage", tags=["triage"],
      status_code=201, request_max_body_size=MAX_BODY)
def intake_form(appliance: Appliance, who: Principal,
                data: Annotated[IntakeIn, Body(schema_extra=FORM_SCHEMA)]) -> IntakeOut:
    from sqlmodel import select

    from appliance.db.engine import read_session
    from appliance.db.tables import TriageItem
    from appliance.triage.intake import receive_form

    _validate(appliance, data)
    external_id = data.external_id.strip()[:200]
    before = None
    if external_id:
        with read_session(appliance.db) as s:
            before = s.exec(select(TriageItem.id).where(TriageItem.source == "api",
                                                        TriageItem.external_id == external_id)).first()
    item = receive_form(appliance, {str(k)[:100]: str(v) for k, v in data.fields.items()},
                        sender=data.sender.strip(), sender_name=data.sender_name, subject=data.subject,
                        text=data.text, external_id=external_id)
    return IntakeOut(id=int(item.id or 0), state=item.state, received_at=item.received_at.isoformat(),
                     duplicate=before is not None)


HANDLERS = [intake_form]
