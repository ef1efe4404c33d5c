"""SQLModel tables: SQLite is the source of truth; the FAISS index and FTS table derive from it.

One module per area; this package is the public surface of the tables (`from appliance.db.tables
import Document`), and importing it registers every table in `SQLModel.metadata`.
"""

from __future__ import annotations

from appliance.db.tables.access import ApiToken, Group, RateEvent, SignInAttempt, User, UserGroup, WebSession
from appliance.db.tables.ask import AnswerRecord, Ticket
from appliance.db.tables.cluster import ChunkVector, IndexChange
from appliance.db.tables.common import utcnow
from appliance.db.tables.directory import (
    DirectoryAccount,
    DirectoryGroup,
    DirectorySync,
    DocumentAcl,
    DocumentReader,
    Share,
    ShareFile,
)
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
from appliance.db.tables.governance import LegalHold, RetentionRule
from appliance.db.tables.identity import OidcIdentity, OidcLogin, OidcProvider, RecoveryCode, TotpFactor
from appliance.db.tables.lblod import (
    AgendaItemRecord,
    DecisionRecord,
    GoverningBody,
    Mandatary,
    MeetingRecord,
)
from appliance.db.tables.minutes import Minutes, MinutesItem
from appliance.db.tables.recordings import Recording, SegmentRevision, TranscriptSegment
from appliance.db.tables.system import AuditEvent, JobOutcome, SettingOverride
from appliance.db.tables.triage import OutboxMessage, TriageItem, TriageLabel
from appliance.db.tables.vocabulary import RecordingVocabulary

__all__ = [
    "AgendaItemRecord",
    "AnswerRecord",
    "ApiToken",
    "AuditEvent",
    "Chunk",
    "ChunkVector",
    "Collection",
    "CollectionGroup",
    "DecisionRecord",
    "DirectoryAccount",
    "DirectoryGroup",
    "DirectorySync",
    "Document",
    "DocumentAcl",
    "DocumentReader",
    "DocumentVersion",
    "FailedFile",
    "GoverningBody",
    "Group",
    "IndexChange",
    "JobOutcome",
    "LegalHold",
    "Mandatary",
    "MeetingRecord",
    "Minutes",
    "MinutesItem",
    "OidcIdentity",
    "OidcLogin",
    "OidcProvider",
    "OutboxMessage",
    "PseudonymMap",
    "RateEvent",
    "Recording",
    "RecordingVocabulary",
    "RecoveryCode",
    "RedactionReview",
    "RetentionRule",
    "SegmentRevision",
    "SettingOverride",
    "Share",
    "ShareFile",
    "SignInAttempt",
    "Ticket",
    "TotpFactor",
    "TranscriptSegment",
    "TriageItem",
    "TriageLabel",
    "User",
    "UserGroup",
    "WebSession",
    "utcnow",
]
