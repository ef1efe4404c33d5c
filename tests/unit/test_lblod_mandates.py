"""`belfort mandates import`: bodies and mandatarissen from a Mandatendatabank export (Turtle or
JSON-LD), all or nothing: a malformed file, an unknown format or a mandataris in two bodies is
refused with a clear error and the previous mandates stay."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.mandates import import_mandates, list_bodies
from ops.cli import main
from ops.demo.seed_lblod import MANDATES_FILE

RAAD = "http://data.lblod.info/id/bestuursorganen/demo-belveld-gemeenteraad-2025-2030"
PREFIXES = """@prefix besluit: <http://data.vlaanderen.be/ns/besluit#> .
@prefix mandaat: <http://data.vlaanderen.be/ns/mandaat#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
"""


def _snapshot(app) -> list[tuple[str, str, list[str]]]:
    return [(b.uri, b.name, [p.uri for p in b.people]) for b in list_bodies(app)]


def test_demo_export_imports_bodies_people_and_secretary(appliance):
    parsed = import_mandates(appliance, MANDATES_FILE)
    assert len(parsed.bodies) == 4 and parsed.skipped == 0
    bodies = {b.name: b for b in list_bodies(appliance)}
    raad = bodies["Gemeenteraad Belveld"]  # the name of the lasting orgaan, on the orgaan in time
    assert raad.uri == RAAD and raad.classification.endswith("5ab0e9b8a3b2ca7c5e000005")
    assert raad.unit_name == "Belveld"
    kinds = sorted((p.kind, p.name) for p in raad.people)
    assert ("functionaris", "Karen Maes") in kinds and len([k for k in kinds if k[0] == "mandataris"]) == 7
    chair = next(p for p in raad.people if p.name == "Els Van Damme")
    assert chair.role == "Voorzitter van de gemeenteraad" and chair.person_uri.endswith("demo-belveld-p1")
    # The same person in two bodies holds two mandates (two mandatarissen): that is allowed.
    assert {p.name for p in bodies["College van burgemeester en schepenen Belveld"].people} >= {"Luc Janssens"}


@pytest.mark.parametrize("name, content, code", [
    ("kapot.ttl", PREFIXES + "<http://x/organ> a besluit:Bestuursorgaan ; skos:prefLabel \"Raad", "mandates.malformed"),
    ("kapot.jsonld", '{"@graph": [ {"@id": ', "mandates.malformed"),
    ("mandaten.xml", "<rdf:RDF/>", "mandates.unknown_format"),
    ("mandaten.csv", "naam;orgaan\nAn;raad\n", "mandates.unknown_format"),
    ("leeg.ttl", PREFIXES, "mandates.empty"),
    ("remote.jsonld", json.dumps({"@context": "https://example.org/context.jsonld", "@id": "http://x/o"}),
     "mandates.remote_context"),
    ("twee.ttl", PREFIXES + """
<http://x/raad> a besluit:Bestuursorgaan ; skos:prefLabel "Raad" ; org:hasPost <http://x/m1> .
<http://x/college> a besluit:Bestuursorgaan ; skos:prefLabel "College" ; org:hasPost <http://x/m2> .
<http://x/mandataris/1> a mandaat:Mandataris ; org:holds <http://x/m1>, <http://x/m2> .
""", "mandates.two_bodies"),
    ("blank.ttl", PREFIXES + """
<http://x/raad> a besluit:Bestuursorgaan ; skos:prefLabel "Raad" ; org:hasPost <http://x/m1> .
[] a mandaat:Mandataris ; org:holds <http://x/m1> .
""", "mandates.no_uri"),
])
def test_a_bad_file_is_refused_and_the_previous_mandates_stay(appliance, tmp_path: Path, name, content, code):
    import_mandates(appliance, MANDATES_FILE)
    before = _snapshot(appliance)
    bad = tmp_path / name
    bad.write_text(content, "utf-8")
    with pytest.raises(BelfortError) as err:
        import_mandates(appliance, bad)
    assert err.value.code == code
    assert _snapshot(appliance) == before


def test_json_ld_with_an_inline_context_imports(appliance, tmp_path: Path):
    doc = {"@context": {"besluit": "http://data.vlaanderen.be/ns/besluit#", "org": "http://www.w3.org/ns/org#",
                        "mandaat": "http://data.vlaanderen.be/ns/mandaat#", "foaf": "http://xmlns.com/foaf/0.1/",
                        "skos": "http://www.w3.org/2004/02/skos/core#"},
           "@graph": [
               {"@id": "http://x/raad", "@type": "besluit:Bestuursorgaan", "skos:prefLabel": "Raad",
                "org:hasPost": {"@id": "http://x/m1"}},
               {"@id": "http://x/mandataris/1", "@type": "mandaat:Mandataris", "org:holds": {"@id": "http://x/m1"},
                "mandaat:isBestuurlijkeAliasVan": {"@id": "http://x/persoon/1"}},
               {"@id": "http://x/persoon/1", "foaf:name": "Jo Smet"}]}
    path = tmp_path / "mandaten.jsonld"
    path.write_text(json.dumps(doc), "utf-8")
    import_mandates(appliance, path)
    (body,) = list_bodies(appliance)
    assert body.name == "Raad" and [(p.name, p.person_uri) for p in body.people] == [("Jo Smet", "http://x/persoon/1")]


def test_cli_import_and_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    monkeypatch.setenv("BELFORT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("BELFORT_PROFILE", "test")
    assert main(["mandates", "import", str(MANDATES_FILE)]) == 0
    assert "4 governing bodies" in capsys.readouterr().out
    bad = tmp_path / "kapot.ttl"
    bad.write_text("@prefix x: <", "utf-8")
    assert main(["mandates", "import", str(bad)]) != 0
    assert "mandates.malformed" in capsys.readouterr().err
    assert main(["mandates", "list", "--json"]) == 0
    bodies = json.loads(capsys.readouterr().out)
    assert len(bodies) == 4 and any(b["uri"] == RAAD and len(b["people"]) == 8 for b in bodies)


def test_links_that_are_not_http_are_dropped(appliance, tmp_path: Path):
    path = tmp_path / "links.ttl"
    path.write_text(PREFIXES + """
<http://x/raad> a besluit:Bestuursorgaan ; skos:prefLabel "Raad" ; besluit:classificatie <javascript:alert(1)> ;
    besluit:bestuurt <data:text/html,x> ; org:hasPost <http://x/m1> .
<http://x/mandataris/1> a mandaat:Mandataris ; org:holds <http://x/m1> ; mandaat:isBestuurlijkeAliasVan <javascript:x> .
""", "utf-8")
    import_mandates(appliance, path)
    (body,) = list_bodies(appliance)
    assert (body.classification, body.unit_uri, body.people[0].person_uri) == ("", "", "")
