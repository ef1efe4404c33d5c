"""Every UI string comes from the nl/fr/en catalogues; they have the same keys and cover every use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from appliance.i18n import LANGUAGES, catalogue, t

WEBUI = Path(__file__).resolve().parents[2] / "webui"
LITERAL = re.compile(r"""\bt\((?:lang,\s*)?['"]([a-z_]+\.[a-z_.]+)['"]""")
DYNAMIC = re.compile(r"""\bt\(['"]([a-z_]+\.)['"]\s*~""")
# The values behind the dynamic keys (t('state.' ~ doc.state)): every value the services produce.
DYNAMIC_VALUES = {
    "transcript_cleanup_action.": ["cleanup", "revert"],
    "directory_kind.": ['user.added', 'user.changed', 'user.deactivated', 'user.conflict', 'group.added', 'group.removed'],
    "retention_action.": ['delete', 'anonymise'],
    "retention_field.": ['created_at', 'updated_at', 'received_at', 'routed_at', 'at', 'closed_at', 'finished_at'],
    "retention_hold.": ['document', 'collection', 'meeting', 'person'],
    "retention_kind.": ['document', 'pseudonym_map', 'triage', 'mail', 'transcript', 'minutes', 'recording', 'ticket', 'answer'],
    "retention_refused.": ['hold', 'duty', 'not_found'],
    "retention_target.": ['documents', 'triage', 'answers', 'tickets', 'transcripts', 'recordings'],
    "state.": ["ingested", "needs_ocr", "failed", "retired"],
    "job.": ["queued", "running", "done", "failed", "duplicate"],
    "model.": ["verified", "missing", "incomplete", "mismatch"],
    "role.": ["staff", "archivist", "admin"],
    "lang.": list(LANGUAGES),
    "review_state.": ["draft", "submitted", "approved", "exported"],
    "doctype.": ["brief", "factuur", "besluit", "notulen", "formulier", "identiteitsdocument", "other"],
    "triage_state.": ["queued", "routed", "awaiting_info", "closed", "failed"],
    "triage_reason.": ["auto", "below_threshold", "human_only", "unknown_category", "empty", "no_text"],
    "triage_due.": ["due_soon", "overdue"],
    "ticket_state.": ["open", "answered", "closed"],
    "audit_status.": ["answered", "extractive", "dont_know", "escalated", "refused"],
    "audit_kind.": ["answer", "feedback"],
    "minutes_state.": ["drafting", "draft", "failed", "approved"],
    "minutes_kind.": ["summary", "decision", "action"],
    "minutes_item_state.": ["proposed", "accepted", "rejected"],
    "minutes_flag.": ["invented_segments", "missing_number", "attributed", "owner_cleared", "deadline_cleared",
                      "vote_cleared"],
    "recording_state.": ["pending", "running", "done", "failed"],
    "revision.": ["edit", "split", "speaker"],
    "token_state.": ["active", "expired", "revoked"],
    "insight_kind.": ["item", "question", "feedback"],
    "insight_period.": ["week", "month"],
    "insight_weekday.": [str(d) for d in range(7)],
    "plain_lang.": list(LANGUAGES),
    "plain_change.": ["split", "word", "tone", "passive_hint", "rejected", "llm"],
    "plain_notice.": ["llm_unavailable"],
    "lblod_field.": ["planned_start", "planned_end", "started_at", "ended_at", "arrived", "left", "description",
                     "motivation", "legal_text"],
    "lblod_doc.": ["notulen", "besluitenlijst"],
    "lblod_problem.": ["missing", "too_many", "datatype", "class", "not_http", "count_mismatch", "no_document_type"],
    "lblod_vote.": ["for", "against", "abstain"],
    "lblod_item_type.": ["gepland", "aanvullend", "spoedeisend"],
}


def used_keys() -> tuple[set[str], set[str]]:
    literal, dynamic = set(), set()
    for path in [*WEBUI.rglob("*.html"), *WEBUI.rglob("*.py")]:
        text = path.read_text("utf-8")
        literal |= set(LITERAL.findall(text))
        dynamic |= set(DYNAMIC.findall(text))
    return literal, dynamic


def test_catalogues_have_the_same_keys_and_no_empty_text():
    keys = {lang: set(catalogue(lang)) for lang in LANGUAGES}
    assert keys["nl"] == keys["fr"] == keys["en"]
    for lang in LANGUAGES:
        assert all(v.strip() for v in catalogue(lang).values()), lang


def test_placeholders_match_across_languages():
    field = re.compile(r"\{(\w+)\}")
    for key, text in catalogue("en").items():
        for lang in ("nl", "fr"):
            assert set(field.findall(catalogue(lang)[key])) == set(field.findall(text)), (lang, key)


def test_every_key_used_in_templates_and_code_exists():
    literal, dynamic = used_keys()
    assert len(literal) > 50  # the scan found the templates
    assert dynamic <= set(DYNAMIC_VALUES), dynamic - set(DYNAMIC_VALUES)
    wanted = literal | {prefix + v for prefix in dynamic for v in DYNAMIC_VALUES[prefix]}
    missing = sorted(k for k in wanted if k not in catalogue("nl"))
    assert not missing


def test_templates_hold_no_bare_text():
    """Text between tags must come from t(); only punctuation, symbols and expressions remain."""
    tag_text = re.compile(r">([^<>{}]*[A-Za-zÀ-ÿ][^<>{}]*)<")
    for path in WEBUI.rglob("*.html"):
        stripped = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", path.read_text("utf-8"), flags=re.DOTALL)
        found = [
            m.strip() for m in tag_text.findall(stripped) if m.strip() and m.strip() not in ("MiB", "sha256")
        ]
        assert not found, (path.name, found)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_t_formats_and_falls_back(lang):
    assert t(lang, "search.open_original", page=3).count("3") == 1
    assert t(lang, "no.such.key") == "no.such.key"
