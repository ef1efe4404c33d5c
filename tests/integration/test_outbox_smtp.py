"""The outbox against real servers on loopback: aiosmtpd for SMTP, a tiny HTTP server for webhooks.

Nothing is lost while a target is down: the message stays pending with growing attempts and backoff,
and goes out once the target is back."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import OutboxMessage, utcnow
from appliance.db.tables import TriageItem as TriageItemRow
from appliance.mail import outbox
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.mail_servers import Hook, SmtpSink, free_port
from tests.integration.tls_certs import mail_pki

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])]



def _row(app: Any, message_id: int) -> OutboxMessage:
    with read_session(app.db) as s:
        row = s.get(OutboxMessage, message_id)
    assert row is not None
    return row


def _app(tmp_path: Path, port: int, intake: dict[str, Any] | None = None, **mail: object) -> Any:
    settings = make_settings(tmp_path, mail={"smtp_host": "127.0.0.1", "smtp_port": port,
                                             "from_address": "belfort@gemeente.example",
                                             "ca_bundle": str(mail_pki().ca_pem),  # the sink's STARTTLS
                                             "max_attempts": 4, **mail}, intake=intake or {})
    return open_appliance(settings, embedder=FakeEmbedder())


def test_mail_arrives_with_recipient_route_header_and_own_message_id(tmp_path: Path) -> None:
    port = free_port()
    app = _app(tmp_path, port)
    original = app.settings.data_dir / "triage" / "originals" / "ab" / "x.eml"
    original.parent.mkdir(parents=True)
    original.write_bytes(b"From: a@b.example\r\nSubject: put\r\n\r\nEr zit een put in de straat.\r\n")
    mid = outbox.enqueue_mail(app, to="omgeving@gemeente.example", subject="Triage: wegschade\r\nBcc: x@y.z",
                              body="Nieuw item", ref="triage:7", headers={"X-Belfort-Item": "7", "Bcc": "e@f.g"},
                              attachments=[original])
    with SmtpSink(port) as sink:
        counts = outbox.deliver_due(app)
    assert counts["sent"] == 1
    assert len(sink.messages) == 1
    mail_from, rcpts, msg = sink.messages[0]
    assert rcpts == ["omgeving@gemeente.example"]
    assert mail_from == "belfort@gemeente.example"
    assert msg["X-Belfort-Route"] == "triage:7"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"].endswith("@gemeente.example>")
    assert msg["X-Belfort-Item"] == "7"
    assert msg["Bcc"] is None  # neither an injected header line nor a reserved header gets through
    assert "\n" not in msg["Subject"]
    names = [p.get_filename() for p in msg.walk() if p.get_filename()]
    assert names == ["x.eml"]
    row = _row(app, mid)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    # Delivered once: a second round sends nothing again.
    with SmtpSink(port) as sink:
        assert outbox.deliver_due(app)["sent"] == 0
        assert sink.messages == []


def test_smtp_down_keeps_the_message_with_backoff_then_delivers(tmp_path: Path) -> None:
    port = free_port()  # nothing listens here yet: connection refused
    app = _app(tmp_path, port)
    mid = outbox.enqueue_mail(app, to="burgerzaken@gemeente.example", subject="s", body="b", ref="triage:1")
    now = utcnow()
    assert outbox.deliver_due(app, now)["retry"] == 1
    first = _row(app, mid)
    assert (first.state, first.attempts) == ("pending", 1)
    assert first.last_error.startswith("smtp ")
    assert "gemeente" not in first.last_error  # no address in the error
    assert first.next_attempt_at - now >= timedelta(minutes=1) - timedelta(seconds=1)
    # Not due yet: nothing is attempted.
    assert outbox.deliver_due(app, now + timedelta(seconds=30)) == {"sent": 0, "retry": 0, "dead": 0, "waiting": 0}
    later = now + timedelta(minutes=1, seconds=1)
    assert outbox.deliver_due(app, later)["retry"] == 1
    second = _row(app, mid)
    assert second.attempts == 2
    assert second.next_attempt_at - later >= timedelta(minutes=2) - timedelta(seconds=1)
    with SmtpSink(port) as sink:
        assert outbox.deliver_due(app, later + timedelta(minutes=3))["sent"] == 1
    assert [m[1] for m in sink.messages] == [["burgerzaken@gemeente.example"]]
    assert _row(app, mid).state == "sent"


def test_after_max_attempts_a_message_is_dead_visible_and_can_be_retried(tmp_path: Path) -> None:
    port = free_port()
    app = _app(tmp_path, port, max_attempts=2)
    mid = outbox.enqueue_mail(app, to="x@gemeente.example", subject="s", body="b", ref="triage:2")
    t = utcnow()
    outbox.deliver_due(app, t)
    assert outbox.deliver_due(app, t + timedelta(minutes=5))["dead"] == 1
    assert _row(app, mid).state == "dead"
    assert [m.id for m in outbox.list_messages(app, state="dead")] == [mid]
    assert outbox.deliver_due(app, t + timedelta(days=1))["sent"] == 0  # dead stays dead
    outbox.retry(app, mid, by="admin")
    assert (_row(app, mid).state, _row(app, mid).attempts) == ("pending", 0)
    with SmtpSink(port) as sink:
        assert outbox.deliver_due(app, utcnow() + timedelta(seconds=1))["sent"] == 1
    assert len(sink.messages) == 1


def test_webhook_down_then_up(tmp_path: Path) -> None:
    port = free_port()
    app = _app(tmp_path, free_port())
    payload = {"item": 3, "category": "afval", "department": "omgeving"}
    mid = outbox.enqueue_webhook(app, url=f"http://127.0.0.1:{port}/hook", payload=payload, ref="triage:3")
    t = utcnow()
    assert outbox.deliver_due(app, t)["retry"] == 1
    row = _row(app, mid)
    assert row.state == "pending" and row.attempts == 1 and row.last_error.startswith("webhook ")
    with Hook(port) as hook:
        assert outbox.deliver_due(app, t + timedelta(minutes=2))["sent"] == 1
    assert len(hook.received) == 1
    headers, body = hook.received[0]
    assert body == payload
    assert headers["X-Belfort-Route"] == "triage:3"
    assert _row(app, mid).state == "sent"


def test_invalid_targets_are_refused_at_enqueue(tmp_path: Path) -> None:
    from appliance.errors import BelfortError

    app = _app(tmp_path, free_port())
    with pytest.raises(BelfortError) as exc:
        outbox.enqueue_mail(app, to="a@b.example, c@d.example", subject="s", body="b")
    assert exc.value.code == "outbox.invalid_address"
    with pytest.raises(BelfortError) as exc:
        outbox.enqueue_webhook(app, url="file:///etc/passwd", payload={})
    assert exc.value.code == "outbox.invalid_url"


def test_a_routed_item_is_never_lost_while_smtp_and_webhook_are_down(tmp_path: Path) -> None:
    """Routing through the real route(): the item stays routed, its mail and webhook wait in the
    outbox with growing attempts, and both go out once their targets are back."""
    import yaml

    from appliance.triage.intake import receive_form
    from appliance.triage.routing import route
    from appliance.triage.store import import_taxonomy
    from tests.conftest import REPO

    smtp_port, hook_port = free_port(), free_port()
    app = _app(tmp_path, smtp_port, intake={"auto_route": False})  # a person routes it here
    taxonomy = yaml.safe_load((REPO / "docs" / "examples" / "taxonomy-gemeente.yaml").read_text("utf-8"))
    for dept in taxonomy["departments"]:
        if dept["key"] == "omgeving":
            dept["webhook"] = f"http://127.0.0.1:{hook_port}/n8n"
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(taxonomy, allow_unicode=True), "utf-8")
    import_taxonomy(app.settings, path)
    item = receive_form(app, {"adres": "Kerkstraat 1"}, sender="burger@example.be", subject="Sluikstort",
                        text="Er ligt afval naast de glasbol.", external_id="f-1")
    route(app, int(item.id or 0), "afval", by="medewerker")
    ref = f"triage:{item.id}"
    t = utcnow()
    for minutes in (0, 2, 5):  # both targets down
        outbox.deliver_due(app, t + timedelta(minutes=minutes))
    rows = outbox.list_messages(app, ref=ref)
    assert sorted(r.channel for r in rows) == ["smtp", "webhook"]
    assert all(r.state == "pending" and r.attempts == 3 and r.next_attempt_at > t + timedelta(minutes=8)
               for r in rows)
    with read_session(app.db) as s:
        assert s.get(TriageItemRow, item.id).state == "routed"  # type: ignore[union-attr]
    with SmtpSink(smtp_port) as sink, Hook(hook_port) as hook:
        assert outbox.deliver_due(app, t + timedelta(minutes=20))["sent"] == 2
    assert [m[1] for m in sink.messages] == [["omgeving@gemeente.example"]]
    assert sink.messages[0][2]["Reply-To"] == "burger@example.be"
    (_, body), = hook.received
    assert body["item_id"] == item.id and body["category"] == "afval" and body["routed_by"] == "medewerker"
    assert all(r.state == "sent" for r in outbox.list_messages(app, ref=ref))
