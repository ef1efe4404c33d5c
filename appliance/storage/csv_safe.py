"""One guard for every CSV the product writes (audit trail, minutes actions, triage export).

OWASP CSV injection: a spreadsheet program runs a cell that starts with = + - @ (or a tab or
carriage return before one) as a formula, so such a cell gets a leading quote. The text itself
is kept; only how a spreadsheet reads it changes.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text
