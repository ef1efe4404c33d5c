"""POST /api/v1/intake through the real app: a web form becomes a triage item, once."""

from __future__ import annotations

from pathlib import Path

from litestar.testing import TestClient
from sqlmodel import select

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem
from appliance.jobs import queue_for
from appliance.triage.store import import_taxonomy
from tests.conftest import REPO


def client_and_token(appliance: Appliance) -> tuple[TestClient, str]:
    from ops.webapp import create_app

    import_taxonomy(appliance.settings, REPO / "docs" / "examples" / "taxonomy-gemeente.yaml")
    accounts.create_user(appliance, "website", "een lang wachtwoord", role="staff")
    token = api_tokens.create_token(appliance, "website", "e-loket")
    queue_for(appliance, immediate=True)  # the web app's jobs run where they are queued
    return TestClient(create_app(appliance)), token


def test_form_is_received_once_and_classified(appliance: Appliance, tmp_path: Path) -> None:
    client, token = client_and_token(appliance)
    headers = {"Authorization": f"Bearer {token}"}
    form = {"text": "Er ligt zwerfvuil en een sluikstort naast de glasbol.", "subject": "Melding afval",
            "sender": "burger@example.be", "fields": {"adres": "Kerkstraat 1"}, "external_id": "web-77"}
    with client as c:
        r = c.post("/api/v1/intake", json=form, headers=headers)
        assert r.status_code == 201, r.text
        first = r.json()
        assert first["state"] in ("queued", "routed") and first["duplicate"] is False
        again = c.post("/api/v1/intake", json=form, headers=headers).json()
        assert again["id"] == first["id"] and again["duplicate"] is True
        assert c.post("/api/v1/intake", json=form).status_code == 401
        bad = c.post("/api/v1/intake", json={"text": "x", "sender": "geen adres"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "intake.invalid_sender"
        empty = c.post("/api/v1/intake", json={"text": "  "}, headers=headers)
        assert empty.json()["error"]["code"] == "intake.empty"
        big = c.post("/api/v1/intake", json={"text": "x" * 300_000}, headers=headers)
        assert big.status_code == 413 and big.json()["error"]["code"] == "intake.too_large"
    with read_session(appliance.db) as s:
        (item,) = s.exec(select(TriageItem)).all()
    assert item.source == "api" and item.external_id == "web-77" and "Kerkstraat 1" in item.text
    assert item.suggested and item.model_version.startswith("zs-")
    assert Path(item.original_path).suffix == ".json"
