"""The maturity checker (written from the LBLOD decision-validation blueprints) and the checks on what
the secretary records: each required property that is missing is reported with its level, and the
level reached drops below it; bad input (a meeting ending before it starts, votes that do not add up,
named voters that do not match, people from outside the body) is refused."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from appliance.access import SYSTEM
from appliance.db.engine import write_session
from appliance.db.tables import Minutes, MinutesItem
from appliance.errors import BelfortError
from appliance.minutes.lblod import (
    build_graph,
    check_graph,
    check_minutes,
    load_record,
    save_decision,
    save_meeting,
)
from appliance.minutes.lblod.check import RULES
from ops.demo.seed_lblod import DIRECTOR, RAAD, seed_lblod

M = "http://data.lblod.info/id/mandatarissen/demo-belveld-gemeenteraad-p"
REQUIRED = [(doc, rule) for rule in RULES if rule.min for doc in rule.documents]


@pytest.fixture
def demo(appliance) -> int:
    minutes_id = seed_lblod(appliance, lambda _line: None)
    assert minutes_id is not None
    return minutes_id


def _reopen(appliance, minutes_id: int) -> None:
    with write_session(appliance.db) as s:
        m = s.get(Minutes, minutes_id)
        m.state = "draft"
        s.add(m)


@pytest.fixture(scope="module")
def demo_graphs(tmp_path_factory) -> dict[str, Graph]:
    """The demo meeting's graphs, built once for the many rule tests (each test edits a copy)."""
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path_factory.mktemp("lblod")), embedder=FakeEmbedder())
    record = load_record(app, seed_lblod(app, lambda _line: None) or 0)
    return {doc: build_graph(record, "https://www.belveld.be/", doc) for doc in ("notulen", "besluitenlijst")}


@pytest.mark.parametrize("document, rule", REQUIRED, ids=[f"{d}-{r.cls.split('#')[-1]}.{r.name}" for d, r in REQUIRED])
def test_each_required_property_missing_is_reported_with_its_level(demo_graphs, document, rule):
    g = Graph()
    for triple in demo_graphs[document]:
        g.add(triple)
    assert check_graph(g, document).level == 3
    subject = min(g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), rule.cls), key=str)
    g.remove((subject, rule.path, None))
    report = check_graph(g, document)
    missing = [f for f in report.findings if f.name == rule.name and f.subject == str(subject)]
    assert [(f.level, f.problem) for f in missing] == [(rule.level, "missing")]
    assert report.level == rule.level - 1


def test_a_wrong_datatype_and_a_non_http_id_are_reported(appliance, demo):
    g = build_graph(load_record(appliance, demo), "https://www.belveld.be/", "notulen")
    zitting = URIRef(f"https://www.belveld.be/id/zittingen/{demo}")
    g.set((zitting, URIRef("http://www.w3.org/ns/prov#startedAtTime"), Literal("maandagavond")))
    g.add((zitting, URIRef("http://data.vlaanderen.be/ns/besluit#behandelt"), URIRef("urn:belfort:agendapunt:9")))
    report = check_graph(g, "notulen")
    problems = {(f.level, f.name, f.problem) for f in report.findings}
    assert (1, "start", "datatype") in problems and (2, "uri", "not_http") in problems
    assert report.level == 0


def test_the_checker_reads_the_secretarys_record(appliance, demo):
    _reopen(appliance, demo)
    record = load_record(appliance, demo).meeting
    save_meeting(appliance, SYSTEM, demo, body_uri=RAAD, planned_start=record.planned_start,
                 planned_end=record.planned_end, started_at=record.started_at, ended_at=record.ended_at,
                 location=record.location, chair_uri="", secretary_uri=DIRECTOR,
                 present_at_start=record.present_at_start)
    levels = {r.document: r for r in check_minutes(appliance, demo)}
    for report in levels.values():
        assert report.level == 2
        assert [(f.level, f.name, f.problem) for f in report.findings] == [(3, "heeftVoorzitter", "missing")]


def test_minutes_without_a_body_or_times_stay_below_niveau_1(appliance):
    from tests.minutes_support import make_minutes

    ids = make_minutes(appliance)
    reports = check_minutes(appliance, ids["minutes"])
    assert [r.level for r in reports] == [0, 0]
    names = {f.name for r in reports for f in r.findings if f.level == 1}
    assert {"start", "eind", "geplandeStart", "isGehoudenDoor"} <= names


@pytest.mark.parametrize("values, code", [
    ({"started_at": "2026-01-26T21:00", "ended_at": "2026-01-26T19:00"}, "lblod.ends_before_start"),
    ({"planned_start": "2026-01-26T19:30", "planned_end": "2026-01-25T22:00"}, "lblod.ends_before_start"),
    ({"started_at": "maandag"}, "lblod.bad_time"),
    ({"chair_uri": "http://data.lblod.info/id/mandatarissen/demo-belveld-college-p2"}, "lblod.not_a_member"),
    ({"body_uri": "http://x/onbekend"}, "lblod.unknown_body"),
])
def test_bad_meeting_records_are_refused(appliance, demo, values, code):
    _reopen(appliance, demo)
    with pytest.raises(BelfortError) as err:
        save_meeting(appliance, SYSTEM, demo, **{"body_uri": RAAD, **values})
    assert err.value.code == code


def _decision(appliance, minutes_id: int, number: int) -> MinutesItem:
    record = load_record(appliance, minutes_id)
    return record.decisions_of(number)[0]


@pytest.mark.parametrize("vote, voters, secret, code", [
    ({"for": 20, "against": 3, "abstain": 2}, {}, False, "lblod.vote_count"),  # 7 present at item 2
    ({"for": 5, "against": 1, "abstain": 1}, {"for": [f"{M}{n}" for n in (1, 2, 3, 4)], "against": [f"{M}6"],
                                              "abstain": [f"{M}7"]}, False, "lblod.voters_mismatch"),
    ({"for": 5, "against": 1, "abstain": 1}, {"for": [f"{M}{n}" for n in (1, 2, 3, 4, 5)], "against": [f"{M}6"],
                                              "abstain": [f"{M}6"]}, False, "lblod.voted_twice"),
    ({"for": 5, "against": 1, "abstain": 1}, {"for": [f"{M}1"]}, True, "lblod.secret_named"),
])
def test_votes_that_do_not_add_up_are_refused(appliance, demo, vote, voters, secret, code):
    _reopen(appliance, demo)
    item = _decision(appliance, demo, 2)
    with write_session(appliance.db) as s:
        row = s.get(MinutesItem, item.id)
        row.vote = vote
        s.add(row)
    with pytest.raises(BelfortError) as err:
        save_decision(appliance, SYSTEM, item.id, title="x", secret=secret,
                      **{f"voters_{k}": v for k, v in voters.items()})
    assert err.value.code == code


def test_a_voter_who_left_before_the_item_is_refused(appliance, demo):
    _reopen(appliance, demo)
    item = _decision(appliance, demo, 4)  # Pieter Wouters (p6) left at item 4: 6 present
    with write_session(appliance.db) as s:
        row = s.get(MinutesItem, item.id)
        row.vote = {"for": 4, "against": 1, "abstain": 1}
        s.add(row)
    with pytest.raises(BelfortError) as err:
        save_decision(appliance, SYSTEM, item.id, voters_for=[f"{M}{n}" for n in (1, 2, 3, 6)],
                      voters_against=[f"{M}4"], voters_abstain=[f"{M}5"])
    assert err.value.code == "lblod.voter_absent"


def test_approved_minutes_no_longer_change(appliance, demo):
    with pytest.raises(BelfortError) as err:
        save_meeting(appliance, SYSTEM, demo, body_uri=RAAD, location="Elders")
    assert err.value.code == "lblod.approved"
