"""A collection set to pseudonymise indexes only pseudonymised text; the mapping is encrypted and only
an admin can reverse it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.access.principals import SYSTEM, Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Chunk, Collection, PseudonymMap
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.errors import Forbidden
from appliance.jobs import queue_for, use_appliance
from appliance.privacy.pseudonyms import SETTING, reveal
from appliance.search.query import search
from tests.filefactory import make_text
from tests.integration.web_support import PW, bearer, build_world

NN = "85.07.30-033.28"
IBAN = "BE68 5390 0754 7034"


def test_only_pseudonymised_text_is_indexed(appliance, tmp_path: Path) -> None:
    coll = ensure_collection(appliance, "sociaal", groups=("ocmw",))
    with write_session(appliance.db) as s:
        row = s.get(Collection, coll.id)
        row.settings_json = {SETTING: True}
        s.add(row)
    make_text(tmp_path / "a.txt", f"Dossier van mevrouw Hilde Vermeersch, rijksregisternummer {NN}, rekening {IBAN}.")
    make_text(tmp_path / "b.txt", f"Opvolging: mevrouw Hilde Vermeersch belde over rekening {IBAN}.")
    assert ingest_file(appliance, tmp_path / "a.txt", "sociaal").state == "ingested"
    assert ingest_file(appliance, tmp_path / "b.txt", "sociaal").state == "ingested"

    with read_session(appliance.db) as s:
        texts = " ".join(c.text for c in s.exec(select(Chunk)).all())
        cipher = s.exec(select(PseudonymMap)).one().ciphertext
    for secret in ("Vermeersch", NN, IBAN):
        assert secret not in texts
        assert secret.encode() not in cipher  # encrypted at rest
    assert "Persoon 1" in texts and "Rijksregisternummer 1" in texts
    assert texts.count("Rekeningnummer 1") >= 2 and "Rekeningnummer 2" not in texts  # one pseudonym across documents
    assert search(appliance, SYSTEM, "Vermeersch", mode="keyword").hits == []

    staff = Principal(user_id=9, username="sam", role="staff")
    with pytest.raises(Forbidden):
        reveal(appliance, staff, coll.id)
    mapping = reveal(appliance, SYSTEM, coll.id)
    assert any("vermeersch" in original for original in mapping.values())


# --- file names (re-review C): the drop-folder name names the citizen ------------------------------

LEEFLOON = f"leefloon-Marieke-Vandenbroucke-{NN}.txt"
BROKEN = f"weigering-Marieke-Vandenbroucke-{NN}.pdf"
NAME_SECRETS = ("Vandenbroucke", "Marieke", NN, "85 07 30", "033.28")


@pytest.fixture
def world(appliance, tmp_path):  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    accounts.create_user(appliance, "wanda", PW, role="archivist", groups=["welzijngroep"])  # not an admin
    w.tokens["wanda"] = api_tokens.create_token(appliance, "wanda", "tests")
    with write_session(appliance.db) as s:
        row = s.exec(select(Collection).where(Collection.name == "welzijn")).one()
        row.settings_json = {SETTING: True}
        s.add(row)
    return w


def _leaks(text: str) -> list[str]:
    return [secret for secret in NAME_SECRETS if secret in text]


def test_a_file_name_in_a_pseudonymised_collection_is_shown_pseudonymised(world, signed_in) -> None:  # type: ignore[no-untyped-def]
    from appliance.jobs.watch import queueing_watcher

    app = world.app
    huey = queue_for(app.settings, immediate=True)
    use_appliance(app)
    folder = app.layout.inbox / "welzijn"
    folder.mkdir(parents=True)
    make_text(folder / LEEFLOON, f"Aanvraag leefloon van Marieke Vandenbroucke, rijksregisternummer {NN}.")
    (folder / BROKEN).write_bytes(b"%PDF-1.4 kapot")
    assert len(queueing_watcher(app, huey).scan_once()) == 2
    make_text(folder / LEEFLOON, f"Aanvraag leefloon van Marieke Vandenbroucke, rijksregisternummer {NN}.")
    queueing_watcher(app, huey).scan_once()  # dropped again: a duplicate, under the same shown name
    with world.client() as api:
        r = api.post("/api/v1/documents", data={"collection": "welzijn"}, headers=bearer(world, "admin"),
                     files={"file": (f"bezwaar-Marieke-Vandenbroucke-{NN}.pdf", b"%PDF-1.4 kapot", "application/pdf")})
        assert r.status_code == 202, r.text
        wanda = bearer(world, "wanda")
        jobs = api.get("/api/v1/jobs", headers=wanda).json()
        failed = api.get("/api/v1/failed", headers=wanda).json()
        assert sorted(j["state"] for j in jobs) == ["done", "duplicate", "failed", "failed"]
        assert len(failed) == 2 and {f["code"] for f in failed} == {"ingest.corrupt"}
        assert _leaks(str(jobs)) == [] and _leaks(str(failed)) == []
        assert sum("leefloon Persoon" in j["target"] for j in jobs) == 2  # the same name twice
        assert any(f["original_name"].startswith("weigering Persoon") for f in failed)
        assert _leaks(str(api.get("/api/v1/documents", headers=wanda).json())) == []
        # IT recovers the file as it was dropped: under failed/, with its own name and a reason beside it.
        assert (app.layout.failed / "welzijn" / BROKEN).is_file()
        retry = api.post(f"/api/v1/failed/{failed[-1]['id']}/retry", headers=wanda)
        assert retry.status_code == 201 and retry.json()["code"] == "ingest.corrupt"
        assert _leaks(str(api.get("/api/v1/failed", headers=wanda).json())) == []
    waiting = folder / f"aanvraag-Marieke-Vandenbroucke-{NN}.txt"
    make_text(waiting, "Nog te verwerken.")
    assert len(queueing_watcher(app, queue_for(app.settings, immediate=False)).scan_once()) == 1  # queued for a worker
    page = signed_in("wanda").get("/ingest")
    assert page.status_code == 200 and "leefloon Persoon" in page.text and _leaks(page.text) == []
    assert "(naam volgt na pseudonimisering)" in page.text  # queued: no name before the worker's
    with read_session(app.db) as s:
        assert _leaks(" ".join(f"{e.target} {e.detail}" for e in s.exec(select(AuditEvent)).all())) == []


def test_a_file_name_the_tagger_cannot_read_is_hidden(appliance) -> None:  # type: ignore[no-untyped-def]
    from appliance.privacy.pseudonyms import shown_name
    from models.base import ModelError

    class Down:
        name = "down"

        def tag(self, text: str, *, deadline: float | None = None) -> list:  # type: ignore[type-arg]
            raise ModelError("ner.timeout", "name tagging ran out of time")

    coll = ensure_collection(appliance, "sociaal", groups=("ocmw",))
    assert shown_name(appliance, coll.id, LEEFLOON) == LEEFLOON  # not pseudonymised: shown as it is
    with write_session(appliance.db) as s:
        row = s.get(Collection, coll.id)
        row.settings_json = {SETTING: True}
        s.add(row)
    appliance.engines.set("ner", Down())  # the engine seam
    assert shown_name(appliance, coll.id, LEEFLOON) == "***.txt"


def test_two_names_pseudonymised_at_once_never_share_a_pseudonym(appliance) -> None:  # type: ignore[no-untyped-def]
    """The worker runs two threads: two files of one collection are named at the same moment. Each
    person must keep a pseudonym of their own, and neither entry may be lost from the mapping."""
    import threading

    from appliance.access.principals import SYSTEM
    from appliance.privacy.pseudonyms import pseudonymise_name, reveal
    from models.fakes import FakeNerTagger

    both_tagging = threading.Barrier(2, timeout=10)

    class Meeting(FakeNerTagger):
        def tag(self, text: str, *, deadline: float | None = None) -> list:  # type: ignore[type-arg]
            both_tagging.wait()  # both threads are past reading the mapping before either saves it
            return super().tag(text, deadline=deadline)

    coll = ensure_collection(appliance, "sociaal", groups=("ocmw",))
    with write_session(appliance.db) as s:
        row = s.get(Collection, coll.id)
        row.settings_json = {SETTING: True}
        s.add(row)
    appliance.engines.set("ner", Meeting({"Hilde Vermeersch": "PER", "Jozef Claes": "PER"}))
    names: dict[str, str] = {}
    threads = [threading.Thread(target=lambda n=n: names.__setitem__(n, pseudonymise_name(appliance, coll.id, n)))
               for n in ("ontslag-Hilde-Vermeersch.txt", "leefloon-Jozef-Claes.txt")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    shown = sorted(names.values())
    assert shown == ["leefloon Persoon 1.txt", "ontslag Persoon 2.txt"] or \
        shown == ["leefloon Persoon 2.txt", "ontslag Persoon 1.txt"]
    mapping = reveal(appliance, SYSTEM, coll.id)  # pseudonym -> original
    assert sorted(mapping.values()) == ["PERSON:hilde vermeersch", "PERSON:jozef claes"]
