"""Plain language: readability, B1 rewriting with protected terms, reply drafts for triage items
and news drafts from approved decisions. Its public surface: the entry points and the CLI import
from here."""

from appliance.plain.news import NEWS_VERSION, news_draft
from appliance.plain.readability import Readability, easier, measure, syllables
from appliance.plain.reply import (
    AI_HEADER,
    REPLY_VERSION,
    approve_reply,
    draft_reply,
    on_topic,
    question_of,
    questions_of,
)
from appliance.plain.rewriting import REWRITE_VERSION, Rewrite, resolve_mode, rewrite, validate_text
from appliance.plain.terms import protected_terms, save_lists, tone_rules

__all__ = [
    "AI_HEADER",
    "NEWS_VERSION",
    "REPLY_VERSION",
    "REWRITE_VERSION",
    "Readability",
    "Rewrite",
    "approve_reply",
    "draft_reply",
    "easier",
    "measure",
    "news_draft",
    "on_topic",
    "protected_terms",
    "question_of",
    "questions_of",
    "resolve_mode",
    "rewrite",
    "save_lists",
    "syllables",
    "tone_rules",
    "validate_text",
]
