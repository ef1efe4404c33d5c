"""Plain language: readability, B1 rewriting with protected terms, reply drafts for triage items
and news drafts from approved decisions. Its public surface: the entry points and the CLI import
from here."""

from appliance.plain.readability import Readability, easier, measure, syllables
from appliance.plain.rewrite import REWRITE_VERSION, Rewrite, resolve_mode, rewrite, validate_text
from appliance.plain.terms import protected_terms, save_lists, tone_rules

__all__ = [
    "REWRITE_VERSION",
    "Readability",
    "Rewrite",
    "easier",
    "measure",
    "protected_terms",
    "resolve_mode",
    "rewrite",
    "save_lists",
    "syllables",
    "tone_rules",
    "validate_text",
]
