"""A web form submitted for triage (the municipality's site, an e-loket; POST /api/v1/intake): what is
accepted, and the triage item it becomes. A resubmission with the same external id is stored once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem
from appliance.errors import BelfortError

MAX_FIELDS = 100
ADDRESS = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


@dataclass(frozen=True)
class FormSubmission:
    text: str = ""
    subject: str = ""
    sender: str = ""  # the citizen's mail address; spaces around it are ignored
    sender_name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    external_id: str = ""  # the form's submission id


def validate_form(app: Appliance, form: FormSubmission) -> None:
    limit = app.settings.intake.api_form_max_kb * 1024
    size = len(form.text) + len(form.subject) + sum(len(k) + len(str(v)) for k, v in form.fields.items())
    if size > limit:
        raise BelfortError("intake.too_large", f"the submission is larger than {limit // 1024} KiB",
                           hint="send attachments by mail, or raise intake.api_form_max_kb", status=413)
    if len(form.fields) > MAX_FIELDS:
        raise BelfortError("intake.too_many_fields", f"more than {MAX_FIELDS} form fields",
                           hint="send the form's own fields only", status=400)
    if form.sender.strip() and not ADDRESS.match(form.sender.strip()):  # blank counts as no address
        raise BelfortError("intake.invalid_sender", "sender is not a mail address",
                           hint="leave it empty when the form has no mail address", status=400)
    if not (form.text.strip() or form.subject.strip() or any(str(v).strip() for v in form.fields.values())):
        raise BelfortError("intake.empty", "the submission has no text, subject or fields",
                           hint="send at least the text of the form", status=400)


def submit_form(app: Appliance, form: FormSubmission) -> tuple[TriageItem, bool]:
    """Check the form, then store it as a triage item: (item, whether it was a resubmission)."""
    from appliance.triage.intake import receive_form  # the classifier's stack: loaded on first use

    validate_form(app, form)
    external_id = form.external_id.strip()[:200]
    before = None
    if external_id:
        with read_session(app.db) as s:
            before = s.exec(select(TriageItem.id).where(TriageItem.source == "api",
                                                        TriageItem.external_id == external_id)).first()
    item = receive_form(app, {str(k)[:100]: str(v) for k, v in form.fields.items()},
                        sender=form.sender.strip(), sender_name=form.sender_name, subject=form.subject,
                        text=form.text, external_id=external_id)
    return item, before is not None
