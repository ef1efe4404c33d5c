"""A draft news item for the website from an approved decision of the minutes, with a link to it.

Only an accepted decision of approved minutes: a draft or a rejected item is not news. The decision's
text is made plainer by the rules (protected terms kept, each sentence claim-checked against the
decision); title, lead, vote and link sentence are catalogue texts. The link is the decision's OSLO
Besluit URI (the one the JSON-LD export gives it, so a website that publishes the export can resolve
it) and the Belfort page of the decision. A person edits and publishes the draft; nothing is posted.
"""

from __future__ import annotations

from typing import Any

from appliance import minutes as minutes_feature
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.i18n import texts
from appliance.plain.readability import measure
from appliance.plain.rewriting import rewrite

NEWS_VERSION = "plain-news/1"


def news_draft(app: Appliance, who: Principal, minutes_id: int, item_id: int, *, lang: str = "nl"
               ) -> dict[str, Any]:
    minutes, _items = minutes_feature.readable_minutes(app, who, minutes_id)  # not found when hidden
    item = minutes_feature.item_of(app, who, minutes_id, item_id)
    if minutes.state != "approved":
        raise BelfortError("plain.minutes_not_approved", f"minutes {minutes_id} are not approved yet",
                           hint="a news item is drafted from approved minutes only", status=409)
    if item.kind != "decision" or item.state != "accepted":
        raise BelfortError("plain.not_a_decision", f"item {item_id} is not an accepted decision",
                           hint="pick a decision of the approved minutes", status=409)
    tpl = texts(lang, "plain_news.")
    plain = rewrite(app, item.text, language=lang, actor=who.username, mode="rules")
    subject = item.agenda_title or minutes.title or tpl["subject"]
    uri = minutes_feature.node_id(app.settings.minutes.jsonld_base_uri, "besluit", item.id)
    page = f"/minutes/{minutes_id}#item-{item_id}"
    parts = [tpl["lead"].format(body=minutes.body or tpl["body"], date=minutes.meeting_date or "…",
                                subject=subject), "", plain.text]
    vote = item.vote or {}
    if vote:
        parts += ["", tpl["vote"].format(yes=vote.get("for", 0), no=vote.get("against", 0),
                                         abstain=vote.get("abstain", 0))]
    link = uri if uri.startswith("http") else page
    parts += ["", tpl["read_more"].format(link=link)]
    body = "\n".join(parts)
    return {"title": tpl["title"].format(subject=subject), "body": body, "link": link, "decision_uri": uri,
            "page": page, "language": lang, "readability": {"decision": plain.before.as_dict(),
                                                            "news": measure(body, lang).as_dict()},
            "changes": [c.as_dict() for c in plain.changes], "generator": NEWS_VERSION,
            "minutes_id": minutes_id, "item_id": item_id}
