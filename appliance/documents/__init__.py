"""The documents feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.documents.document_ai import (
    approve_redaction,
    ocr_details,
    pii_by_page,
    readable_pdfa,
    redacted_export,
)
from appliance.documents.drop import drop_target, ingest_dropped, ingest_in_place, waiting_files
from appliance.documents.ingest import ensure_collection, ingest_file, prepare_ingest
from appliance.documents.ocr import ocr_document, ocr_pending, pending_ocr_ids
from appliance.documents.reads import (
    DocumentInfo,
    document_pages,
    get_document,
    list_documents,
    opens_inline,
    original_file,
)
from appliance.documents.rechunk import rechunk_stale
from appliance.documents.redaction_review import add_manual as add_manual_redaction
from appliance.documents.redaction_review import approve as approve_review
from appliance.documents.redaction_review import decide as decide_review
from appliance.documents.redaction_review import export as export_review
from appliance.documents.redaction_review import get_review as get_redaction_review
from appliance.documents.redaction_review import preview_png as review_preview_png
from appliance.documents.redaction_review import proposals_of as review_proposals
from appliance.documents.redaction_review import start_review as start_redaction_review
from appliance.documents.redaction_review import submit as submit_review
from appliance.documents.status import (
    document_collection,
    list_failed,
    list_jobs,
    queued_job_name,
    retry_failed,
)
from appliance.documents.structure import DOC_TYPES, document_date, extract_structure
from appliance.documents.uploads import Enqueue, accept_upload

__all__ = [
    "DOC_TYPES",
    "DocumentInfo",
    "Enqueue",
    "accept_upload",
    "add_manual_redaction",
    "approve_redaction",
    "approve_review",
    "decide_review",
    "document_collection",
    "document_date",
    "document_pages",
    "drop_target",
    "ensure_collection",
    "export_review",
    "extract_structure",
    "get_document",
    "get_redaction_review",
    "ingest_dropped",
    "ingest_file",
    "ingest_in_place",
    "list_documents",
    "list_failed",
    "list_jobs",
    "ocr_details",
    "ocr_document",
    "ocr_pending",
    "opens_inline",
    "original_file",
    "pending_ocr_ids",
    "pii_by_page",
    "prepare_ingest",
    "queued_job_name",
    "readable_pdfa",
    "rechunk_stale",
    "redacted_export",
    "retry_failed",
    "review_preview_png",
    "review_proposals",
    "start_redaction_review",
    "submit_review",
    "waiting_files",
]
