"""Deleting or anonymising one item of each kind. Deleting removes the rows and the files Belfort
stored; anonymising keeps the item with its personal data replaced ("[Persoon]", "[Rijksregisternummer]")
by the PII detector, plus the subject's own name when a request names them, and removes the stored
original (which still holds the data). Callers check legal holds and duties first and audit the result.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete
from sqlmodel import Session, col, select

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    Chunk,
    Document,
    DocumentVersion,
    Minutes,
    MinutesItem,
    OutboxMessage,
    Recording,
    RedactionReview,
    SegmentRevision,
    Ticket,
    TranscriptSegment,
    TriageItem,
    TriageLabel,
)
from appliance.governance.matching import NATIONAL, Subject, fold, rrn_digits
from appliance.index.sync import index_chunks, unindex_chunks
from appliance.privacy import PSEUDONYM_LABELS, PiiSpan, default_first_names, detect_pii

log = logging.getLogger(__name__)
Mask = Callable[[str], str]
_WORD = re.compile(r"[^\W\d_]+")
_RUN = re.compile(r"\[Persoon\](?:[ ,]{1,3}\[Persoon\])+")


def _replace(text: str, spans: list[PiiSpan]) -> str:
    out, cursor = [], 0
    for span in spans:
        out += [text[cursor:span.start], f"[{PSEUDONYM_LABELS.get(span.entity_type, span.entity_type)}]"]
        cursor = span.end
    return "".join(out) + text[cursor:]


def masker(who: Subject | None = None) -> Mask:
    """Without a subject (retention): all personal data the detector finds, replaced by its kind's label.
    With one (a request): only that person's data: each word of their name (so "M. Dierckx" and
    "DIERCKX" too), their national number however written, and their e-mail address; other people
    in the same text (a council member, an official) stay."""
    first = default_first_names()
    if who is None:
        return lambda text: _replace(text, detect_pii(text, first_names=first)) if text else text
    words = {w for w in fold(who.name).split() if len(w) > 1}

    def mask(text: str) -> str:
        if not text:
            return text
        if who.rrn:
            text = _replace(text, [s for s in detect_pii(text, entities=NATIONAL) if rrn_digits(s.text) == who.rrn])
        if who.email:
            text = re.sub(re.escape(who.email), "[E-mailadres]", text, flags=re.IGNORECASE)
        # Word by word, compared folded: "Céline" and "CELINE" are the name "Celine" too.
        text = _WORD.sub(lambda m: "[Persoon]" if fold(m.group()) in words else m.group(), text)
        return _RUN.sub("[Persoon]", text)  # "Mieke Dierckx" is one person, not two

    return mask


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:  # a read-only disk: the row goes, the file is reported in the log
        log.warning("governance: could not delete a stored file: %s", type(exc).__name__)


def _drop_originals(app: Appliance, s: Session, versions: list[DocumentVersion]) -> None:
    for v in versions:
        if not v.stored_path:
            continue
        others = s.exec(select(DocumentVersion).where(col(DocumentVersion.stored_path) == v.stored_path,
                                                      col(DocumentVersion.id) != v.id)).first()
        if others is None:  # content-addressed: another collection may hold the same file
            _unlink(app.layout.stored(v.stored_path))
            _unlink(app.layout.stored(v.stored_path + ".pdfa.pdf"))
        v.stored_path = ""
        s.add(v)


def _document_tree(s: Session, doc_id: int) -> list[int]:
    ids, todo = [], [doc_id]
    while todo:
        current = todo.pop()
        ids.append(current)
        todo += [int(d.id or 0) for d in s.exec(select(Document).where(col(Document.parent_id) == current)).all()]
    return ids


def delete_document(app: Appliance, doc_id: int, mask: Mask) -> None:
    with read_session(app.db) as s:
        ids = _document_tree(s, doc_id)
        chunk_ids = [int(c or 0) for c in s.exec(select(Chunk.id).where(col(Chunk.document_id).in_(ids))).all()]
    unindex_chunks(app, chunk_ids)
    with write_session(app.db) as s:
        versions = list(s.exec(select(DocumentVersion).where(col(DocumentVersion.document_id).in_(ids))).all())
        _drop_originals(app, s, versions)
        s.execute(delete(Chunk).where(col(Chunk.document_id).in_(ids)))
        s.execute(delete(RedactionReview).where(col(RedactionReview.document_id).in_(ids)))
        for doc_id_ in reversed(ids):  # children first (parent_id is a foreign key)
            s.execute(delete(DocumentVersion).where(col(DocumentVersion.document_id) == doc_id_))
            s.execute(delete(Document).where(col(Document.id) == doc_id_))


def anonymise_document(app: Appliance, doc_id: int, mask: Mask) -> None:
    with write_session(app.db) as s:
        ids = _document_tree(s, doc_id)
        chunks = list(s.exec(select(Chunk).where(col(Chunk.document_id).in_(ids))).all())
        for c in chunks:
            c.text, c.context = mask(c.text), mask(c.context)
            s.add(c)
        for d in s.exec(select(Document).where(col(Document.id).in_(ids))).all():
            d.title, d.source_path = mask(d.title), f"anonymised-{d.id}"
            d.meta = {**(d.meta or {}), "anonymised": True}
            s.add(d)
        _drop_originals(app, s, list(s.exec(select(DocumentVersion)
                                            .where(col(DocumentVersion.document_id).in_(ids))).all()))
        s.execute(delete(RedactionReview).where(col(RedactionReview.document_id).in_(ids)))
        chunk_ids = [int(c.id or 0) for c in chunks]
    index_chunks(app, chunk_ids)


def delete_triage(app: Appliance, item_id: int, mask: Mask) -> None:
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        if item is None:
            return
        attachments = list(item.attachment_document_ids or [])
        if item.original_path:
            _unlink(Path(item.original_path))
        s.execute(delete(TriageLabel).where(col(TriageLabel.item_id) == item_id))
        s.execute(delete(OutboxMessage).where(col(OutboxMessage.ref) == f"triage:{item_id}"))
        s.delete(item)
    for doc_id in attachments:
        delete_document(app, int(doc_id), mask)


def anonymise_triage(app: Appliance, item_id: int, mask: Mask) -> None:
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        if item is None:
            return
        attachments = list(item.attachment_document_ids or [])
        if item.original_path:
            _unlink(Path(item.original_path))
        item.original_path, item.sender, item.sender_name = "", "", ""
        item.subject, item.text, item.meta = mask(item.subject), mask(item.text), {"anonymised": True}
        s.add(item)
    for doc_id in attachments:
        anonymise_document(app, int(doc_id), mask)


def remove_mail(app: Appliance, mail_id: int, mask: Mask, anonymise: bool = False) -> None:
    with write_session(app.db) as s:
        m = s.get(OutboxMessage, mail_id)
        if m is None:
            return
        if not anonymise:
            s.delete(m)
            return
        m.target, m.subject, m.body, m.payload = "", mask(m.subject), mask(m.body), {}
        s.add(m)


def remove_transcript(app: Appliance, rec_id: int, mask: Mask, anonymise: bool = False) -> None:
    with write_session(app.db) as s:
        rec = s.get(Recording, rec_id)
        if rec is None:
            return
        rec.source_name = f"recording-{rec_id}"
        s.add(rec)
        if not anonymise:
            s.execute(delete(SegmentRevision).where(col(SegmentRevision.recording_id) == rec_id))
            s.execute(delete(TranscriptSegment).where(col(TranscriptSegment.recording_id) == rec_id))
            return
        for g in s.exec(select(TranscriptSegment).where(col(TranscriptSegment.recording_id) == rec_id)).all():
            g.text, g.speaker = mask(g.text), ""
            s.add(g)
        for r in s.exec(select(SegmentRevision).where(col(SegmentRevision.recording_id) == rec_id)).all():
            r.old_text, r.new_text, r.old_speaker, r.new_speaker = mask(r.old_text), mask(r.new_text), "", ""
            s.add(r)


def remove_minutes(app: Appliance, minutes_id: int, mask: Mask, anonymise: bool = False) -> None:
    with write_session(app.db) as s:
        m = s.get(Minutes, minutes_id)
        if m is None:
            return
        if not anonymise:
            s.execute(delete(MinutesItem).where(col(MinutesItem.minutes_id) == minutes_id))
            s.delete(m)
            return
        m.title, m.attendees = mask(m.title), [mask(a) for a in m.attendees]
        s.add(m)
        for i in s.exec(select(MinutesItem).where(col(MinutesItem.minutes_id) == minutes_id)).all():
            i.text, i.owner = mask(i.text), mask(i.owner)
            s.add(i)


def delete_audio(app: Appliance, rec_id: int) -> None:
    """The stored audio goes once no other recording that still has it uses the same file."""
    from appliance.db.tables import utcnow

    with write_session(app.db) as s:
        rec = s.get(Recording, rec_id)
        if rec is None or rec.audio_deleted_at is not None:
            return
        rec.audio_deleted_at = utcnow()
        s.add(rec)
        folder = app.layout.recordings.resolve()
        path = Path(rec.source_path).resolve() if rec.source_path else None
        if path is None or not path.is_relative_to(folder):
            return  # a person's own file (transcribed in place) is never touched
        others = s.exec(select(Recording).where(col(Recording.source_path) == rec.source_path, col(Recording.id) != rec_id,
                                                col(Recording.audio_deleted_at).is_(None))).first()
        if others is None:
            _unlink(path)


def remove_ticket(app: Appliance, ticket_id: int, mask: Mask, anonymise: bool = False) -> None:
    with write_session(app.db) as s:
        t = s.get(Ticket, ticket_id)
        if t is None:
            return
        if not anonymise:
            s.execute(delete(OutboxMessage).where(col(OutboxMessage.ref) == f"ticket:{ticket_id}"))
            s.delete(t)
            return
        t.asker, t.forwarded_by, t.mailbox = "", "", ""
        t.question, t.answer, t.note, t.reply = mask(t.question), mask(t.answer), mask(t.note), mask(t.reply)
        t.sources = []
        s.add(t)
