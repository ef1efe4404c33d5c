"""Publishing approved minutes for LBLOD: the demo's approved council meeting reaches Niveau 3 in
both documents with http ids throughout; the RDFa in the HTML parses offline to the same triples as
the Turtle (besluitenlijst) and JSON-LD (notulen) files; drafts are never published; a closed item
publishes no decision text; publishing twice gives the same files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from pyRdfa import pyRdfa
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from appliance.access import SYSTEM
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Minutes
from appliance.errors import BelfortError
from appliance.minutes.lblod import DOCUMENT_TYPES, FILES, load_record, minutes_overview, publish_minutes
from ops.cli import main
from ops.demo.seed_lblod import AGENDA, seed_lblod

BASE = "https://www.belveld.be/"
BESLUIT = "http://data.vlaanderen.be/ns/besluit#"


@pytest.fixture
def demo(appliance) -> int:
    minutes_id = seed_lblod(appliance, lambda _line: None)
    assert minutes_id is not None
    return minutes_id


def rdfa(path: Path) -> Graph:
    return pyRdfa().graph_from_source(str(path))


def plain_strings(g: Graph) -> Graph:
    """RDF 1.1: "x" and "x"^^xsd:string are one literal; JSON-LD writes the first, RDFa the second."""
    out = Graph()
    for s, p, o in g:
        if isinstance(o, Literal) and o.datatype == rdflib.XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def test_demo_meeting_publishes_at_niveau_3_with_the_same_triples_everywhere(appliance, demo, tmp_path):
    result = publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path)
    assert sorted(p.name for p in result.files) == sorted(FILES)
    assert {r.document: r.level for r in result.reports} == {"besluitenlijst": 3, "notulen": 3}
    assert all(not r.findings for r in result.reports)
    turtle = Graph().parse(tmp_path / "besluitenlijst.ttl", format="turtle")
    assert isomorphic(rdfa(tmp_path / "besluitenlijst.html"), turtle)
    notulen = Graph().parse(tmp_path / "notulen.jsonld", format="json-ld")
    html_notulen = rdfa(tmp_path / "notulen.html")
    assert isomorphic(plain_strings(html_notulen), plain_strings(notulen))
    for g in (turtle, html_notulen):
        nodes = {n for t in g for n in (t[0], t[2]) if not isinstance(n, Literal)}
        assert not any(isinstance(n, BNode) or not str(n).startswith(("http://", "https://")) for n in nodes)
        assert len(set(g.subjects(rdflib.RDF.type, URIRef(BESLUIT + "Besluit")))) == len(AGENDA)
    assert (None, rdflib.RDF.type, URIRef(DOCUMENT_TYPES["besluitenlijst"])) in turtle
    assert (None, rdflib.RDF.type, URIRef(DOCUMENT_TYPES["notulen"])) in html_notulen
    agenda = rdfa(tmp_path / "agenda.html")
    assert (None, rdflib.RDF.type, URIRef(DOCUMENT_TYPES["agenda"])) in agenda
    assert not set(agenda.subjects(rdflib.RDF.type, URIRef(BESLUIT + "Besluit")))  # the agenda plans, it decides nothing
    assert result.zitting == f"{BASE}id/zittingen/{demo}"


def test_a_closed_agenda_item_publishes_no_decision_text(appliance, demo, tmp_path):
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path)
    (closed,) = [row for row in AGENDA if not row[2]]
    _n, title, _public, _in, _out, text, _vote, _secret, _named, motivation, legal = closed
    for name in FILES:
        content = (tmp_path / name).read_text("utf-8")
        for secret_text in (text, motivation, legal):
            assert secret_text not in content, (name, secret_text)
    assert title in (tmp_path / "besluitenlijst.html").read_text("utf-8")  # the title is public
    public_legal = AGENDA[1][10]
    assert public_legal in (tmp_path / "notulen.html").read_text("utf-8")  # an open item's text is published


def test_votes_name_voters_that_match_their_counts(appliance, demo, tmp_path):
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path)
    g = rdfa(tmp_path / "notulen.html")
    b = URIRef
    stemmingen = list(g.subjects(rdflib.RDF.type, b(BESLUIT + "Stemming")))
    assert len(stemmingen) == len(AGENDA)
    for st in stemmingen:
        counts = [int(g.value(st, b(BESLUIT + k))) for k in ("aantalVoorstanders", "aantalTegenstanders",
                                                           "aantalOnthouders")]
        named = [len(set(g.objects(st, b(BESLUIT + k)))) for k in ("heeftVoorstander", "heeftTegenstander",
                                                                  "heeftOnthouder")]
        secret = g.value(st, b(BESLUIT + "geheim")).toPython()
        assert named == ([0, 0, 0] if secret else counts)
        assert sum(counts) == len(set(g.objects(st, b(BESLUIT + "heeftAanwezige"))))


def test_publishing_twice_gives_the_same_files_and_uris(appliance, demo, tmp_path):
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path / "a")
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path / "b")
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path / "a")
    for name in FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    g = Graph().parse(tmp_path / "a" / "besluitenlijst.ttl", format="turtle")
    assert len(set(g.subjects(rdflib.RDF.type, URIRef(BESLUIT + "Zitting")))) == 1
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(FILES)


@pytest.mark.parametrize("base, code", [
    ("ftp://www.belveld.be/", "lblod.bad_base_uri"), ("urn:belfort:", "lblod.bad_base_uri"),
    ("javascript:alert(1)//", "lblod.bad_base_uri"), ("https://www.belveld.be/<script>", "lblod.bad_base_uri"),
    ("http:///pad", "lblod.bad_base_uri"), ("https://www.belveld.be/ id", "lblod.bad_base_uri"),
    ("", "lblod.no_base_uri"),  # none given and none configured
])
def test_a_base_uri_that_is_not_http_is_refused(appliance, demo, tmp_path, base, code):
    with pytest.raises(BelfortError) as err:
        publish_minutes(appliance, SYSTEM, demo, base=base or None, out_dir=tmp_path / "out")
    assert err.value.code == code
    assert not (tmp_path / "out").exists()


def test_a_draft_is_never_published(appliance, demo, tmp_path, monkeypatch, capsys):
    with write_session(appliance.db) as s:
        m = s.get(Minutes, demo)
        m.state, m.approved_by, m.approved_at = "draft", "", None
        s.add(m)
    with pytest.raises(BelfortError) as err:
        publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path / "out")
    assert err.value.code == "lblod.not_approved" and err.value.status == 409
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("BELFORT_DATA_DIR", str(appliance.settings.data_dir))
    monkeypatch.setenv("BELFORT_PROFILE", "test")
    assert main(["minutes", "publish", str(demo), "--base-uri", BASE, "--out", str(tmp_path / "cli")]) != 0
    assert "lblod.not_approved" in capsys.readouterr().err
    assert not (tmp_path / "cli").exists()


def test_minutes_list_json_names_date_body_and_state(appliance, demo, monkeypatch, capsys):
    from tests.minutes_support import make_minutes

    draft = make_minutes(appliance)["minutes"]
    monkeypatch.setenv("BELFORT_DATA_DIR", str(appliance.settings.data_dir))
    monkeypatch.setenv("BELFORT_PROFILE", "test")
    assert main(["minutes", "list", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[demo]["state"] == "approved" and rows[demo]["meeting_date"] == "2026-01-26"
    assert rows[demo]["governing_body"] == "Gemeenteraad Belveld"
    assert rows[draft]["state"] == "draft" and rows[draft]["governing_body"] == "gemeenteraad"
    assert minutes_overview(appliance) == list(rows.values())


def test_an_agenda_item_without_a_decision_is_published_as_an_item_only(appliance, demo, tmp_path):
    with write_session(appliance.db) as s:
        m = s.get(Minutes, demo)
        m.agenda = [*m.agenda, {"number": 5, "title": "Mondelinge vragen"}]
        s.add(m)
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path)
    g = Graph().parse(tmp_path / "besluitenlijst.ttl", format="turtle")
    punt = URIRef(f"{BASE}id/agendapunten/{demo}-5")
    assert (punt, rdflib.RDF.type, URIRef(BESLUIT + "Agendapunt")) in g
    assert not list(g.subjects(URIRef("http://purl.org/dc/terms/subject"), punt))
    with read_session(appliance.db):
        assert len(load_record(appliance, demo).agenda_numbers()) == 5


def test_hostile_texts_and_links_are_escaped_in_the_published_pages(appliance, demo, tmp_path):
    from appliance.minutes import save_decision
    from tests.minutes_support import HOSTILE

    with write_session(appliance.db) as s:
        m = s.get(Minutes, demo)
        m.state = "draft"
        s.add(m)
    item = load_record(appliance, demo).decisions_of(1)[0]
    save_decision(appliance, SYSTEM, item.id, title=HOSTILE, description='"><img src=x onerror=alert(1)>',
                  motivation="</span><script>alert(2)</script>", legal_text="x", outcome="Aangenomen",
                  voters_for=[f"http://data.lblod.info/id/mandatarissen/demo-belveld-gemeenteraad-p{n}"
                              for n in range(1, 7)])
    with write_session(appliance.db) as s:
        m = s.get(Minutes, demo)
        m.state = "approved"
        s.add(m)
    publish_minutes(appliance, SYSTEM, demo, base=BASE, out_dir=tmp_path)
    for name in ("notulen.html", "besluitenlijst.html"):
        html = (tmp_path / name).read_text("utf-8")
        assert "<script>" not in html and "<img" not in html and 'href="javascript' not in html
    g = rdfa(tmp_path / "notulen.html")
    titles = {str(o) for o in g.objects(None, URIRef("http://data.europa.eu/eli/ontology#title"))}
    assert " ".join(HOSTILE.split()) in titles  # escaped on the page, the same text in the data
