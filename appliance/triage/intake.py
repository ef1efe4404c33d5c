"""Triage intake: an incoming mail or form becomes a TriageItem, classified on arrival and decided.

Order matters, so that nothing is ever lost: the original bytes are stored (read-only, by content
hash) and the item row is committed before anything slow or fallible runs (attachments through
document ingest, the classifier). A crash after that leaves a queued item for a person; the IMAP
poller marks a message only after `receive` returned.

Idempotent: the same (source, external_id), or the same bytes from any source, returns the item that
is already there.

Auto-routing is the exception: only when the classifier's decision routes (never for `human_only`,
never below threshold) AND no flag raises doubt (spoofed sender, loop, unreadable mail).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Chunk, TriageItem, utcnow
from appliance.errors import BelfortError
from appliance.storage.files import atomic_write_json, move_no_overwrite, unique_destination
from appliance.storage.names import safe_file_name
from appliance.storage.staging import MIB, staged_bytes
from appliance.triage.classifier import Decision, TriageClassifier
from appliance.triage.mail import ParsedMail, fix_text, parse_mail, sniff_kind
from appliance.triage.queue import TRIAGE_GROUP
from appliance.triage.routing import BLOCKING_FLAGS, route
from ingest.chunk import detect_language

log = logging.getLogger(__name__)

TRIAGE_COLLECTION = "triage"
CLASSIFY_CHARS = 4000  # the classifier reads the beginning; attachments' text only fills an empty body



def _existing(app: Appliance, source: str, external_id: str, sha: str) -> TriageItem | None:
    with read_session(app.db) as s:
        same_id = TriageItem.external_id == external_id
        # A Message-ID names one mail wherever it came from (mailbox, or saved and dropped in the folder).
        where = same_id if external_id.startswith("<") else (TriageItem.source == source) & same_id
        found = s.exec(select(TriageItem).where(where)).first()
        if found is None:
            found = s.exec(select(TriageItem).where(TriageItem.sha256 == sha)).first()
        return found


def _insert(app: Appliance, item: TriageItem) -> tuple[TriageItem, bool]:
    """(item, created). A concurrent receive of the same message wins the unique constraint: reuse it."""
    try:
        with write_session(app.db) as s:
            s.add(item)
            s.flush()
            s.add(AuditEvent(actor="system", action="triage.received", target=f"triage:{item.id}",
                             detail={"source": item.source, "sha256": item.sha256, "flags": item.flags}))
        return item, True
    except IntegrityError:
        existing = _existing(app, item.source, item.external_id, item.sha256)
        if existing is None:
            raise
        return existing, False


def receive(app: Appliance, raw_bytes: bytes, *, source: str, external_id: str = "",
            classifier: TriageClassifier | None = None, received_at: datetime | None = None,
            extra_flags: list[str] | None = None, extra_meta: dict[str, Any] | None = None) -> TriageItem:
    """Store, parse, classify and decide one incoming mail (.eml or .msg bytes)."""
    sha = hashlib.sha256(raw_bytes).hexdigest()
    kind = sniff_kind(raw_bytes)
    external_id = (external_id or "").strip()[:500] or f"sha256:{sha}"
    found = _existing(app, source, external_id, sha)
    if found is not None:
        return found
    path = app.layout.triage_store().put_bytes(raw_bytes, sha, f".{kind}")  # read-only, written once
    parsed = parse_mail(path, raw_bytes, app.settings.mail)
    flags = _flags(parsed) + [f for f in extra_flags or [] if f not in _flags(parsed)]
    item = TriageItem(
        source=source, external_id=external_id, sha256=sha, original_path=str(path),
        received_at=received_at or utcnow(), sender=parsed.sender, sender_name=parsed.sender_name,
        subject=parsed.subject, text=parsed.text, flags=flags, state="queued", reason="pending",
        meta={"kind": kind, "message_id": parsed.message_id, "date": parsed.date, "size": len(raw_bytes),
              "spoof_signals": parsed.spoof_signals, "loop_signals": parsed.loop_signals,
              "notes": parsed.notes, "attachments": [], **(extra_meta or {})},
    )
    item, created = _insert(app, item)
    if not created:
        return item
    return _process_safely(app, item, parsed, classifier)


def _flags(parsed: ParsedMail) -> list[str]:
    flags = []
    if parsed.spoof_signals:
        flags.append("spoofed_sender")
    if parsed.loop_signals:
        flags.append("loop")
    if "unparseable" in parsed.notes:
        flags.append("unparseable")
    if not parsed.text.strip():
        flags.append("no_body")
    if parsed.html_only:
        flags.append("html_only")
    if "charset_unknown" in parsed.notes:
        flags.append("charset_unknown")
    return flags


def receive_form(app: Appliance, form: dict[str, Any], *, sender: str = "", sender_name: str = "",
                 subject: str = "", text: str = "", external_id: str = "",
                 classifier: TriageClassifier | None = None) -> TriageItem:
    """A web form (POST /api/v1/intake): its canonical JSON is the immutable original."""
    original = {"form": form, "sender": sender, "sender_name": sender_name, "subject": subject,
                "text": text, "external_id": external_id}
    raw = json.dumps(original, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    sha = hashlib.sha256(raw).hexdigest()
    external_id = external_id.strip()[:500] or f"sha256:{sha}"
    found = _existing(app, "api", external_id, sha)
    if found is not None:
        return found
    path = app.layout.triage_store().put_bytes(raw, sha, ".json")
    fields = "\n".join(f"{k}: {v}" for k, v in form.items()
                       if isinstance(v, (str, int, float)) and str(v).strip())
    body = "\n\n".join(x for x in (text.strip(), fields) if x)
    parsed = ParsedMail(kind="form", subject=" ".join(subject.split())[:500],
                        sender=sender.strip().lower()[:254],
                        sender_name=" ".join(sender_name.split())[:200], text=body)
    item, created = _insert(app, TriageItem(
        source="api", external_id=external_id, sha256=sha, original_path=str(path),
        sender=parsed.sender, sender_name=parsed.sender_name, subject=parsed.subject, text=body,
        flags=[] if body else ["no_body"], state="queued", reason="pending",
        meta={"kind": "form", "form_fields": sorted(str(k) for k in form)[:100], "attachments": []},
    ))
    return _process_safely(app, item, parsed, classifier) if created else item


def receive_file(app: Appliance, path: Path) -> int | None:
    """A dropped .eml/.msg: received, then removed from the drop folder (a failure moves it to
    failed/<drop folder>/ with a reason, so the watcher does not see it again)."""
    try:
        if path.suffix.lower() not in (".eml", ".msg"):
            raise BelfortError("triage.not_mail", "only .eml and .msg files are taken in as triage items")
        if path.stat().st_size > app.settings.intake.max_item_mb * MIB * 4:
            raise BelfortError("triage.too_large", "the dropped mail is far larger than max_item_mb")
        raw = path.read_bytes()
        message_id = ""
        if sniff_kind(raw) == "eml":
            from email.parser import BytesHeaderParser

            head = re.split(rb"\r?\n\r?\n", raw[:256 * 1024], maxsplit=1)[0]  # the header block only
            message_id = " ".join(str(BytesHeaderParser().parsebytes(head).get("message-id") or "").split())
        item = receive(app, raw, source="folder", external_id=message_id)
    except Exception as exc:  # noqa: BLE001 - keep the file, with a reason, out of the drop folder
        log.warning("triage drop folder: a file could not be received (%s)", type(exc).__name__)
        _move_failed(app, path, getattr(exc, "code", type(exc).__name__))
        return None
    path.unlink(missing_ok=True)
    return item.id


def _move_failed(app: Appliance, path: Path, code: str) -> None:
    folder = app.layout.failed / app.settings.intake.drop_folder
    folder.mkdir(parents=True, exist_ok=True)
    dest = unique_destination(folder, path.name)
    if path.exists():
        move_no_overwrite(path, dest)
    atomic_write_json(dest.with_name(dest.name + ".reason.json"),
                      {"code": code, "at": utcnow().isoformat(timespec="seconds")}, indent=2, ensure_ascii=False)


# --- after the item is committed ---------------------------------------------------------------


def _ingest_attachments(app: Appliance, item: TriageItem,
                        parsed: ParsedMail) -> tuple[list[int], list[dict[str, Any]], str]:
    """Each attachment through document ingest into the `triage` collection. Too large: refused with
    a reason (the attachment stays inside the stored original: nothing is lost)."""
    from appliance.documents import ensure_collection, ingest_file

    if not parsed.attachments:
        return [], [], ""
    limit = app.settings.intake.max_item_mb * MIB
    coll = ensure_collection(app, TRIAGE_COLLECTION, title="Triage", groups=(TRIAGE_GROUP,))
    ids: list[int] = []
    report: list[dict[str, Any]] = []
    for n, att in enumerate(parsed.attachments, 1):
        name = safe_file_name(fix_text(att.name or f"attachment-{n}"))
        entry: dict[str, Any] = {"name": name, "size": len(att.data)}
        if len(att.data) > limit:
            entry.update(state="refused", code="triage.attachment_too_large")
            report.append(entry)
            continue
        try:
            with staged_bytes(app.layout.staging, "triage", name, att.data) as staged:
                outcome = ingest_file(app, staged, coll, source_name=f"item-{item.id}/{name}", actor="triage",
                                      keep_source=False)
            entry.update(state=outcome.state, code=outcome.code, document_id=outcome.document_id)
            if outcome.document_id is not None and outcome.ok:
                ids.append(int(outcome.document_id))
        except Exception as exc:
            log.exception("triage: an attachment could not be ingested")
            entry.update(state="failed", code=type(exc).__name__)
        report.append(entry)
    return ids, report, _documents_text(app, ids)


def _documents_text(app: Appliance, ids: list[int]) -> str:
    if not ids:
        return ""
    with read_session(app.db) as s:
        rows = s.exec(select(Chunk.text)
                      .where(Chunk.document_id.in_(ids), Chunk.active == True)  # type: ignore[attr-defined]
                      .order_by(col(Chunk.document_id), col(Chunk.ordinal))).all()
    out, size = [], 0
    for text in rows:
        out.append(text)
        size += len(text)
        if size > CLASSIFY_CHARS:
            break
    return "\n".join(out)[:CLASSIFY_CHARS]


def active_classifier(app: Appliance) -> TriageClassifier:
    """The classifier `belfort triage classify` uses (load_classifier), cached per process until the
    taxonomy file or the active model changes."""
    from appliance.triage.store import ModelStore, load_classifier, models_root, taxonomy_path

    tax = taxonomy_path(app.settings)
    key = (tax.stat().st_mtime_ns if tax.exists() else 0,
           ModelStore(models_root(app.settings)).active_version())
    cached = app.triage_classifier
    if cached is not None and cached[0] == key:
        return cached[1]  # type: ignore[return-value]
    clf = load_classifier(app.settings, app.embedder)
    app.triage_classifier = (key, clf)
    return clf


def _process_safely(app: Appliance, item: TriageItem, parsed: ParsedMail,
                    classifier: TriageClassifier | None) -> TriageItem:
    """The item is committed already: whatever fails now leaves it queued for a person, with a reason."""
    try:
        return _process(app, item, parsed, classifier)
    except Exception as exc:
        code = exc.code if isinstance(exc, BelfortError) else f"internal.{type(exc).__name__}"
        log.exception("triage: item %s was stored but not fully processed (%s)", item.id, code)
        with write_session(app.db) as s:
            fresh = s.get(TriageItem, item.id)
            if fresh is not None:
                if fresh.state != "routed":
                    fresh.state = "closed" if "loop" in fresh.flags else "queued"
                    fresh.reason = "intake_error"
                fresh.meta = {**fresh.meta, "intake_error": code}
                s.add(fresh)
        with read_session(app.db) as s:
            return s.get(TriageItem, item.id) or item


def _missing_fields(clf: TriageClassifier, decision: Decision, text: str) -> list[str]:
    """The suggested category's required information that the item does not hold."""
    from appliance.triage.missing import check_fields

    category = clf.taxonomy.get(decision.suggestion)
    return check_fields(text, category.required_fields).missing if category and category.required_fields else []


def _classify(app: Appliance, classifier: TriageClassifier | None, text: str, flags: list[str],
              ) -> tuple[Decision | None, TriageClassifier | None, str, str]:
    """(decision, classifier, reason, embedder id); a loop or an empty item is not classified."""
    if "loop" in flags:
        return None, None, "loop", ""
    if not text.strip():
        return None, None, "empty", ""
    clf: TriageClassifier | None = None
    try:
        clf = classifier or active_classifier(app)
        embedder_id = clf.scorer.embedder_id
        return clf.classify(text), clf, "", embedder_id
    except BelfortError as err:  # no taxonomy yet, model missing: the item waits for a person
        return None, clf, err.code, ""


def _auto_route(app: Appliance, decision: Decision | None, flags: list[str], reason: str) -> tuple[bool, str]:
    """Whether the item routes itself, and the reason it waits for a person when it does not."""
    auto = decision is not None and decision.route is not None and app.settings.intake.auto_route
    if decision is not None:
        reason = decision.reason
        if decision.route is not None and not app.settings.intake.auto_route:
            reason = "auto_route_off"
        if auto and set(flags) & BLOCKING_FLAGS:
            auto, reason = False, "flagged"
    return auto, reason


def _apply_decision(item: TriageItem, decision: Decision) -> None:
    """The classifier's suggestion on the item (marked as an AI suggestion)."""
    item.suggested, item.confidence = decision.suggestion, decision.confidence
    item.urgent, item.model_version = decision.urgent, decision.model_version
    if decision.deadline_days is not None:
        item.deadline = (item.received_at + timedelta(days=decision.deadline_days)).date().isoformat()
    if decision.language and not item.language:
        item.language = decision.language
    item.meta = {**item.meta, "ai": {**decision.as_dict(), "label": "ai_suggestion"}}


def _process(app: Appliance, item: TriageItem, parsed: ParsedMail,
             classifier: TriageClassifier | None) -> TriageItem:
    assert item.id is not None
    doc_ids, report, attachment_text = _ingest_attachments(app, item, parsed)
    flags = list(item.flags)
    if any(r["state"] == "refused" for r in report):
        flags.append("attachment_refused")
    body = parsed.text.strip() or attachment_text.strip()
    # nothing readable (a photo, a scan OCR could not read): the attachments' names still say something
    hint = body or " ".join(str(r["name"]) for r in report)
    classify_text = "\n".join(x for x in (parsed.subject, hint) if x)[:CLASSIFY_CHARS]
    decision, clf, reason, embedder_id = _classify(app, classifier, classify_text, flags)
    auto, reason = _auto_route(app, decision, flags, reason)
    missing = _missing_fields(clf, decision, classify_text) if clf and decision else []
    if auto and missing:  # a department cannot act on it yet: a person approves the request first
        auto, reason = False, "missing_information"
    with write_session(app.db) as s:
        fresh = s.get(TriageItem, item.id)
        assert fresh is not None
        fresh.attachment_document_ids = doc_ids
        fresh.flags = flags
        fresh.language = detect_language(body) if body else ""
        fresh.meta = {**fresh.meta, "attachments": report}
        fresh.reason = reason
        fresh.missing = missing
        fresh.state = "closed" if "loop" in flags else "queued"  # a loop is kept, never answered
        if decision is not None:
            _apply_decision(fresh, decision)
            s.add(AuditEvent(actor="system", action="triage.classified", target=f"triage:{item.id}", detail={
                "ai_made": True, "model_version": decision.model_version, "model_kind": decision.model_kind,
                "embedder": embedder_id,
                "suggestion": decision.suggestion, "confidence": round(decision.confidence, 4),
                "threshold": decision.threshold, "reason": reason, "auto": auto, "flags": flags,
            }))
        s.add(fresh)
    if auto and decision is not None and decision.route:
        return route(app, item.id, decision.route, by="auto")
    with read_session(app.db) as s:
        out = s.get(TriageItem, item.id)
    assert out is not None
    return out
