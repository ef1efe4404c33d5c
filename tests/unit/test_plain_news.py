"""A news draft from an approved decision: plain text, the vote, a link to the decision; never from a
draft, a rejected item or minutes the reader may not see."""

from __future__ import annotations

import pytest

from appliance import plain
from appliance.access.principals import SYSTEM
from appliance.errors import BelfortError
from tests.minutes_support import make_minutes


def test_an_accepted_decision_of_approved_minutes_becomes_a_news_draft(appliance) -> None:  # type: ignore[no-untyped-def]
    ids = make_minutes(appliance, approved=True)
    draft = plain.news_draft(appliance, SYSTEM, ids["minutes"], ids["decision"])
    assert draft["title"] == "Gemeenteraad besliste: Sporthal Vaartstraat"
    assert "De raad keurt de bouw van de sporthal goed." in draft["body"]
    assert "14 voor, 3 tegen, 2 onthoudingen" in draft["body"]
    assert draft["link"] == f"/minutes/{ids['minutes']}#item-{ids['decision']}" and draft["link"] in draft["body"]
    assert draft["decision_uri"] == f"urn:belfort:besluit:{ids['decision']}"


def test_an_http_base_links_to_the_decision_uri(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path, minutes={"jsonld_base_uri": "https://data.belveld.be/id/"}),
                         embedder=FakeEmbedder())
    ids = make_minutes(app, approved=True)
    draft = plain.news_draft(app, SYSTEM, ids["minutes"], ids["decision"], lang="fr")
    assert draft["link"] == f"https://data.belveld.be/id/besluit/{ids['decision']}"
    assert draft["body"].startswith("Le gemeenteraad a pris le 2026-03-02")


@pytest.mark.parametrize(("approved", "key", "code"), [
    (False, "decision", "plain.minutes_not_approved"),
    (True, "rejected", "plain.not_a_decision"),
    (True, "action", "plain.not_a_decision"),
])
def test_no_news_from_drafts_or_other_items(appliance, approved: bool, key: str, code: str) -> None:  # type: ignore[no-untyped-def]
    ids = make_minutes(appliance, approved=approved)
    with pytest.raises(BelfortError) as err:
        plain.news_draft(appliance, SYSTEM, ids["minutes"], ids[key])
    assert err.value.code == code
