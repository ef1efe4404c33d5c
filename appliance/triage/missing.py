"""Missing information: check a category's required fields in an item, draft a polite request for the
ones not found, in the sender's language, and send it only after a person approves.

The detectors reuse the appliance's existing rules: Belgian addresses, phone numbers and mail
addresses from `pii_rules`, reference numbers and dates from `structure`. A required field without a
detector is listed as "unchecked": the person checks it, the machine does not pretend to.
The draft comes from a fixed template per language (nl, fr, en); it is labelled as AI-made in the
queue and in the mail, and nothing leaves before a person presses "approve and send".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from appliance import privacy
from appliance.access import Principal
from appliance.ai_label import AI_HEADER, ai_label
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, TriageItem, utcnow
from appliance.documents import document_date, extract_structure
from appliance.errors import BelfortError, NotFound
from appliance.i18n import has, t, texts
from appliance.triage.classifier import item_text

TEMPLATE_VERSION = "triage-info-request/1"
LANGUAGES = ("nl", "fr", "en")
# Sending to these would answer a forged sender or feed a mail loop: a person must act otherwise.
BLOCKING_FLAGS = ("spoofed_sender", "loop")
MAX_BODY = 8000


def _spans(detector: str, min_score: float = 0.0) -> Callable[[str], str]:
    def find(text: str) -> str:
        spans = [s for s in privacy.DETECTORS[detector](text) if s.score >= min_score]
        best = max(spans, key=lambda s: (s.score, s.end - s.start), default=None)
        return text[best.start:best.end] if best else ""
    return find


def _reference(text: str) -> str:
    refs = extract_structure(text).references
    return refs[0]["value"] if refs else ""


def _address(text: str) -> str:
    """A street with a house number, with its postcode and place where given; a bare postcode and
    municipality does not say where the pothole is."""
    best = max(privacy.street_addresses(text), key=lambda s: (s.score, s.end - s.start), default=None)
    return text[best.start:best.end] if best else ""

DETECTORS: dict[str, Callable[[str], str]] = {
    "address": _address,
    "reference": _reference,
    "phone": _spans("phones"),
    "email": _spans("emails"),
    "date": document_date,
}
# The names a taxonomy may use for the same field (nl, fr, en spellings).
ALIASES = {
    "adres": "address", "adresse": "address", "locatie": "address", "location": "address",
    "dossier_number": "reference", "dossiernummer": "reference", "dossier": "reference",
    "kenmerk": "reference", "reference_number": "reference", "référence": "reference",
    "phone_number": "phone", "telefoon": "phone", "telefoonnummer": "phone", "téléphone": "phone",
    "e-mail": "email", "mail": "email", "email_address": "email",
    "datum": "date",
}


def canonical_field(name: str) -> str:
    key = name.strip().lower()
    return ALIASES.get(key, key)


def field_label(name: str, lang: str) -> str:
    """How a person reads a field's name (the UI shows it in its own language)."""
    key = f"triage_field.{canonical_field(name)}"  # an unknown field is named by its key
    if not has("en", key):
        return name.replace("_", " ")
    return t(lang if lang in LANGUAGES else "en", key)


@dataclass
class FieldCheck:
    found: dict[str, str] = field(default_factory=dict)  # field -> the text that satisfies it
    missing: list[str] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # required, but no detector knows it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_fields(text: str, required: tuple[str, ...] | list[str]) -> FieldCheck:
    out = FieldCheck()
    for name in required:
        detector = DETECTORS.get(canonical_field(name))
        if detector is None:
            out.unchecked.append(name)
            continue
        value = detector(text or "")
        if value:
            out.found[name] = value
        else:
            out.missing.append(name)
    return out


def request_language(item: TriageItem) -> str:
    """The sender's language: the item's, else detected from its text; Dutch when unsure."""
    lang = (item.language or "").lower()[:2]
    if lang not in LANGUAGES:
        from ingest.chunk import detect_language

        lang = detect_language(item_text(item))
    return lang if lang in LANGUAGES else "nl"


@dataclass
class Draft:
    language: str
    subject: str
    body: str
    fields: list[str]
    generator: str = TEMPLATE_VERSION

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def draft_request(item: TriageItem, fields: list[str], *, department: str = "") -> Draft:
    lang = request_language(item)
    tpl = texts(lang, "triage_request.")
    subject = " ".join((item.subject or "").split())[:150] or "…"
    lines = "\n".join(f"- {field_label(f, lang)}" for f in fields)
    return Draft(lang, tpl["subject"].format(subject=subject),
                 tpl["body"].format(subject=subject, fields=lines,
                                    department=department or tpl["signature"]), list(fields))


def _category_of(app: Appliance, item: TriageItem) -> tuple[tuple[str, ...], str]:
    """(required fields, department name) of the item's category (the suggestion while it waits)."""
    from appliance.triage.store import active_taxonomy

    taxonomy = active_taxonomy(app.settings)
    category = taxonomy.get(item.category or item.suggested)
    if category is None:
        return (), ""
    dept = taxonomy.department(category.department)
    return category.required_fields, (dept.name if dept and dept.name else category.department)


def assess(app: Appliance, item_id: int) -> tuple[FieldCheck, Draft | None]:
    """Check the item's required fields and draft the request for the missing ones. It stores
    nothing: opening an item is a read, and a GET changes no state (issue 19 re-review F). The draft
    comes from a fixed template, so it is the same at every look until the item or its category
    changes; it is recorded, with the audit event, when a person approves and sends it."""
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    if item is None:
        raise NotFound("triage.not_found", f"no triage item {item_id}")
    required, department = _category_of(app, item)
    check = check_fields(item_text(item), required)
    # once sent, the item awaits the answer; a closed item asks nobody anything
    sent = (item.meta.get("info_request") or {}).get("state") == "sent"
    if not check.missing or sent or item.state == "closed":
        return check, None
    return check, draft_request(item, check.missing, department=department)


def blocking_flags(item: TriageItem) -> list[str]:
    return [f for f in item.flags if f in BLOCKING_FLAGS]


def may_answer(item: TriageItem) -> bool:
    """Whether a request may go to the sender: an address, and no forged sender or mail loop."""
    return bool(item.sender) and not blocking_flags(item)


def approve_and_send(app: Appliance, who: Principal, item_id: int, *, subject: str, body: str) -> int:
    """A person approved the (possibly edited) draft: queue it to the sender; the item now awaits
    the information. Returns the outbox id."""
    from appliance import mail

    subject, body = " ".join(subject.split())[:300], body.strip()
    if not subject or not body or len(body) > MAX_BODY:
        raise BelfortError("triage.request_invalid", "the request needs a subject and a body (at most "
                           f"{MAX_BODY} characters)", hint="fill in both fields")
    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    if item is None:
        raise NotFound("triage.not_found", f"no triage item {item_id}")
    blocking = blocking_flags(item)
    if blocking or not item.sender:
        raise BelfortError("triage.sender_unverified",
                           "this item's sender cannot be answered automatically"
                           + (f" ({', '.join(blocking)})" if blocking else " (no address)"),
                           hint="contact the citizen another way")
    _, draft = assess(app, item_id)  # what the person saw: nothing missing, sent already or closed is none
    if draft is None:
        raise BelfortError("triage.no_draft", "there is no unsent drafted request for this item",
                           hint="open the item to draft one")
    # The outbox takes its own write transaction: queue first, then record it on the item.
    label = ai_label(item.language or app.settings.web.default_language, "triage", item.model_version or "rules",
                     reviewed=True)
    outbox_id = mail.enqueue_mail(app, to=item.sender, subject=subject, body=body, ref=f"triage:{item_id}",
                                  headers={AI_HEADER: label.header()})
    edited = body != draft.body or subject != draft.subject
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        assert item is not None
        item.meta = {**item.meta, "info_request": {**draft.as_dict(), "state": "sent", "subject": subject,
                                                   "body": body, "sent_by": who.username,
                                                   "sent_at": utcnow().isoformat(), "outbox_id": outbox_id,
                                                   "edited": edited}}
        previous, item.state = item.state, "awaiting_info"
        s.add(item)
        s.add(AuditEvent(actor=who.username, action="triage.info_requested", target=f"triage:{item_id}",
                         detail={"outbox_id": outbox_id, "fields": draft.fields, "language": draft.language,
                                 "generator": draft.generator, "edited": edited, "previous_state": previous}))
    return outbox_id
