"""Issue 19, access findings 5-7 and stale answers: each test replays the reviewer's attack.

5. a ticket's handlers read only what they may read (route and read time);
6. ingest jobs and failed files follow the collections an archivist may read;
7. recordings (list, transcript, audio, minutes) follow their collection;
10. an old answer is hidden once its asker lost access to its sources.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.ask import records as answer_records
from appliance.ask import routes, tickets
from appliance.ask.answering import answer
from appliance.db.engine import write_session
from appliance.db.tables import Minutes, Recording, TranscriptSegment
from appliance.errors import NotFound
from appliance.i18n import t
from appliance.recordings import store as recordings
from tests.integration.test_tickets import BOTH_Q, SPORTHAL_Q, principal, set_route
from tests.integration.web_support import PW, bearer, build_world, csrf


@pytest.fixture
def world(appliance, tmp_path):  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    # olga handles bouw's tickets and reads bouw; wout handles welzijn's; wanda archives welzijn.
    accounts.create_user(appliance, "olga", PW, role="staff", groups=["omgevingsdienst"])
    accounts.create_user(appliance, "wanda", PW, role="archivist", groups=["welzijngroep"])
    for user in ("olga", "wanda"):
        w.tokens[user] = api_tokens.create_token(appliance, user, "tests")
    accounts.set_collection_groups(appliance, "bouw", ["bouwgroep", "omgevingsdienst"])
    set_route(appliance, "bouw", "Dienst Omgeving", group="omgevingsdienst")
    set_route(appliance, "welzijn", "Sociale dienst", group="welzijngroep")
    return w



def share_welzijn(app, *extra: str) -> None:  # type: ignore[no-untyped-def]
    """Anna (bouwgroep) reads welzijn too, as do the `extra` groups."""
    accounts.set_collection_groups(app, "welzijn", ["welzijngroep", "bouwgroep", *extra])


def both_answer(world):  # type: ignore[no-untyped-def]
    share_welzijn(world.app)
    ans = answer(world.app, principal(world.app, "anna"), BOTH_Q)
    assert {s.document_id for s in ans.sources} == {world.docs["bouw"], world.docs["welzijn"]}
    assert "Vertrouwelijk" in ans.text  # the extractive answer quotes the welzijn passage
    return ans


# --- 5. tickets ------------------------------------------------------------------------------------


def test_a_ticket_goes_to_no_handler_group_that_cannot_read_its_sources(world, signed_in):  # type: ignore[no-untyped-def]
    app = world.app
    ans = both_answer(world)
    t = tickets.forward(app, principal(app, "anna"), ans.audit_id)
    # Neither route's handlers read both collections: an administrator handles it.
    assert t.collection == "" and tickets.get_ticket(app, principal(app, "admin"), t.id or 0).may_handle
    for handler in ("olga", "wout"):
        c = signed_in(handler)
        assert c.get(f"/tickets/{t.id}").status_code == 404
        assert f"/tickets/{t.id}" not in c.get("/tickets").text


def test_a_handler_reads_only_the_sources_and_answer_they_may_read(world, signed_in):  # type: ignore[no-untyped-def]
    app = world.app
    ans = both_answer(world)
    share_welzijn(app, "omgevingsdienst")
    t = tickets.forward(app, principal(app, "anna"), ans.audit_id)
    assert t.collection == "bouw"  # its handlers read both collections when it is forwarded
    share_welzijn(app)  # then olga's group loses welzijn
    olga = signed_in("olga")
    page = olga.get(f"/tickets/{t.id}").text
    assert "Sporthal Vaartstraat" in page and 'name="reply"' in page
    # The question is the asker's own text; the welzijn passage and document stay out.
    assert "Vertrouwelijk" not in page and f"/documents/{world.docs['welzijn']}" not in page
    assert "Het antwoord is verborgen" in page
    with world.client() as api:
        body = api.get(f"/api/v1/tickets/{t.id}", headers=bearer(world, "olga")).json()
        assert body["answer"] == "" and [s["document_id"] for s in body["sources"]] == [world.docs["bouw"]]
        listed = api.get("/api/v1/tickets", headers=bearer(world, "olga")).json()
        assert "Vertrouwelijk" not in str(listed)
        mine = api.get(f"/api/v1/tickets/{t.id}", headers=bearer(world, "anna")).json()
        assert "Vertrouwelijk" in mine["answer"] and len(mine["sources"]) == 2  # the asker still reads both


def test_the_route_mailbox_gets_only_what_the_handlers_may_read(world):  # type: ignore[no-untyped-def]
    from tests.integration.test_tickets import outbox

    app = world.app
    set_route(app, "bouw", "Dienst Omgeving", "omgeving@belveld.invalid", group="omgevingsdienst")
    ans = answer(app, principal(app, "anna"), SPORTHAL_Q)
    t = tickets.forward(app, principal(app, "anna"), ans.audit_id)
    [mail] = [m for m in outbox(app) if m.ref == f"ticket:{t.id}"]
    assert ans.text in mail.body and "Sporthal Vaartstraat, p. 2" in mail.body
    routes.set_route(app, "welzijn", mailbox="sociaal@belveld.invalid", handler_groups=[])  # admins handle it
    w = answer(app, principal(app, "wout"), "Wacht de kinderopvang Zonnebloem op advies?")
    wt = tickets.forward(app, principal(app, "wout"), w.audit_id)
    [wmail] = [m for m in outbox(app) if m.ref == f"ticket:{wt.id}"]
    assert wt.collection == "welzijn" and "Zonnebloem op advies" in wmail.body  # the question stays
    assert "kinderopvang, p." not in wmail.body and w.text not in wmail.body


# --- 6. ingest jobs and failed files ------------------------------------------------------------------


def test_jobs_and_failed_files_follow_the_collections(world, signed_in):  # type: ignore[no-untyped-def]
    name = "ontslagdossier-jansens.pdf"
    with world.client() as api:
        r = api.post("/api/v1/documents", data={"collection": "welzijn"},
                     files={"file": (name, b"%PDF-1.4 kapot", "application/pdf")}, headers=bearer(world, "admin"))
        assert r.status_code == 202, r.text
        [failed] = [f for f in api.get("/api/v1/failed", headers=bearer(world, "admin")).json()
                    if f["original_name"] == name]
        assert name in str(api.get("/api/v1/jobs", headers=bearer(world, "admin")).json())
        archie = bearer(world, "archie")  # an archivist of bouw only
        assert name not in str(api.get("/api/v1/jobs", headers=archie).json())
        assert name not in str(api.get("/api/v1/failed", headers=archie).json())
        r = api.post(f"/api/v1/failed/{failed['id']}/retry", headers=archie)
        assert r.status_code == 404 and r.json()["error"]["code"] == "failed.not_found"
        wanda = bearer(world, "wanda")  # an archivist of welzijn sees and retries it
        assert name in str(api.get("/api/v1/jobs", headers=wanda).json())
        assert [f["id"] for f in api.get("/api/v1/failed", headers=wanda).json()] == [failed["id"]]
        assert api.post(f"/api/v1/failed/{failed['id']}/retry", headers=wanda).status_code == 201
    web = signed_in("archie")
    page = web.get("/ingest")
    assert page.status_code == 200 and "ontslagdossier" not in page.text
    r = web.post(f"/ingest/failed/{failed['id']}/retry", data={"_csrf_token": csrf(web)})
    assert r.status_code == 404
    assert "ontslagdossier" in signed_in("wanda").get("/ingest").text


# --- 7. recordings ------------------------------------------------------------------------------------


def _recording(world, tmp_path: Path, name: str, *, collection: str | None, by: str) -> int:  # type: ignore[no-untyped-def]
    from appliance.documents.steps import collection_row

    audio = tmp_path / f"{name}.wav"
    audio.write_bytes(b"RIFF" + bytes(60))
    coll = collection_row(world.app, collection) if collection else None
    with write_session(world.app.db) as s:
        rec = Recording(sha256=name.encode().hex().ljust(64, "0")[:64], source_name=f"{name}.wav",
                        source_path=str(audio), duration=30.0, n_chunks=1, chunks_done=1, state="done",
                        uploaded_by=by, collection_id=coll.id if coll else None)
        s.add(rec)
        s.flush()
        s.add(TranscriptSegment(recording_id=rec.id, start=0.0, end=5.0, text=f"Vertrouwelijk {name}"))
        s.add(Minutes(recording_id=rec.id, title=f"Notulen {name}", state="draft"))
        assert rec.id is not None
        return rec.id


def test_recordings_follow_their_collection(world, signed_in, tmp_path):  # type: ignore[no-untyped-def]
    hr = _recording(world, tmp_path, "tuchtraad", collection="welzijn", by="wout")
    private = _recording(world, tmp_path, "eigen", collection=None, by="anna")
    archie = signed_in("archie")  # archivist of bouw: neither recording is his
    assert "tuchtraad" not in archie.get("/recordings").text
    for url in (f"/recordings/{hr}", f"/recordings/{hr}/audio", f"/recordings/{hr}/progress",
                f"/recordings/{private}", f"/recordings/{private}/audio"):
        assert archie.get(url).status_code == 404, url
    assert "Notulen tuchtraad" not in archie.get("/minutes").text
    with world.client() as api:
        assert api.get("/api/v1/recordings", headers=bearer(world, "archie")).json() == []
        assert api.get(f"/api/v1/recordings/{hr}", headers=bearer(world, "archie")).status_code == 404
        assert [r["id"] for r in api.get("/api/v1/recordings", headers=bearer(world, "wanda")).json()] == [hr]
    wanda = signed_in("wanda")  # archivist of welzijn: the collection's recording, transcript, audio, minutes
    assert "Vertrouwelijk tuchtraad" in wanda.get(f"/recordings/{hr}").text
    assert wanda.get(f"/recordings/{hr}/audio").status_code == 200
    assert "Notulen tuchtraad" in wanda.get("/minutes").text
    assert wanda.get(f"/recordings/{private}").status_code == 404  # anna's own, filed nowhere
    assert signed_in("anna").get(f"/recordings/{private}").status_code == 200
    with pytest.raises(NotFound):  # an upload cannot be filed under a collection its uploader cannot read
        recordings.upload_collection(world.app, principal(world.app, "wout"), "bouw")


# --- 10. stale answers ----------------------------------------------------------------------------------


def test_an_old_answer_is_hidden_once_its_sources_are_not_readable(world, signed_in):  # type: ignore[no-untyped-def]
    app = world.app
    ans = both_answer(world)
    anna = principal(app, "anna")
    assert answer_records.load_answer(app, anna, ans.audit_id)[1].text == ans.text
    accounts.set_collection_groups(app, "welzijn", ["welzijngroep"])  # anna loses welzijn
    anna = principal(app, "anna")
    _, stored = answer_records.load_answer(app, anna, ans.audit_id)
    assert "Vertrouwelijk" not in stored.text and stored.text == t("nl", "answer.withheld")
    assert [s.document_id for s in stored.sources] == [world.docs["bouw"]]
    [turn] = answer_records.conversation(app, anna, [ans.audit_id])
    assert "Vertrouwelijk" not in turn.answer  # nor does it go back to the LLM as history
    admin = principal(app, "admin")
    assert answer_records.load_answer(app, admin, ans.audit_id)[1].text == ans.text
