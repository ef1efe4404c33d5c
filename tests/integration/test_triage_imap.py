"""The triage mailbox against a real IMAP server: Debian's dovecot on a loopback port, started here.

Mail is appended with IMAP APPEND, fetched by the poller, stored and classified; after a restart (a
new appliance and poller state read from disk) nothing is fetched twice; and the end-to-end test with
the real e5 embedder routes a mail out by SMTP (aiosmtpd) and recognises it as a loop when it comes
back into the mailbox."""

from __future__ import annotations

import imaplib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem
from appliance.services import outbox
from appliance.services.triage_imap import poll_mailbox, state_path
from appliance.services.triage_store import import_taxonomy
from models.fakes import FakeEmbedder
from tests.conftest import REPO, make_settings
from tests.integration.test_outbox_smtp import SmtpSink, free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
pytestmark = [
    pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]),
    pytest.mark.skipif(not Path(DOVECOT).exists(), reason="dovecot-imapd is not installed (ops/setup.sh)"),
]
USER, PASSWORD = "triage", "geheim-wachtwoord"


@dataclass
class Dovecot:
    port: int
    log: Path

    def client(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(USER, PASSWORD)
        return conn

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client()
        try:
            assert conn.append(folder, None, None, raw)[0] == "OK"
        finally:
            conn.logout()

    def seen_and_count(self, folder: str = "INBOX") -> tuple[int, int]:
        conn = self.client()
        try:
            conn.select(folder, readonly=True)
            total = len(conn.uid("SEARCH", None, "ALL")[1][0].split())
            seen = len(conn.uid("SEARCH", None, "SEEN")[1][0].split())
            return seen, total
        finally:
            conn.logout()

    def bodies_fetched_by_last_session(self) -> int:
        """dovecot logs, per IMAP session, how many message bodies the client fetched."""
        time.sleep(0.3)  # the logout line is written just after the connection closes
        counts = re.findall(r"Disconnected: Logged out .*?body_count=(\d+)", self.log.read_text())
        return int(counts[-1])


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    # Not under tmp_path: pytest makes that 0700, and dovecot's own users must reach the files.
    with tempfile.TemporaryDirectory(prefix="belfort-dovecot-") as tmp:
        yield from _run_dovecot(Path(tmp))


def _run_dovecot(root: Path) -> Iterator[Dovecot]:
    os.chmod(root, 0o755)
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True)
    if os.geteuid() == 0:  # mail processes run as nobody, never as root; dovecot's own users for the rest
        uid, gid, internal, login = 65534, 65534, "dovecot", "dovenull"
        shutil.chown(root / "mail", "nobody", "nogroup")
    else:  # an unprivileged test run: everything as the current user
        uid, gid = os.getuid(), os.getgid()
        internal = login = pwd.getpwuid(uid).pw_name
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{uid}:{gid}::{root}/mail/{USER}\n")
    port = free_port()
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
""")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("dovecot did not start: " + (proc.stderr.read() or b"").decode()[-2000:]
                                   if proc.stderr else "dovecot did not start")
            time.sleep(0.1)
    try:
        yield Dovecot(port=port, log=root / "dovecot.log")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def mail(subject: str, body: str, *, message_id: str | None, sender: str = "burger@example.be") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "meldingen@gemeente.example", subject
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content(body)
    return msg.as_bytes()


def appliance_for(tmp_path: Path, imap: Dovecot, *, intake: dict[str, object] | None = None,
                  smtp_port: int = 0, e5: bool = False) -> Appliance:
    layer: dict[str, object] = {
        "intake": {"imap_host": "127.0.0.1", "imap_port": imap.port, "imap_ssl": False, "imap_user": USER,
                   "imap_password": PASSWORD, **(intake or {})},
        "mail": {"from_address": "belfort@gemeente.example", "smtp_host": "127.0.0.1" if smtp_port else "",
                 "smtp_port": smtp_port or 25},
    }
    if e5:
        layer |= {"search": {"embedder": "e5", "embedder_model": "multilingual-e5-small-q4"},
                  "models_dir": str(REPO / "var" / "test-models")}
    settings = make_settings(tmp_path, **layer)
    app = open_appliance(settings) if e5 else open_appliance(settings, embedder=FakeEmbedder())
    import_taxonomy(settings, REPO / "docs" / "examples" / "taxonomy-gemeente.yaml")
    return app


def items(app: Appliance) -> list[TriageItem]:
    with read_session(app.db) as s:
        return list(s.exec(select(TriageItem).order_by(TriageItem.id)).all())


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
    if not (REPO / "var" / "test-models" / "multilingual-e5-small-q4").is_dir():
        pytest.skip("test models not provisioned (ops/setup.sh test)")
    app = appliance_for(tmp_path, dovecot, smtp_port=smtp_port, e5=True)
    dovecot.append(mail("Put in het fietspad",
                        "Goedemiddag, in het fietspad van de Stationsstraat zit sinds de vorst een diepe put; "
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

    from appliance.services.triage_imap import watch_mailbox

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
