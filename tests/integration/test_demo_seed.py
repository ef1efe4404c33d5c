"""The demo municipality seeds through the real ingest path, idempotently, with HR kept private."""

from __future__ import annotations

from sqlmodel import func, select

from appliance.db.engine import read_session
from appliance.db.tables import Document, User
from appliance.services.access import principal_for
from appliance.services.search import search
from ops.demo.seed import seed_demo


def _principal(app, username: str):
    with read_session(app.db) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return principal_for(s, user)


def test_demo_seeds_once_and_respects_groups(appliance) -> None:
    env = {"BELFORT_DEMO_PASSWORD": "demo-wachtwoord-123"}
    first = seed_demo(appliance, log=lambda m: None, environ=env)
    assert first.failures == [] and first.states["ingested"] >= 12
    assert set(first.users_created) == {"demo", "archivaris", "personeelsdienst", "admin"}
    with read_session(appliance.db) as s:
        kinds = set(s.exec(select(Document.kind)).all())
    assert {"pdf", "docx", "html"} <= kinds

    again = seed_demo(appliance, log=lambda m: None, environ=env)
    assert again.users_created == [] and set(again.states) == {"duplicate"}
    with read_session(appliance.db) as s:
        assert s.exec(select(func.count()).select_from(Document)).one() == sum(first.states.values())

    demo, hr = _principal(appliance, "demo"), _principal(appliance, "personeelsdienst")
    assert all(h.collection != "personeel" for h in search(appliance, demo, "telewerk vergoeding").hits)
    assert any(h.collection == "personeel" for h in search(appliance, hr, "telewerk").hits)
    hits = search(appliance, demo, "paspoort prijs").hits
    assert hits and hits[0].collection == "publiek"


def test_generated_password_is_kept_for_later_starts(appliance) -> None:
    from ops.demo.seed import demo_password

    first, new = demo_password(appliance, environ={})
    again, new_again = demo_password(appliance, environ={})
    assert new and not new_again and first == again and len(first) >= 10
