"""Themes: deterministic clustering over the entries one person may read, labels, trends and places."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest

from appliance.access import SYSTEM, Principal, accounts
from appliance.audit import log as audit_log
from appliance.context import open_appliance
from appliance.insight import build_themes, place_of
from appliance.storage.layout import DataLayout
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.insight_data import THEMES, add_theme_items

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path):
    settings = make_settings(tmp_path, insight={"include_questions": True,
                                                "include_feedback": True})
    return open_appliance(settings, embedder=FakeEmbedder(dim=256))


def _tina(app) -> Principal:
    return accounts.create_user(app, "tina", "Wachtwoord-voor-tina-1", role="staff", groups=["triage"])


def test_each_theme_is_found_once_with_its_distinctive_words(app) -> None:
    add_theme_items(app, 6, now=NOW)
    report = build_themes(app, SYSTEM, now=NOW, periods=5)
    assert report.entries == 24 and len(report.themes) == 4 and report.ungrouped == 0
    words = {theme: set(spec[2].split()) for theme, spec in THEMES.items()}
    for found in report.themes:
        label_words = set(found.label.replace(" · ", " ").split())
        assert label_words, found
        owners = [theme for theme, w in words.items() if label_words & w]
        assert len(owners) == 1, (found.label, owners)  # a label names one theme's words only
        assert "beste" not in label_words and "graag" not in label_words  # mail frame words are no label
        assert sum(found.volume) == found.size == 6 and len(found.examples) == 5


def test_themes_are_stable_under_a_rerun(app) -> None:
    add_theme_items(app, 5, now=NOW, seed=11)
    first = build_themes(app, SYSTEM, now=NOW, periods=5).as_dict()
    again = build_themes(app, SYSTEM, now=NOW, periods=5).as_dict()  # vectors from the cache
    shutil.rmtree(DataLayout.of(app.settings).insight_cache)
    fresh = build_themes(app, SYSTEM, now=NOW, periods=5).as_dict()  # vectors embedded anew
    assert first == again == fresh
    assert len(first["themes"]) == 4


def test_a_theme_never_shows_what_the_viewer_may_not_read(app) -> None:
    add_theme_items(app, 4, now=NOW)
    tina = _tina(app)
    secret = "hondenpoep speeltuin zandbak"
    for i in range(4):  # an administrator's own Ask questions and a thumbs-down comment on one
        rec = audit_log.record_answer(app, SYSTEM, question=f"Wat doet de gemeente aan {secret} nummer {i}?",
                                      answer="-", status="dont_know")
    audit_log.record_feedback(app, SYSTEM, rec, helpful=False, comment=f"niets over {secret}")
    now = datetime.now(UTC)
    admin_view = build_themes(app, SYSTEM, now=now, periods=8)
    tina_view = build_themes(app, tina, now=now, periods=8)
    assert admin_view.entries == 16 + 5 and tina_view.entries == 16
    assert any("hondenpoep" in t.label for t in admin_view.themes)
    for theme in tina_view.themes:
        assert "hondenpoep" not in theme.label and "speeltuin" not in theme.label
        assert all(ex["kind"] == "item" for ex in theme.examples)
        assert all("hondenpoep" not in ex["title"] for ex in theme.examples)
    # Her own question is hers to see; someone outside the triage group sees no items at all.
    audit_log.record_answer(app, tina, question="Waar haal ik een bewonerskaart?", answer="-", status="dont_know")
    assert build_themes(app, tina, now=datetime.now(UTC), periods=8).entries == 17
    otto = accounts.create_user(app, "otto", "Wachtwoord-voor-otto-1", role="staff")
    assert build_themes(app, otto, now=datetime.now(UTC), periods=8).entries == 0


def test_a_theme_that_grows_in_the_last_period_is_rising(app) -> None:
    add_theme_items(app, 8, now=NOW, days=30, recent={"put": 8})
    report = build_themes(app, SYSTEM, now=NOW, periods=5)
    rising = [t for t in report.themes if t.rising]
    assert len(rising) == 1 and rising[0].volume[-1] >= 8
    assert set(rising[0].label.replace(" · ", " ").split()) & set(THEMES["put"][2].split())
    assert rising[0].growth is not None and rising[0].growth > 1
    assert dict(rising[0].departments) == {"openbare-werken": 16}


def test_streets_and_deelgemeenten_come_from_addresses(app) -> None:
    assert place_of("Put in de Kerkstraat 12 te 9050 Gentbrugge, graag herstel.") == ("Kerkstraat", "Gentbrugge")
    assert place_of("Lamp kapot Koning Albertlaan 4 bus 2, 9000 Gent") == ("Koning Albertlaan", "Gent")
    assert place_of("Er ligt afval in Ledeberg aan de kerk", ["Ledeberg"]) == ("", "Ledeberg")
    assert place_of("In 2025 was het beter") == ("", "")
    add_theme_items(app, 8, now=NOW)
    report = build_themes(app, SYSTEM, now=NOW, periods=5)
    districts = {name for t in report.themes for name, _n in t.districts}
    streets = {name for t in report.themes for name, _n in t.streets}
    assert districts <= {"Gentbrugge", "Sint-Amandsberg", "Wondelgem"} and districts
    assert streets <= {"Kerkstraat", "Stationsstraat", "Molenweg", "Dorpsplein"} and streets
    overall = dict(report.districts)
    assert set(overall) == districts and sum(overall.values()) >= sum(n for t in report.themes for _d, n in t.districts)


def test_an_empty_window_and_a_bad_period(app) -> None:
    report = build_themes(app, SYSTEM, now=NOW, periods=3, period="month")
    assert report.entries == 0 and report.themes == [] and len(report.periods) == 3
    assert report.periods[-1] == "2026-11-01"
    from appliance.errors import BelfortError

    with pytest.raises(BelfortError) as err:
        build_themes(app, SYSTEM, now=NOW, period="year")
    assert err.value.code == "insight.bad_period"


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(dim=256)
        self.embedded = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += len(texts)
        return super().embed_passages(texts)


def test_the_hourly_job_embeds_new_entries_so_the_page_need_not(tmp_path) -> None:
    from appliance.insight import warm_vectors
    from appliance.jobs import queue_for

    embedder = CountingEmbedder()
    app = open_appliance(make_settings(tmp_path), embedder=embedder)
    add_theme_items(app, 3, now=datetime.now(UTC), days=6)
    assert warm_vectors(app) == 12 and embedder.embedded == 12
    assert warm_vectors(app) == 12 and embedder.embedded == 12  # cached: nothing embedded twice
    build_themes(app, SYSTEM, periods=3)
    assert embedder.embedded == 12
    periodic = {t.name: t for t in queue_for(app.settings, immediate=True)._registry.periodic_tasks}
    assert periodic["insight_vectors"].validate_datetime(datetime(2026, 1, 1, 9, 17))
