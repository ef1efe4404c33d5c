"""Insight pages through the real app: who may see them, SVG charts with tables, hostile labels
escaped, the forecast's CSV and its 'too little history' notice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from appliance.access import accounts
from tests.integration.web_support import PW, build_world, sign_in
from tests.unit.triage_items import add_item

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def world(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    accounts.create_user(appliance, "tina", PW, role="staff", groups=["triage"])
    return world


def _client(world, user: str):
    client = world.client()
    assert sign_in(client, user).status_code in (302, 303)
    return client


def _history(app, weeks: int, category: str = "afval") -> None:
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=today.weekday() + 7 * weeks)  # the Monday `weeks` complete weeks ago
    for w in range(weeks):
        for i in range(3 + w % 3):
            add_item(app, f"{HOSTILE} sluikstort glasbol {w}", "zakken afval gedumpt aan de glasbol",
                     suggested=category, received_at=start + timedelta(days=7 * w + i % 5))


def test_outside_the_triage_group_the_pages_are_403(world) -> None:
    client = _client(world, "anna")
    for path in ("/insight", "/insight/forecast", "/insight/forecast.csv"):
        assert client.get(path).status_code == 403, path


def test_themes_page_draws_svg_with_a_table_and_escapes_titles(world) -> None:
    _history(world.app, 3)
    page = _client(world, "tina").get("/insight?periods=6")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and 'role="img"' in html and "<table>" in html and "<caption" in html
    assert HOSTILE not in html and "&lt;script&gt;" in html
    assert "glasbol" in html and 'href="/triage/items/' in html


def test_forecast_page_chart_table_and_csv(world) -> None:
    _history(world.app, 12, category=f"afval{HOSTILE}")
    client = _client(world, "tina")
    page = client.get("/insight/forecast", params={"series": f"category:afval{HOSTILE}"})
    assert page.status_code == 200
    assert "<polyline" in page.text and 'class="chart-band"' in page.text
    assert HOSTILE not in page.text and "&lt;script&gt;" in page.text
    csv = client.get("/insight/forecast.csv", params={"series": "total"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in csv.headers["content-disposition"]
    lines = csv.text.splitlines()
    assert lines[0] == "week,mean,lower,upper,workdays,school_holiday_days" and len(lines) == 9


def test_two_weeks_of_history_say_so_and_draw_no_line(world) -> None:
    _history(world.app, 2)
    client = _client(world, "tina")
    page = client.get("/insight/forecast?lang=en")
    assert page.status_code == 200
    assert "Too little history for a forecast: 2 complete week(s)" in page.text
    assert "<polyline" not in page.text and "<svg" not in page.text
    assert client.get("/insight/forecast.csv").status_code == 409
