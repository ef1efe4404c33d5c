"""Prompt, JSON schema and output parsing for drafting minutes.

The transcript reaches the model as numbered lines `[S12 03:41] text`; the model answers with JSON
under a schema (llama.cpp turns it into a grammar, so the output parses unless it is cut off by the
token limit; `parse_items` then salvages every complete item). Transcript text is data, never an
instruction: lines that address the model are neutralised the same way Ask does for passages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from appliance import ask
from appliance.minutes.agenda import AgendaItem
from models.base import ChatMessage

PROMPT_VERSION = "minutes-1"
MAX_ITEMS = 6  # per part: keeps generation short on a CPU
MAX_TEXT_CHARS = 240  # a grammar limit: a small model otherwise repeats itself until the token limit
MAX_CITED = 6

SYSTEM = {
    "nl": ("Je schrijft de notulen van een vergadering uit een transcriptie. Gebruik alleen wat in de "
           "transcriptie staat. Elke regel begint met een nummer zoals [S12]. Geef per agendapunt een korte "
           "samenvatting (summaries), elke beslissing die de raad neemt, goedkeurt of waarover gestemd wordt "
           "(decisions, met de stemming als die genoemd wordt) en elke afgesproken taak (actions: wat, wie, "
           "tegen wanneer). Citeer bij elk item de nummers van de regels waar het staat. Schrijf in het "
           "Nederlands. Verzin niets."),
    "fr": ("Tu rédiges le procès-verbal d'une réunion à partir d'une transcription. N'utilise que la "
           "transcription. Chaque ligne commence par un numéro comme [S12]. Donne pour chaque point un court "
           "résumé (summaries), chaque décision prise, approuvée ou votée (decisions, avec le vote s'il est "
           "mentionné) et chaque tâche convenue (actions : quoi, qui, pour quand). Cite pour chaque élément les numéros des lignes. "
           "Écris en français. N'invente rien."),
    "en": ("You write the minutes of a meeting from its transcript. Use only what the transcript says. "
           "Each line starts with a number like [S12]. Give per agenda item a short summary (summaries), every "
           "decision taken, approved or voted on (decisions, with the vote when it is stated) and every agreed "
           "task (actions: what, who, by when). Cite for each item the numbers of the lines it comes from. Invent nothing."),
}
LABELS = {
    "nl": {"agenda": "Agendapunten in dit deel", "attendees": "Aanwezigen", "transcript": "Transcriptie",
           "none": "(geen agenda: vat de besproken onderwerpen samen)"},
    "fr": {"agenda": "Points de l'ordre du jour dans cette partie", "attendees": "Présents",
           "transcript": "Transcription", "none": "(pas d'ordre du jour : résume les sujets traités)"},
    "en": {"agenda": "Agenda items in this part", "attendees": "Attendees", "transcript": "Transcript",
           "none": "(no agenda: summarise the subjects discussed)"},
}


_FAKE_MARK = re.compile(r"\[\s*S\s*\d+[^\]]*\]", re.IGNORECASE)


def stamp(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def segment_line(number: int, start: float, text: str, speaker: str = "") -> str:
    clean, _ = ask.neutralise(" ".join(text.split()))
    clean = _FAKE_MARK.sub(" ", clean)  # a segment cannot pose as another numbered line
    who = f" {speaker}:" if speaker else ""
    return f"[S{number} {stamp(start)}]{who} {clean}"


SECTIONS = (("summaries", "summary"), ("decisions", "decision"), ("actions", "action"))


def schema(agenda_numbers: Sequence[int] = ()) -> dict[str, Any]:
    """The answer's JSON schema: summaries (at least one), then decisions, then actions.

    Separate arrays in a fixed order make a small model stop at "decisions" and "actions" and decide
    whether there are any, instead of writing one summary and closing. `agenda` is constrained to
    the numbers of this part's agenda items when the part covers more than one."""
    cite = {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": MAX_CITED}
    text = {"type": "string", "minLength": 3, "maxLength": MAX_TEXT_CHARS}
    vote = {"type": "object", "properties": {
        "for": {"type": "integer"}, "against": {"type": "integer"}, "abstain": {"type": "integer"}}}
    extra: dict[str, dict[str, Any]] = {
        "summary": {},
        "decision": {"vote": vote},
        "action": {"owner": {"type": "string", "maxLength": 80}, "deadline": {"type": "string", "maxLength": 40}},
    }
    props: dict[str, Any] = {}
    for key, kind in SECTIONS:
        item_props: dict[str, Any] = {"segments": cite, "text": text, **extra[kind]}
        required = ["segments", "text"]
        if len(agenda_numbers) > 1:
            item_props = {"agenda": {"type": "integer", "enum": sorted(set(agenda_numbers))}, **item_props}
            required = ["agenda", *required]
        props[key] = {"type": "array", "minItems": 1 if kind == "summary" else 0, "maxItems": MAX_ITEMS // 2,
                      "items": {"type": "object", "properties": item_props, "required": required}}
    return {"type": "object", "properties": props, "required": [k for k, _ in SECTIONS]}


def build_messages(lines: Sequence[str], agenda: Sequence[AgendaItem], attendees: Sequence[str],
                   language: str) -> list[ChatMessage]:
    lang = language if language in SYSTEM else "nl"
    lab = LABELS[lang]
    parts = []
    if agenda:
        parts.append(lab["agenda"] + ":\n" + "\n".join(f"{a.number}. {a.title}" for a in agenda))
    else:
        parts.append(lab["none"])
    if attendees:
        parts.append(lab["attendees"] + ": " + ", ".join(attendees))
    parts.append(lab["transcript"] + ":\n" + "\n".join(lines))
    return [ChatMessage("system", SYSTEM[lang]), ChatMessage("user", "\n\n".join(parts))]


def parse_items(raw: str) -> tuple[list[dict[str, Any]], str]:
    """(items with their `kind`, problem). An answer cut off by the token limit is closed after its
    last complete value, so every finished item is kept (problem 'truncated'); 'unparsable' or
    'empty' when nothing is usable."""
    text = (raw or "").strip()
    if not text:
        return [], "empty"
    problem = ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data, problem = _close_json(text), "truncated"
    items = _items_of(data)
    if not items and not isinstance(data, dict):
        return [], "unparsable"
    return items, problem  # '' with no items: a valid answer that found nothing


def _items_of(data: Any) -> list[dict[str, Any]]:
    if not isinstance(data, dict):
        return []
    out: list[dict[str, Any]] = []
    if isinstance(data.get("items"), list):  # a flat list with a kind per item
        out += [i for i in data["items"] if isinstance(i, dict)]
    for key, kind in SECTIONS:
        for item in data.get(key) or []:
            if isinstance(item, dict):
                out.append({**item, "kind": kind})
    return out


def _close_json(text: str) -> Any:
    """The longest prefix that ends a complete value inside the open structures, closed up; None
    when there is none."""
    stack: list[str] = []
    cuts: list[tuple[int, str]] = []  # (end of a complete value, closers needed after it)
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
            continue
        if ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
            cuts.append((i + 1, "".join(reversed(stack))))
    for end, closers in reversed(cuts):
        try:
            return json.loads(text[:end] + closers)
        except json.JSONDecodeError:
            continue
    return None


def as_int_list(value: Any) -> list[int]:
    """Segment numbers as the model wrote them: [12, "S13", "14"] -> [12, 13, 14]."""
    out: list[int] = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, bool):
            continue
        if isinstance(v, int):
            out.append(v)
        elif isinstance(v, str):
            m = re.search(r"\d+", v)
            if m:
                out.append(int(m.group()))
    return out
