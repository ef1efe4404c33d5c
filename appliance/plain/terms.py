"""Protected terms and tone-of-voice rules: what the organisation keeps as it is, and how it writes.

Both are lists an administrator keeps in the admin console; they are stored as admin overrides of
the settings `plain.protected_terms` and `plain.tone_rules` (the `SettingOverride` table), over the
values of belfort.toml. A tone rule `old => new` is a replacement every rewrite applies ('burger =>
inwoner'); any other rule is guidance shown to the writer and put in the model's prompt.

A protected term (a service's name, a legal term) is replaced by a placeholder before any rewriting
and put back afterwards; a rewrite that lost or duplicated a placeholder is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, SettingOverride, utcnow
from appliance.errors import BelfortError

MAX_TERMS = 500
MAX_TERM_CHARS = 120
KEYS = ("plain.protected_terms", "plain.tone_rules")
_PLACEHOLDER = re.compile(r"\[\[T(\d{1,3})\]\]")


def _stored(app: Appliance, key: str) -> list[str] | None:
    with read_session(app.db) as s:
        row = s.get(SettingOverride, key)
    if row is None or not isinstance(row.value, list):
        return None
    return [str(v) for v in row.value]


def protected_terms(app: Appliance) -> list[str]:
    stored = _stored(app, "plain.protected_terms")
    return stored if stored is not None else list(app.settings.plain.protected_terms)


def tone_rules(app: Appliance) -> list[str]:
    stored = _stored(app, "plain.tone_rules")
    return stored if stored is not None else list(app.settings.plain.tone_rules)


def clean_lines(text: str) -> list[str]:
    """One entry per line, spaces collapsed, duplicates and blank lines dropped."""
    out: list[str] = []
    for line in (text or "").splitlines():
        entry = " ".join(line.split())
        if not entry or entry in out:
            continue
        if len(entry) > MAX_TERM_CHARS:
            raise BelfortError("plain.term_too_long", f"an entry has {len(entry)} characters "
                               f"(at most {MAX_TERM_CHARS})", hint="shorten it or split it over two lines")
        out.append(entry)
    if len(out) > MAX_TERMS:
        raise BelfortError("plain.too_many_terms", f"{len(out)} entries (at most {MAX_TERMS})",
                           hint="keep the list to the terms that matter")
    return out


def save_lists(app: Appliance, by: str, *, terms: str, rules: str) -> None:
    """Store both lists (admin console); an audit event says who changed them."""
    values = {"plain.protected_terms": clean_lines(terms), "plain.tone_rules": clean_lines(rules)}
    with write_session(app.db) as s:
        for key, value in values.items():
            row = s.get(SettingOverride, key) or SettingOverride(key=key, value=[])
            row.value, row.updated_at, row.updated_by = value, utcnow(), by
            s.add(row)
        s.add(AuditEvent(actor=by, action="plain.lists_saved", target="settings:plain",
                         detail={k: len(v) for k, v in values.items()}))


def replacements(rules: list[str]) -> list[tuple[str, str]]:
    """The `old => new` tone rules."""
    out = []
    for rule in rules:
        old, sep, new = rule.partition("=>")
        if sep and old.strip() and new.strip():
            out.append((old.strip(), new.strip()))
    return out


def guidance(rules: list[str]) -> list[str]:
    return [r for r in rules if "=>" not in r]


@dataclass
class Protected:
    text: str  # with placeholders
    terms: dict[str, str]  # placeholder -> the term as written in the text


def protect(text: str, terms: list[str]) -> Protected:
    """Replace every occurrence of a protected term (whole words, any case; longest first) by a
    placeholder [[Tn]]; the same spelling shares one placeholder."""
    found: dict[str, str] = {}
    by_spelling: dict[str, str] = {}
    for term in sorted({t for t in terms if t.strip()}, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w\[])" + re.escape(term) + r"(?![\w\]])", re.IGNORECASE)

        def swap(m: re.Match[str]) -> str:
            spelled = m.group(0)
            if spelled not in by_spelling:
                by_spelling[spelled] = f"[[T{len(by_spelling) + 1}]]"
                found[by_spelling[spelled]] = spelled
            return by_spelling[spelled]

        text = pattern.sub(swap, text)
    return Protected(text, found)


def placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in _PLACEHOLDER.finditer(text))


def restore(text: str, terms: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: terms.get(m.group(0), m.group(0)), text)


def kept(before: str, after: str) -> bool:
    """Every placeholder of `before` is in `after` as often, and no other one appeared."""
    return placeholders(before) == placeholders(after)
