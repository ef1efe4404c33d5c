"""The governance admin pages: rules with the over-broad confirmation, holds, dry run and apply; a
subject search, export and erasure through the forms; staff are refused."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from appliance import governance
from appliance.audit import verify_chain
from appliance.db.engine import write_session
from appliance.db.tables import Document
from tests import governance_support as g
from tests.integration.web_support import build_world, csrf, sign_in


def _admin(world):
    client = world.client()
    assert sign_in(client, "admin").status_code in (302, 303)
    return client


def test_retention_page_rules_holds_and_confirmation(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    client = _admin(world)
    page = client.get("/admin/retention")
    assert page.status_code == 200 and "<h1>" in page.text
    with write_session(appliance.db) as s:  # bouw's one document is ten days old
        doc = s.get(Document, world.docs["bouw"])
        doc.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
        s.add(doc)
    form = {"_csrf_token": csrf(client), "target": "documents", "scope": "bouw", "days": "1", "action": "delete"}
    refused = client.post("/admin/retention/rules", data=form)
    assert refused.status_code == 409 and 'role="alert"' in refused.text and " 1 " in refused.text  # the count
    assert governance.list_rules(appliance) == []
    done = client.post("/admin/retention/rules", data={**form, "confirm": "on"}, follow_redirects=False)
    assert done.status_code == 303 and len(governance.list_rules(appliance)) == 1
    hold = client.post("/admin/retention/holds", data={"_csrf_token": csrf(client), "kind": "document",
                                                       "ref": str(world.docs["bouw"]), "reason": "<b>zaak</b>"},
                       follow_redirects=False)
    assert hold.status_code == 303
    page = client.get("/admin/retention")
    assert "&lt;b&gt;zaak&lt;/b&gt;" in page.text and "<b>zaak" not in page.text  # escaped
    applied = client.post("/admin/retention/apply", data={"_csrf_token": csrf(client)})
    assert applied.status_code == 200 and governance.active_holds(appliance)
    assert "Laatste run:" in applied.text and "De regels zijn nog niet toegepast" in page.text
    assert world.docs["bouw"] in _doc_ids(appliance)  # held: kept


def _doc_ids(app):
    from sqlmodel import select

    from appliance.db.engine import read_session
    from appliance.db.tables import Document
    with read_session(app.db) as s:
        return [d.id for d in s.exec(select(Document)).all()]


def test_subject_page_search_export_erase(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    mail = g.triage_item(appliance, "Vraag", "Groeten, Mieke Dierckx")
    asked = g.answer(appliance, "Wat kreeg Mieke Dierckx?")
    client = _admin(world)
    assert client.get("/admin/subject?name=Mieke").status_code == 200
    one = client.post("/admin/subject", data={"_csrf_token": csrf(client), "name": "M"})
    assert one.status_code == 400 and 'role="alert"' in one.text
    found = client.post("/admin/subject", data={"_csrf_token": csrf(client), "name": "Mieke Dierckx"})
    assert found.status_code == 200 and f"triage:{mail}" in found.text and f"answer:{asked}" in found.text
    refs = [f"triage:{mail}", f"answer:{asked}"]
    export = client.post("/admin/subject/export", data={"_csrf_token": csrf(client), "name": "Mieke Dierckx",
                                                        "item": refs})
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(export.content)).namelist()) == 3  # index + two items
    erased = client.post("/admin/subject/erase", data={"_csrf_token": csrf(client), "name": "Mieke Dierckx",
                                                       "item": refs, "action": "delete", "reason": "verzoek 7"})
    assert erased.status_code == 200 and f"triage:{mail}" not in erased.text
    assert verify_chain(appliance) == (True, None)
    # The trail pages show the erased record and the erasure record that names it.
    trail = client.get("/admin/audit?kind=erasure")
    assert trail.status_code == 200 and "Dierckx" not in trail.text
    for rid in (asked, asked + 1):
        page = client.get(f"/admin/audit/{rid}")
        assert page.status_code == 200 and "Dierckx" not in page.text


def test_staff_are_refused(appliance, tmp_path):
    world = build_world(appliance, tmp_path)
    client = world.client()
    sign_in(client, "anna")
    assert client.get("/admin/retention").status_code == 403
    assert client.get("/admin/subject").status_code == 403
    assert client.post("/admin/subject", data={"_csrf_token": csrf(client), "name": "Mieke Dierckx"}).status_code == 403
