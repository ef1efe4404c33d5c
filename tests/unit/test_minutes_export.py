"""Minutes exports: every format holds only accepted items, says whether it is an unapproved AI
draft, and reads back with the format's own library (python-docx, odfpy, icalendar, pyld)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from pyld import jsonld  # imported at collection: urllib3's import-time IPv6 probe is no network use

from appliance.access.principals import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Minutes, MinutesItem
from appliance.errors import BelfortError, NotFound
from appliance.minutes.export.formats import export_minutes, file_stem
from tests.minutes_support import HOSTILE, make_minutes

BESLUIT = "http://data.vlaanderen.be/ns/besluit#"
STAFF = Principal(user_id=5, username="anna", role="staff")


def test_markdown_has_only_accepted_items_and_the_draft_label(appliance):
    ids = make_minutes(appliance)
    content, name, mime = export_minutes(appliance, ids["minutes"], "md", lang="nl")
    text = content.decode()
    assert mime.startswith("text/markdown")
    assert "AI-gegenereerd ontwerp, niet goedgekeurd" in text
    assert "De raad keurt de bouw van de sporthal goed." in text
    assert "14 voor, 3 tegen, 2 onthoudingen" in text
    assert "VERWORPEN" not in text and "VOORGESTELD" not in text
    # Hostile text cannot become a link or an HTML tag.
    assert "<script>" not in text and "](javascript" not in text and "\\<script\\>" in text
    assert name == file_stem_expected(ids["minutes"]) + ".md"


def file_stem_expected(mid: int) -> str:
    return f"minutes-{mid}-gemeenteraad-3-2026-etc-passwd"


def test_file_names_never_carry_path_characters(appliance):
    ids = make_minutes(appliance)
    with read_session(appliance.db) as s:
        m = s.get(Minutes, ids["minutes"])
    assert file_stem(m) == file_stem_expected(ids["minutes"])
    m.title = "../..\\/"
    assert file_stem(m) == f"minutes-{ids['minutes']}"


def test_approved_export_names_the_approver(appliance):
    ids = make_minutes(appliance, approved=True)
    text = export_minutes(appliance, ids["minutes"], "md", lang="en")[0].decode()
    assert "Approved by archie on 2026-03-09 10:30 UTC" in text
    assert "not approved" not in text


def test_csv_actions_are_defused_against_formulas(appliance):
    ids = make_minutes(appliance)
    content, name, _ = export_minutes(appliance, ids["minutes"], "actions.csv", lang="nl")
    assert name.endswith(".actions.csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [int(r["item_id"]) for r in rows] == [ids["action"], ids["action_minus"]]  # accepted actions only
    assert rows[0]["action"].startswith("'=HYPERLINK")
    assert rows[1]["action"] == "'-2+3 budget herzien" and rows[1]["owner"] == "'@An"
    assert rows[0]["deadline"] == "2026-04-15" and rows[0]["owner"] == "Bart Claes"
    assert all(r["status"] == "AI-gegenereerd ontwerp, niet goedgekeurd" for r in rows)
    for row in rows:
        assert not any(v and v[0] in "=+-@" for v in row.values())


def test_ics_has_one_vtodo_per_accepted_action_with_due_dates(appliance):
    from icalendar import Calendar

    ids = make_minutes(appliance, approved=True)
    content, _, mime = export_minutes(appliance, ids["minutes"], "actions.ics")
    assert mime.startswith("text/calendar")
    cal = Calendar.from_ical(content)
    todos = list(cal.walk("VTODO"))
    assert len(todos) == 2
    due = {str(t["summary"]): t.get("due") for t in todos}
    assert due["-2+3 budget herzien"] is None
    hostile = next(t for t in todos if str(t["summary"]).startswith("=HYPERLINK"))
    assert hostile["due"].dt == date(2026, 4, 15)
    assert "Goedgekeurd door archie" in str(hostile["description"])
    # Stable UIDs: exporting again gives the same tasks, so a calendar updates instead of duplicating.
    again = Calendar.from_ical(export_minutes(appliance, ids["minutes"], "actions.ics")[0])
    assert sorted(str(t["uid"]) for t in again.walk("VTODO")) == sorted(str(t["uid"]) for t in todos)


def test_besluit_jsonld_expands_to_the_oslo_types(appliance):
    ids = make_minutes(appliance)
    content, name, mime = export_minutes(appliance, ids["minutes"], "besluit.jsonld")
    assert mime == "application/ld+json" and name.endswith(".besluit.jsonld")
    doc = json.loads(content)

    def no_fetch(url, options=None):  # the context is inline: fetching anything is a bug
        raise AssertionError(f"remote context fetched: {url}")

    expanded = jsonld.expand(doc, {"documentLoader": no_fetch})
    by_type: dict[str, list[dict]] = {}
    for node in expanded:
        for t in node.get("@type", []):
            by_type.setdefault(t, []).append(node)
    for kind in ("Zitting", "Agendapunt", "BehandelingVanAgendapunt", "Stemming"):
        assert BESLUIT + kind in by_type, kind
    # An unapproved AI draft is never typed as a Besluit (a harvester would take it for a decision).
    assert BESLUIT + "Besluit" not in by_type
    (zitting,) = by_type[BESLUIT + "Zitting"]
    assert len(zitting[BESLUIT + "behandelt"]) == 2
    besluiten = by_type["http://www.w3.org/ns/prov#Entity"]
    assert len(besluiten) == 1  # the rejected decision is not published
    (besluit,) = besluiten
    assert besluit["http://data.europa.eu/eli/ontology#description"][0]["@value"].startswith("De raad keurt")
    assert besluit["http://data.europa.eu/eli/ontology#language"][0]["@id"].endswith("/NLD")
    (bvap,) = by_type[BESLUIT + "BehandelingVanAgendapunt"]
    assert bvap["http://www.w3.org/ns/prov#generated"][0]["@id"] == besluit["@id"]
    (stemming,) = by_type[BESLUIT + "Stemming"]
    assert stemming[BESLUIT + "aantalVoorstanders"][0]["@value"] == 14
    assert "niet goedgekeurd" in json.dumps(zitting)
    quads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetch})
    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    assert f"<{zitting['@id']}> {rdf_type} <{BESLUIT}Zitting> ." in quads
    assert f'<{BESLUIT}geplandeStart> "2026-03-02T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in quads
    # Ids are stable across exports and sit under the configured base.
    assert json.loads(export_minutes(appliance, ids["minutes"], "besluit.jsonld")[0]) == doc
    assert besluit["@id"] == f"urn:belfort:besluit:{ids['decision']}"
    assert "niet goedgekeurd" in json.dumps(besluit)


def test_besluit_jsonld_types_decisions_as_besluit_once_approved(appliance):
    ids = make_minutes(appliance, approved=True)
    doc = json.loads(export_minutes(appliance, ids["minutes"], "besluit.jsonld")[0])
    types = {n["@id"]: n["@type"] for n in doc["@graph"]}
    assert types[f"urn:belfort:besluit:{ids['decision']}"] == "Besluit"


def test_jsonld_ids_follow_an_http_base(tmp_path):
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path, minutes={"jsonld_base_uri": "https://data.belveld.be/id/"}),
                         embedder=FakeEmbedder())
    ids = make_minutes(app)
    doc = json.loads(export_minutes(app, ids["minutes"], "besluit.jsonld")[0])
    assert f"https://data.belveld.be/id/zitting/{ids['minutes']}" in {n["@id"] for n in doc["@graph"]}


def test_docx_reads_back_with_only_accepted_items(appliance):
    from docx import Document

    ids = make_minutes(appliance)
    content, name, _ = export_minutes(appliance, ids["minutes"], "docx", lang="nl")
    assert name.endswith(".docx")
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "AI-gegenereerd ontwerp, niet goedgekeurd" in text
    assert "De raad keurt de bouw van de sporthal goed." in text and "14 voor, 3 tegen" in text
    assert HOSTILE in text and HOSTILE in cells  # stored as text, not markup
    assert "VERWORPEN" not in text + "".join(cells) and "VOORGESTELD" not in text + "".join(cells)
    assert doc.core_properties.comments == "AI-gegenereerd ontwerp, niet goedgekeurd"


def test_odt_reads_back_with_only_accepted_items(appliance):
    from odf import teletype
    from odf.opendocument import load
    from odf.text import H, P

    ids = make_minutes(appliance, approved=True)
    content, name, mime = export_minutes(appliance, ids["minutes"], "odt", lang="fr")
    assert name.endswith(".odt") and mime == "application/vnd.oasis.opendocument.text"
    doc = load(io.BytesIO(content))
    text = "\n".join(teletype.extractText(e) for e in doc.getElementsByType(H) + doc.getElementsByType(P))
    assert "Approuvé par archie le 2026-03-09" in text
    assert "Décision: De raad keurt de bouw van de sporthal goed." in text
    assert HOSTILE in text
    assert "VERWORPEN" not in text and "VOORGESTELD" not in text


def test_docx_uses_the_municipal_template(tmp_path):
    from docx import Document

    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    template = Document()
    template.add_paragraph("GEMEENTE BELVELD - huisstijl")
    template.save(tmp_path / "huisstijl.docx")
    app = open_appliance(make_settings(tmp_path, minutes={"docx_template": str(tmp_path / "huisstijl.docx"),
                                                          "organisation": "Gemeente Belveld"}),
                         embedder=FakeEmbedder())
    ids = make_minutes(app)
    doc = Document(io.BytesIO(export_minutes(app, ids["minutes"], "docx")[0]))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "GEMEENTE BELVELD - huisstijl" and texts[1] == "Gemeente Belveld"


def test_control_characters_do_not_break_the_office_formats(appliance):
    from docx import Document

    ids = make_minutes(appliance)
    with write_session(appliance.db) as s:
        item = s.get(MinutesItem, ids["summary"])
        item.text = "bel\x07 en\x00 vorm\x1bfeed"
        s.add(item)
    doc = Document(io.BytesIO(export_minutes(appliance, ids["minutes"], "docx")[0]))
    assert any("bel en vormfeed" in p.text for p in doc.paragraphs)
    assert export_minutes(appliance, ids["minutes"], "odt")[0][:2] == b"PK"


def test_staff_cannot_export_a_draft_but_can_export_approved_minutes(appliance):
    draft = make_minutes(appliance)["minutes"]
    with pytest.raises(NotFound):
        export_minutes(appliance, draft, "md", who=STAFF)
    approved = make_minutes(appliance, approved=True)["minutes"]
    assert export_minutes(appliance, approved, "md", who=STAFF)[0]
    with read_session(appliance.db) as s:
        events = s.exec(__import__("sqlmodel").select(AuditEvent).where(AuditEvent.action == "minutes.exported")).all()
    assert [(e.actor, e.target) for e in events] == [("anna", f"minutes:{approved}")]


def test_unknown_format_is_refused(appliance):
    ids = make_minutes(appliance)
    with pytest.raises(BelfortError) as err:
        export_minutes(appliance, ids["minutes"], "../../etc/passwd")
    assert err.value.code == "minutes.bad_format"


def test_a_missing_template_is_a_doctor_warning_and_a_clear_export_error(tmp_path):
    from appliance.checks import check_minutes_templates
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path, minutes={"odt_template": str(tmp_path / "weg.odt")}),
                         embedder=FakeEmbedder())
    (check,) = check_minutes_templates(app)
    assert not check.ok and check.level == "warning" and "minutes.odt_template" in check.hint
    ids = make_minutes(app)
    with pytest.raises(BelfortError) as err:
        export_minutes(app, ids["minutes"], "odt")
    assert err.value.code == "minutes.template_missing"
    assert export_minutes(app, ids["minutes"], "docx")[0][:2] == b"PK"  # the other formats still work


def test_odt_uses_the_municipal_template(tmp_path):
    from odf import teletype
    from odf.opendocument import OpenDocumentText, load
    from odf.text import P

    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    template = OpenDocumentText()
    template.text.addElement(P(text="GEMEENTE BELVELD - huisstijl"))
    template.save(str(tmp_path / "huisstijl.odt"))
    app = open_appliance(make_settings(tmp_path, minutes={"odt_template": str(tmp_path / "huisstijl.odt")}),
                         embedder=FakeEmbedder())
    ids = make_minutes(app)
    doc = load(io.BytesIO(export_minutes(app, ids["minutes"], "odt")[0]))
    texts = [teletype.extractText(p) for p in doc.getElementsByType(P)]
    assert texts[0] == "GEMEENTE BELVELD - huisstijl"
    assert any("De raad keurt de bouw van de sporthal goed." in t for t in texts)
