"""Bodies and mandates edited by hand: the import's checks (http(s) URIs, a mandataris in one body),
stable error codes, an audit event per change, ending a mandate; a later import replaces it all."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlmodel import select

from appliance.access import Principal
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent
from appliance.errors import BelfortError
from appliance.mandates import (
    current_names,
    end_mandatary,
    import_mandates,
    list_bodies,
    save_body,
    save_mandatary,
)
from ops.demo.seed_lblod import MANDATES_FILE

RAAD = "http://data.lblod.info/id/bestuursorganen/demo-belveld-gemeenteraad-2025-2030"
WHO = Principal(user_id=None, username="archie", role="archivist")
BODY = "https://example.org/id/bestuursorganen/raad"


def _audit(app) -> list[tuple[str, str]]:
    with read_session(app.db) as s:
        return [(e.action, e.target) for e in s.exec(select(AuditEvent)).all() if e.action.startswith("mandates.")]


def _people(app, body_uri):
    return {p.uri: p for b in list_bodies(app) if b.uri == body_uri for p in b.people}


def test_add_edit_and_end_a_mandate_each_audited(appliance):
    save_body(appliance, WHO, uri=BODY, name="  Gemeenteraad   Testdorp ")
    uri = "https://example.org/id/mandatarissen/1"
    save_mandatary(appliance, WHO, uri=uri, body_uri=BODY, name="Jan Peeters", role="Gemeenteraadslid",
                   start_date="2025-01-02")
    assert [b.name for b in list_bodies(appliance)] == ["Gemeenteraad Testdorp"]
    save_mandatary(appliance, WHO, uri=uri, body_uri=BODY, name="Jan Peeters", role="Schepen",
                   start_date="2025-01-02")
    person = _people(appliance, BODY)[uri]
    assert person.role == "Schepen" and person.start_date == "2025-01-02" and person.end_date == ""
    assert current_names(appliance, BODY, "2026-01-01") == ["Jan Peeters"]
    end_mandatary(appliance, WHO, uri, "2026-06-30")
    assert _people(appliance, BODY)[uri].end_date == "2026-06-30"
    assert current_names(appliance, BODY, "2026-06-30") == ["Jan Peeters"]
    assert current_names(appliance, BODY, "2026-07-01") == []  # ended: no longer primes transcription
    assert current_names(appliance, BODY, "2024-12-31") == []  # not yet started
    assert _audit(appliance) == [("mandates.body_add", f"body:{BODY}"), ("mandates.mandate_add", f"mandate:{uri}"),
                                 ("mandates.mandate_edit", f"mandate:{uri}"), ("mandates.mandate_end", f"mandate:{uri}")]


@pytest.mark.parametrize("values, code", [
    ({"uri": "urn:uuid:1"}, "mandates.bad_uri"),
    ({"uri": "javascript:alert(1)"}, "mandates.bad_uri"),
    ({"person_uri": "ftp://x/p"}, "mandates.bad_uri"),
    ({"body_uri": "https://example.org/unknown"}, "mandates.unknown_body"),
    ({"name": "   "}, "mandates.no_name"),
    ({"kind": "koning"}, "mandates.bad_kind"),
    ({"start_date": "2 januari"}, "mandates.bad_date"),
    ({"start_date": "2026-02-01", "end_date": "2026-01-01"}, "mandates.ends_before_start"),
])
def test_bad_input_is_refused_with_a_stable_code_and_changes_nothing(appliance, values, code):
    save_body(appliance, WHO, uri=BODY, name="Raad")
    before = _audit(appliance)
    kwargs = {"uri": "https://example.org/id/m/9", "body_uri": BODY, "name": "An", **values}
    with pytest.raises(BelfortError) as err:
        save_mandatary(appliance, WHO, **kwargs)
    assert err.value.code == code
    assert _people(appliance, BODY) == {} and _audit(appliance) == before


def test_a_mandataris_sits_in_one_body_as_the_import_requires(appliance):
    import_mandates(appliance, MANDATES_FILE)
    college = next(b for b in list_bodies(appliance) if b.uri != RAAD and b.people)
    member = next(iter(_people(appliance, RAAD)))
    with pytest.raises(BelfortError) as err:
        save_mandatary(appliance, WHO, uri=member, body_uri=college.uri, name="Iemand")
    assert err.value.code == "mandates.two_bodies"
    assert member in _people(appliance, RAAD) and member not in _people(appliance, college.uri)


def test_body_uri_must_be_http_and_end_checks_its_mandate(appliance):
    with pytest.raises(BelfortError) as err:
        save_body(appliance, WHO, uri="raad", name="Raad")
    assert err.value.code == "mandates.bad_uri"
    with pytest.raises(BelfortError) as err:
        end_mandatary(appliance, WHO, "https://example.org/nobody")
    assert err.value.code == "mandates.not_found"
    save_body(appliance, WHO, uri=BODY, name="Raad")
    save_mandatary(appliance, WHO, uri="https://example.org/m/1", body_uri=BODY, name="An", start_date="2026-01-01")
    with pytest.raises(BelfortError) as err:
        end_mandatary(appliance, WHO, "https://example.org/m/1", "2025-01-01")
    assert err.value.code == "mandates.ends_before_start"


def test_a_later_import_replaces_what_was_edited(appliance):
    save_body(appliance, WHO, uri=BODY, name="Raad")
    save_mandatary(appliance, WHO, uri="https://example.org/m/1", body_uri=BODY, name="An")
    import_mandates(appliance, MANDATES_FILE)
    assert BODY not in {b.uri for b in list_bodies(appliance)}
    assert RAAD in {b.uri for b in list_bodies(appliance)}


def test_migration_36_adds_the_date_and_body_columns_to_an_older_database(appliance):
    from appliance.db.engine import migrate

    with appliance.db.begin() as conn:
        for table, column in (("mandatary", "start_date"), ("mandatary", "end_date"),
                              ("recordingvocabulary", "body_uri")):
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.exec_driver_sql("DELETE FROM schema_version WHERE version >= 36")
    assert migrate(appliance.db) >= 36
    with appliance.db.begin() as conn:
        mandatary = {c["name"]: str(c["default"]).split("::")[0] for c in inspect(conn).get_columns("mandatary")}
        vocab = {c["name"]: str(c["default"]).split("::")[0] for c in inspect(conn).get_columns("recordingvocabulary")}
    assert mandatary["start_date"] == mandatary["end_date"] == vocab["body_uri"] == "''"
    import_mandates(appliance, MANDATES_FILE)  # the import works on the migrated table
    assert list_bodies(appliance)


def test_the_import_reads_start_and_end_of_each_mandate(appliance, tmp_path):
    path = tmp_path / "mandaten.ttl"
    path.write_text("""@prefix besluit: <http://data.vlaanderen.be/ns/besluit#> .
@prefix mandaat: <http://data.vlaanderen.be/ns/mandaat#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://x/raad> a besluit:Bestuursorgaan ; skos:prefLabel "Raad" ; org:hasPost <http://x/m1>, <http://x/m2> .
<http://x/mandataris/1> a mandaat:Mandataris ; org:holds <http://x/m1> ; foaf:name "An" ;
  mandaat:start "2025-01-02T00:00:00Z"^^xsd:dateTime ; mandaat:einde "2026-03-31"^^xsd:date .
<http://x/mandataris/2> a mandaat:Mandataris ; org:holds <http://x/m2> ; foaf:name "Bert" ; mandaat:start "kapot" .
""", encoding="utf-8")
    import_mandates(appliance, path)
    people = _people(appliance, "http://x/raad")
    assert (people["http://x/mandataris/1"].start_date, people["http://x/mandataris/1"].end_date) == \
        ("2025-01-02", "2026-03-31")
    assert (people["http://x/mandataris/2"].start_date, people["http://x/mandataris/2"].end_date) == ("", "")
    assert current_names(appliance, "http://x/raad", "2026-04-01") == ["Bert"]
