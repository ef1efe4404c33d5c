"""The triage mailbox against a real IMAP server: Debian's dovecot on a loopback port, started here.

Mail is appended with IMAP APPEND, fetched by the poller, stored and classified; after a restart (a
new appliance and poller state read from disk) nothing is fetched twice; and the end-to-end test with
the real e5 embedder routes a mail out by SMTP (aiosmtpd) and recognises it as a loop when it comes
back into the mailbox."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from appliance.context import open_appliance
from appliance.mail import outbox
from appliance.triage.imap import poll_mailbox, state_path
from models.fakes import FakeEmbedder
from tests.integration.mail_servers import (
    Dovecot,
    SmtpSink,
    appliance_for,
    free_port,
    items,
    mail,
    needs_dovecot,
    running_dovecot,
    skip_without_e5,
)

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]), needs_dovecot]


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def test_poll_fetches_stores_and_never_fetches_twice_after_restart(tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.append(mail("Sluikstort", "Er ligt een sluikstort aan de glasbol.", message_id="<m1@example.be>"))
    dovecot.append(mail("Put", "Een diepe put in het fietspad.", message_id=None))  # no Message-ID at all
    dovecot.append(mail("Re: melding", "Afwezig tot maandag.", message_id="<m3@example.be>",
                        sender="belfort@gemeente.example"))  # the appliance's own address: a loop
    app = appliance_for(tmp_path, dovecot)
    first = poll_mailbox(app)
    assert (first.new, first.received, first.duplicates, first.failed) == (3, 3, 0, 0)
    stored = items(app)
    assert [i.subject for i in stored] == ["Sluikstort", "Put", "Re: melding"]
    assert all(i.source == "imap" and Path(i.original_path).exists() for i in stored)
    assert stored[0].external_id == "<m1@example.be>" and stored[1].external_id.startswith("imap:")
    assert stored[2].state == "closed" and "loop" in stored[2].flags
    assert stored[0].suggested and stored[0].model_version  # classified on arrival (zero-shot)
    assert dovecot.seen_and_count() == (3, 3)  # marked only after the items were committed

    # Restart: a new appliance object and poller state read back from disk.
    dovecot.append(mail("Identiteitskaart", "Mijn identiteitskaart is verlopen.", message_id="<m4@example.be>"))
    restarted = appliance_for(tmp_path, dovecot)
    second = poll_mailbox(restarted)
    assert (second.new, second.received, second.duplicates) == (1, 1, 0)
    assert dovecot.bodies_fetched_by_last_session() == 1
    assert len(items(restarted)) == 4
    assert poll_mailbox(restarted).new == 0

    # A crash between commit and state write (or a lost state file): stored mail is recognised by its
    # Message-ID before its body is fetched; the one without a Message-ID is deduplicated by content.
    state_path(restarted).unlink()
    third = poll_mailbox(open_appliance(restarted.settings, embedder=FakeEmbedder()))
    assert (third.new, third.received, third.duplicates) == (4, 0, 4)
    assert dovecot.bodies_fetched_by_last_session() == 1
    assert len(items(restarted)) == 4


def test_done_folder_receives_processed_mail(tmp_path: Path, dovecot: Dovecot) -> None:
    conn = dovecot.client()
    assert conn.create("Verwerkt")[0] == "OK"
    conn.logout()
    dovecot.append(mail("Afval", "Glasbol vol.", message_id="<d1@example.be>"))
    app = appliance_for(tmp_path, dovecot, intake={"imap_done_folder": "Verwerkt"})
    assert poll_mailbox(app).received == 1
    assert dovecot.seen_and_count("INBOX")[1] == 0
    assert dovecot.seen_and_count("Verwerkt") == (1, 1)


def test_wrong_password_is_a_clear_error(tmp_path: Path, dovecot: Dovecot) -> None:
    from appliance.errors import BelfortError

    app = appliance_for(tmp_path, dovecot, intake={"imap_password": "fout"})
    with pytest.raises(BelfortError) as exc:
        poll_mailbox(app)
    assert exc.value.code == "triage.imap_unreachable" and "fout" not in exc.value.message


def test_end_to_end_with_e5_routes_by_smtp_and_recognises_its_own_mail_coming_back(
        tmp_path: Path, dovecot: Dovecot) -> None:
    smtp_port = free_port()
    skip_without_e5()
    app = appliance_for(tmp_path, dovecot, smtp_port=smtp_port, e5=True)
    dovecot.append(mail("Put in het fietspad",
                        "Goedemiddag, in het fietspad voor Stationsstraat 14 zit sinds de vorst een diepe put; "
                        "fietsers moeten uitwijken naar de rijweg.", message_id="<e2e-1@example.be>"))
    dovecot.append(mail("Leefloon", "Ik heb geen inkomen meer en vraag een leefloon en hulp bij mijn "
                        "energiefactuur.", message_id="<e2e-2@example.be>"))
    assert poll_mailbox(app).received == 2
    road, aid = items(app)
    assert road.suggested == "wegschade" and aid.suggested == "sociale-steun"
    assert aid.state == "queued" and aid.reason == "human_only"  # never auto-routed
    assert road.model_version.startswith("zs-") and road.confidence >= 0.6
    assert (road.state, road.routed_by, road.department) == ("routed", "auto", "omgeving")
    with SmtpSink(smtp_port) as sink:
        assert outbox.deliver_due(app)["sent"] == 1
    (_, rcpts, sent) = sink.messages[0]
    assert rcpts == ["omgeving@gemeente.example"] and sent["X-Belfort-Route"] == f"triage:{road.id}"

    # The routed mail bounces back into the triage mailbox (a department forwards everything there).
    dovecot.append(sent.as_bytes())
    assert poll_mailbox(app).received == 1
    echo = items(app)[-1]
    assert "loop" in echo.flags and echo.state == "closed"
    assert {"route_header", "own_message_id", "own_address"} <= set(echo.meta["loop_signals"])
    assert len(outbox.list_messages(app)) == 1  # nothing was sent for the echo


def with_attachment(subject: str, size: int, message_id: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "architect@example.be", subject, message_id
    msg.set_content("In bijlage de plannen voor de bouwaanvraag.")
    msg.add_attachment(os.urandom(size), maintype="application", subtype="pdf", filename="plannen.pdf")
    return msg.as_bytes()


def test_a_50_mb_attachment_is_refused_but_the_mail_is_kept(tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.append(with_attachment("Bouwaanvraag", 50 * 1024 * 1024, "<big@example.be>"))
    app = appliance_for(tmp_path, dovecot)  # intake.max_item_mb defaults to 25
    assert poll_mailbox(app).received == 1
    (item,) = items(app)
    assert "attachment_refused" in item.flags and item.attachment_document_ids == []
    assert item.meta["attachments"][0]["code"] == "triage.attachment_too_large"
    assert Path(item.original_path).stat().st_size > 50 * 1024 * 1024  # the original holds it: nothing lost
    assert item.text.startswith("In bijlage") and item.suggested  # the mail itself was read and classified
    assert dovecot.seen_and_count() == (1, 1)


def test_a_mail_beyond_the_hard_limit_stays_in_the_mailbox_with_its_headers_kept(
        tmp_path: Path, dovecot: Dovecot) -> None:
    dovecot.append(with_attachment("Reuzenbestand", 5 * 1024 * 1024, "<huge@example.be>"))
    app = appliance_for(tmp_path, dovecot, intake={"max_item_mb": 1})  # hard limit: 4 MiB
    result = poll_mailbox(app)
    assert (result.too_large, result.received) == (1, 0)
    (item,) = items(app)
    assert "too_large" in item.flags and item.meta["left_in_mailbox"] is True
    assert item.subject == "Reuzenbestand" and item.state == "queued" and item.category == ""
    assert dovecot.seen_and_count() == (0, 1)  # not marked: a person takes it from the mailbox
    assert poll_mailbox(app).new == 0  # and it is not fetched again


def test_watch_picks_new_mail_up_by_idle_within_seconds(tmp_path: Path, dovecot: Dovecot) -> None:
    import threading

    from appliance.triage.imap import watch_mailbox

    app = appliance_for(tmp_path, dovecot, intake={"poll_seconds": 600})  # polling alone would take 10 min
    stop = threading.Event()
    thread = threading.Thread(target=watch_mailbox, args=(app, stop), daemon=True)
    thread.start()
    try:
        time.sleep(1.5)  # the first poll found nothing; the watcher now waits in IDLE
        dovecot.append(mail("Glasbol", "De glasbol aan het station is vol.", message_id="<idle@example.be>"))
        deadline = time.monotonic() + 15
        while not items(app) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [i.external_id for i in items(app)] == ["<idle@example.be>"]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
