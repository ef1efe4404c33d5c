"""A small world for web and API tests: two collections, users and tokens per group, real documents."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from appliance import documents
from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.context import Appliance
from appliance.jobs import queue_for
from tests.filefactory import make_pdf, make_text

PW = "een lang wachtwoord"
BOUW_PAGES = [
    "Inleiding over het stadhuis en de markt.",
    "De omgevingsvergunning voor de nieuwe sporthal aan de Vaartstraat werd door het college verleend.",
]
WELZIJN_TEXT = "Vertrouwelijk: de omgevingsvergunning voor de kinderopvang Zonnebloem wacht op advies."


@dataclass
class World:
    app: Appliance
    tmp: Path
    docs: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self) -> TestClient:
        from ops.webapp import create_app

        queue_for(self.app, immediate=True)  # the web app's jobs run where they are queued
        return TestClient(create_app(self.app))


def build_world(app: Appliance, tmp: Path) -> World:
    """bouw (group bouwgroep) and welzijn (welzijngroep); anna and archie read bouw, wout reads welzijn."""
    world = World(app, tmp)
    documents.ensure_collection(app, "bouw", "Bouwdossiers", ["bouwgroep"])
    documents.ensure_collection(app, "welzijn", "Welzijn", ["welzijngroep"])
    accounts.create_user(app, "anna", PW, role="staff", groups=["bouwgroep"])
    accounts.create_user(app, "wout", PW, role="staff", groups=["welzijngroep"])
    accounts.create_user(app, "archie", PW, role="archivist", groups=["bouwgroep"])
    accounts.create_user(app, "admin", PW, role="admin")
    for user in ("anna", "wout", "archie", "admin"):
        world.tokens[user] = api_tokens.create_token(app, user, "tests")
    pdf = make_pdf(tmp / "src" / "sporthal.pdf", BOUW_PAGES, title="Sporthal Vaartstraat")
    world.docs["bouw"] = _ingest(app, pdf, "bouw")
    txt = make_text(tmp / "src" / "kinderopvang.txt", WELZIJN_TEXT)
    world.docs["welzijn"] = _ingest(app, txt, "welzijn")
    return world


def _ingest(app: Appliance, path: Path, collection: str) -> int:
    outcome = documents.ingest_file(app, path, collection)
    assert outcome.state == "ingested" and outcome.document_id, outcome
    return outcome.document_id


def sign_in(client: TestClient, username: str, password: str = PW, **extra: str):  # type: ignore[no-untyped-def]
    """Signs in through the form; an administrator's second factor (TOTP) is enrolled or answered here,
    so the answer is the final redirect as for everyone else."""
    client.get("/sign-in")
    data = {"username": username, "password": password, "next": "/", "_csrf_token": csrf(client), **extra}
    response = client.post("/sign-in", data=data, follow_redirects=False)
    where = response.headers.get("location", "") if response.status_code == 303 else ""
    if where == "/sign-in/second-factor/enrol":
        RECOVERY_CODES[username] = enrol_second_factor(client)
        client.post("/sign-out", data={"_csrf_token": csrf(client)}, follow_redirects=False)
        client.get("/sign-in")
        data["_csrf_token"] = csrf(client)
        response = client.post("/sign-in", data=data, follow_redirects=False)
        where = response.headers.get("location", "")
    if where == "/sign-in/second-factor":
        response = client.post(where, data={"code": RECOVERY_CODES[username].pop(), "_csrf_token": csrf(client)},
                               follow_redirects=False)
    return response


RECOVERY_CODES: dict[str, list[str]] = {}  # per user name, from the last enrolment the helper did


def enrol_second_factor(client: TestClient) -> list[str]:
    """Completes a pending enrolment with a real TOTP code; returns the recovery codes shown once."""
    import pyotp

    page = client.get("/sign-in/second-factor/enrol")
    assert page.status_code == 200, page.text[:500]
    secret = re.search(r"secret=([A-Z2-7]+)", page.text)
    assert secret is not None
    done = client.post("/sign-in/second-factor/enrol",
                       data={"code": pyotp.TOTP(secret.group(1)).now(), "_csrf_token": csrf(client)})
    assert done.status_code == 200, done.text[:500]
    return re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", done.text)


def csrf(client: TestClient) -> str:
    return client.cookies.get("belfort_csrf", "")


def bearer(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


class FromAddress:
    """The web app as seen from another client address (what uvicorn puts in the ASGI scope)."""

    def __init__(self, app: Any, host: str) -> None:
        self._app = app
        self._host = host

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": (self._host, 50000)}
        await self._app(scope, receive, send)


def client_from(world: World, host: str) -> TestClient:
    """A client whose requests come from `host` (rate limits per client address)."""
    from ops.webapp import create_app

    queue_for(world.app, immediate=True)  # the web app's jobs run where they are queued
    web = create_app(world.app)
    return TestClient(FromAddress(web, host))  # type: ignore[arg-type]
