"""POST /api/v1/intake: a web form (the municipality's site, an e-loket) becomes a triage item.

Any API token may submit, as anyone may write to the triage mailbox; the answer says only that the
item was received (its id and state), never how it was classified.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import post
from litestar.params import Body, Parameter

from appliance.access import Principal
from appliance.api.schemas import NOT_BLANK, SPACE_CLASS
from appliance.context import Appliance
from appliance.triage import MAX_FIELDS, FormSubmission, submit_form

MAX_BODY = 1024 * 1024  # framing limit; the real one is intake.api_form_max_kb, checked below
_PART = f"[^@<>\"',;{SPACE_CLASS}]+"  # appliance.triage.forms.ADDRESS, for the schema (ECMA-262 regex)
_SENDER_PATTERN = f"^[{SPACE_CLASS}]*({_PART}@{_PART}\\.{_PART})?[{SPACE_CLASS}]*$"
# What validate_form refuses, said in the schema (issue 19: the schema did not say that an empty form or
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


@post("/intake", sync_to_thread=True, summary="Submit a web form for triage", tags=["triage"],
      status_code=201, request_max_body_size=MAX_BODY)
def intake_form(appliance: Appliance, who: Principal,
                data: Annotated[IntakeIn, Body(schema_extra=FORM_SCHEMA)]) -> IntakeOut:
    item, duplicate = submit_form(appliance, FormSubmission(
        text=data.text, subject=data.subject, sender=data.sender, sender_name=data.sender_name,
        fields=data.fields, external_id=data.external_id))
    return IntakeOut(id=int(item.id or 0), state=item.state, received_at=item.received_at.isoformat(),
                     duplicate=duplicate)


HANDLERS = [intake_form]
