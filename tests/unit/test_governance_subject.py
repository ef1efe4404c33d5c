"""Data-subject requests without OCR: pseudonym maps, anonymised documents, duties and holds that refuse."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from appliance import governance
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, Collection
from appliance.errors import BelfortError
from appliance.privacy import pseudonym_maps, pseudonymise_pages
from ingest.types import Page
from tests import governance_support as g


def test_a_pseudonym_map_is_found_and_the_way_back_erased(appliance, tmp_path):
    g.document(appliance, tmp_path, "x", "Iets anders.")
    with read_session(appliance.db) as s:
        coll = s.exec(select(Collection)).one()
    [page] = pseudonymise_pages(appliance, int(coll.id or 0),
                                [Page(1, "Aanvraag van mevrouw Mieke Dierckx, e-mail mieke.dierckx@example.be.")])
    assert "Dierckx" not in page.text
    found = governance.search_subject(appliance, "dpo", "Mieke Dierckx", email="mieke.dierckx@example.be")
    [hit] = [f for f in found if f.item.kind == "pseudonym_map"]
    assert set(hit.matched) == {"person", "email_address"} and len(hit.keys) == 2
    result = governance.erase(appliance, "dpo", "Mieke Dierckx", [hit.item.ref], action="delete",
                              reason="verzoek 9", email="mieke.dierckx@example.be")
    assert result == {"done": [hit.item.ref], "refused": []}
    [(_, _, mapping)] = pseudonym_maps(appliance)
    assert not any("dierckx" in k for k in mapping)


def test_anonymising_a_document_removes_the_person_from_its_text_and_original(appliance, tmp_path):
    doc = g.document(appliance, tmp_path, "brief", "Brief aan Mieke Dierckx over haar parkeerkaart in de Kerkstraat.")
    [found] = governance.search_subject(appliance, "dpo", "DIERCKX, Mieke")  # another spelling of the name
    assert found.item.ref == f"document:{doc}" and found.matched == ["name"]
    governance.erase(appliance, "dpo", "Mieke Dierckx", [found.item.ref], action="anonymise", reason="verzoek 3")
    with read_session(appliance.db) as s:
        texts = [c.text for c in s.exec(select(Chunk).where(Chunk.document_id == doc)).all()]
    assert texts and not any("Dierckx" in t for t in texts) and any("parkeerkaart" in t for t in texts)
    assert not list((appliance.settings.data_dir / "originals").rglob("*.txt"))
    assert governance.search_subject(appliance, "dpo", "Mieke Dierckx") == []


def test_a_duty_to_keep_and_a_person_hold_refuse_erasure(appliance, tmp_path):
    doc = g.document(appliance, tmp_path, "besluit", "Besluit over de aanvraag van Mieke Dierckx.")
    ticket = g.ticket(appliance, "Wat met de aanvraag van Mieke Dierckx?")
    governance.save_rule(appliance, "admin", {"target": "documents", "days": "3650", "duty": "on"})
    governance.place_hold(appliance, "admin", "person", "Mieke Dierckx", reason="rechtszaak")
    result = governance.erase(appliance, "dpo", "Mieke Dierckx", [f"document:{doc}", f"ticket:{ticket}", "ticket:999"],
                              action="delete", reason="verzoek")
    assert result["done"] == []
    assert {r["ref"]: r["why"] for r in result["refused"]} == {
        f"document:{doc}": "hold", f"ticket:{ticket}": "hold", "ticket:999": "not_found"}
    hold = governance.active_holds(appliance)[0]
    governance.release_hold(appliance, "admin", int(hold.id or 0))
    result = governance.erase(appliance, "dpo", "Mieke Dierckx", [f"document:{doc}", f"ticket:{ticket}"],
                              action="delete", reason="verzoek")
    assert result["done"] == [f"ticket:{ticket}"]
    assert [(r["ref"], r["why"]) for r in result["refused"]] == [(f"document:{doc}", "duty")]
    with pytest.raises(BelfortError) as err:
        governance.erase(appliance, "dpo", "Mieke Dierckx", [f"document:{doc}"], action="delete", reason=" ")
    assert err.value.code == "subject.reason"
    events = json.dumps([e for e in _details(appliance)])
    assert "Dierckx" not in events  # the log of actions holds no name


def _details(app):
    from appliance.db.tables import AuditEvent

    with read_session(app.db) as s:
        return [e.detail for e in s.exec(select(AuditEvent)).all()]


def test_a_collection_hold_covers_its_pseudonym_map(appliance, tmp_path):
    g.document(appliance, tmp_path, "x", "Iets anders.")
    with read_session(appliance.db) as s:
        coll = s.exec(select(Collection)).one()
    pseudonymise_pages(appliance, int(coll.id or 0), [Page(1, "Aanvraag van mevrouw Mieke Dierckx.")])
    governance.place_hold(appliance, "admin", "collection", coll.name, reason="audit")
    [hit] = [f for f in governance.search_subject(appliance, "dpo", "Mieke Dierckx") if f.item.kind == "pseudonym_map"]
    assert hit.hold == 1 and not hit.as_dict()["erasable"]


def test_minutes_name_the_person_and_are_anonymised(appliance):
    from appliance.db.engine import write_session
    from appliance.db.tables import Minutes, MinutesItem

    with write_session(appliance.db) as s:
        m = Minutes(title="Gemeenteraad", attendees=["Mieke Dierckx", "Jan Peeters"], state="approved")
        s.add(m)
        s.flush()
        s.add(MinutesItem(minutes_id=m.id, kind="action", text="Antwoord bezorgen", owner="Mieke Dierckx"))
        mid = int(m.id or 0)
    [hit] = governance.search_subject(appliance, "dpo", "Mieke Dierckx")
    assert hit.item.ref == f"minutes:{mid}"
    governance.erase(appliance, "dpo", "Mieke Dierckx", [hit.item.ref], action="anonymise", reason="verzoek")
    with read_session(appliance.db) as s:
        m2 = s.get(Minutes, mid)
        item = s.exec(select(MinutesItem)).one()
    assert m2 is not None and "Mieke Dierckx" not in m2.attendees and "Jan Peeters" in m2.attendees
    assert item.owner == "[Persoon]" and item.text == "Antwoord bezorgen"
