"""The texts the core writes itself (mails, exported documents, notices, fixed answers) come from the
same nl/fr/en catalogues as the pages: every key the appliance asks for exists in each language."""

from __future__ import annotations

import re
from pathlib import Path

from appliance.i18n import LANGUAGES, catalogue, t, texts

APPLIANCE = Path(__file__).resolve().parents[2] / "appliance"
LITERAL = re.compile(r"""\bt\([^,()]+,\s*['"]([a-z_]+\.[a-z_.]+)['"]""")
CHOICE = re.compile(r"""\bt\([^,()]+,\s*['"]([a-z_]+\.[a-z_.]+)['"] if .+? else ['"]([a-z_]+\.[a-z_.]+)['"]""")
PREFIX = re.compile(r"""\btexts\([^()]+?,\s*['"]([a-z_]+\.)['"]\)""")
# The keys each prefix must hold: the code formats these texts itself.
PREFIX_KEYS = {
    "ticket_mail.": {"subject", "intro", "question", "answer", "extractive", "sources", "page", "note", "none",
                     "link"},
    "minutes_export.": {"minutes", "draft", "approved", "body", "date", "attendees", "agenda_item", "general",
                        "summary", "decision", "action", "actions", "owner", "deadline", "time", "vote", "model",
                        "none"},
    "triage_request.": {"subject", "body", "signature"},
    "triage_route_mail.": {"intro", "category", "by", "ai", "confidence", "received", "deadline", "sender",
                           "subject", "flags", "urgent", "original", "auto"},
    "plain_reply.": {"subject", "greeting", "greeting_anonymous", "intro", "sources", "more", "no_answer",
                     "closing", "signature", "ai_label"},
    "plain_news.": {"title", "subject", "body", "lead", "vote", "read_more"},
}


def used() -> tuple[set[str], set[str]]:
    keys, prefixes = set(), set()
    for path in APPLIANCE.rglob("*.py"):
        text = path.read_text("utf-8")
        keys |= set(LITERAL.findall(text))
        keys |= {k for pair in CHOICE.findall(text) for k in pair}
        prefixes |= set(PREFIX.findall(text))
    return keys, prefixes


def test_every_key_the_appliance_uses_exists_in_every_language() -> None:
    keys, prefixes = used()
    assert {"answer.withheld", "answer.dont_know", "answer.ai_label", "answer.extractive"} <= keys
    assert prefixes == set(PREFIX_KEYS)
    for lang in LANGUAGES:
        assert not sorted(k for k in keys if k not in catalogue(lang)), lang
        for prefix, wanted in PREFIX_KEYS.items():
            assert set(texts(lang, prefix)) == wanted, (lang, prefix)


def test_texts_and_t_fall_back_like_the_pages() -> None:
    assert texts("de", "minutes_export.") == texts("nl", "minutes_export.")
    assert t("nl", "minutes_export.agenda_item", n=3) == "Agendapunt 3"
    assert t("fr", "answer.escalate", route="Onthaal") == "Transmettez la question à Onthaal."
    assert t("en", "no.such.key") == "no.such.key"


def test_each_area_catalogue_is_named_after_a_package_or_module() -> None:
    """`<area>.<lang>.json` belongs to a feature (appliance/<area>, a core module or a page controller),
    never to a work branch; each area has all three languages."""
    folder = APPLIANCE.parent / "webui" / "i18n"
    areas = {p.name.split(".")[0] for p in folder.glob("*.*.json")}
    for area in areas:
        assert {p.name for p in folder.glob(f"{area}.*.json")} == {f"{area}.{lang}.json" for lang in LANGUAGES}
        homes = (APPLIANCE / area, APPLIANCE / f"{area}.py", APPLIANCE.parent / "webui" / "controllers" / f"{area}.py")
        assert any(home.exists() for home in homes), area
