"""SQLModel tables: SQLite is the source of truth; the FAISS index and FTS table derive from it.

One module per area; this package is the public surface of the tables (`from appliance.db.tables
import Document`), and importing it registers every table in `SQLModel.metadata`.
"""

from __future__ import annotations

from appliance.db.tables.access import ApiToken, Group, RateEvent, SignInAttempt, User, UserGroup, WebSession
from appliance.db.tables.ask import AnswerRecord, Ticket
from appliance.db.tables.common import utcnow
from appliance.db.tables.documents import (
    Chunk,
    Collection,
    CollectionGroup,
    Document,
    DocumentVersion,
    FailedFile,
    PseudonymMap,
    RedactionReview,
)
from appliance.db.tables.minutes import Minutes, MinutesItem
from appliance.db.tables.recordings import Recording, SegmentRevision, TranscriptSegment
from appliance.db.tables.system import AuditEvent, JobOutcome, SettingOverride
from appliance.db.tables.triage import OutboxMessage, TriageItem, TriageLabel
from appliance.db.tables.vocabulary import RecordingVocabulary

__all__ = [
    "AnswerRecord",
    "ApiToken",
    "AuditEvent",
    "Chunk",
    "Collection",
    "CollectionGroup",
    "Document",
    "DocumentVersion",
    "FailedFile",
    "Group",
    "JobOutcome",
    "Minutes",
    "MinutesItem",
    "OutboxMessage",
    "PseudonymMap",
    "RateEvent",
    "Recording",
    "RecordingVocabulary",
    "RedactionReview",
    "SegmentRevision",
    "SettingOverride",
    "SignInAttempt",
    "Ticket",
    "TranscriptSegment",
    "TriageItem",
    "TriageLabel",
    "User",
    "UserGroup",
    "WebSession",
    "utcnow",
]
