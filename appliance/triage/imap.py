"""The triage mailbox: IMAP polling by UID, restart-safe, never fetching a message twice.

State per (host, user, folder) is the folder's UIDVALIDITY and the highest UID handed to `receive`,
in a small JSON file under the data folder, written atomically after each message. A message is
marked \\Seen (or moved to `imap_done_folder`) only after its item is committed. Before a body is
fetched, the Message-ID is looked up: a message already stored (a crash between commit and state
write, or a UIDVALIDITY reset) is not fetched again.

`poll_mailbox` is one poll (the periodic task, `belfort triage poll`). `watch_mailbox` (`belfort triage
poll --watch`) polls, then waits in IMAP IDLE where the server offers it, so new mail arrives within
seconds; without IDLE it sleeps `intake.poll_seconds` between polls. Python 3.11's imaplib has no IDLE,
so the few lines of it are here. A lock file keeps two pollers off the same mailbox at once.
"""

from __future__ import annotations

import fcntl
import imaplib
import json
import logging
import re
import select as io_select  # sqlmodel.select is the other one here
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem
from appliance.errors import BelfortError
from appliance.mail import close_imap, open_imap
from appliance.storage.files import atomic_write_json
from appliance.storage.staging import MIB
from appliance.triage.classifier import TriageClassifier
from appliance.triage.intake import receive

log = logging.getLogger(__name__)

HARD_LIMIT_FACTOR = 4  # a message this many times max_item_mb is left in the mailbox, its headers kept


@dataclass
class PollResult:
    new: int = 0  # messages with a UID above the last one handled
    received: int = 0  # items created
    duplicates: int = 0  # already stored (by Message-ID or bytes): not fetched again
    too_large: int = 0
    failed: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def state_path(app: Appliance) -> Path:
    return app.layout.imap_state


def _state_key(app: Appliance) -> str:
    i = app.settings.intake
    return f"{i.imap_host}:{i.imap_port}|{i.imap_user}|{i.imap_folder}"


def _read_state(path: Path) -> dict[str, Any]:
    try:
        return dict(json.loads(path.read_text("utf-8")))
    except FileNotFoundError:
        return {}
    except ValueError:
        raise BelfortError("triage.imap_state_corrupt", f"{path} is not valid JSON",
                           hint="remove it: the next poll re-reads the folder and skips stored mail") from None


def _write_state(path: Path, state: dict[str, Any]) -> None:
    atomic_write_json(path, state)


@contextmanager
def _poll_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def connect(app: Appliance) -> imaplib.IMAP4:
    i = app.settings.intake
    if not i.imap_host:
        raise BelfortError("triage.imap_not_configured", "no IMAP mailbox is configured",
                           hint="set intake.imap_host, imap_user and imap_password in belfort.toml")
    try:
        # TLS verified before the password goes (mail.tls_failed and mail.starttls_unavailable pass up)
        conn = open_imap(i, app.settings.mail)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise _unreachable(exc) from None
    try:
        conn.login(i.imap_user, i.imap_password)
    except (OSError, imaplib.IMAP4.error) as exc:
        close_imap(conn)
        raise _unreachable(exc) from None
    return conn


def _unreachable(exc: Exception) -> BelfortError:
    return BelfortError("triage.imap_unreachable", f"the IMAP mailbox could not be opened ({type(exc).__name__})",
                        hint="check intake.imap_host, imap_port, imap_security and the account", status=503)


def _ok(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        raise BelfortError("triage.imap_error", f"IMAP {what} failed", hint="check the mailbox and folder name")
    return data


def _uidvalidity(conn: imaplib.IMAP4, folder: str) -> int:
    _ok(*conn.select(_quote(folder)), what="SELECT")
    _, data = conn.response("UIDVALIDITY")
    value = data[-1] if data and data[-1] is not None else b"0"
    return int(value.decode("ascii") if isinstance(value, bytes) else str(value))


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _new_uids(conn: imaplib.IMAP4, last_uid: int) -> list[int]:
    data = _ok(*conn.uid("SEARCH", f"UID {last_uid + 1}:*"), what="SEARCH")
    uids = [int(x) for x in (data[0] or b"").split()]
    return sorted(u for u in uids if u > last_uid)  # "n:*" also matches the highest UID when n is above it


def _fetch_parts(conn: imaplib.IMAP4, uid: int, items: str) -> tuple[bytes, bytes]:
    """(response line, literal) of one UID FETCH."""
    data = _ok(*conn.uid("FETCH", str(uid), items), what="FETCH")
    for part in data:
        if isinstance(part, tuple):
            return part[0], part[1]
    return (data[0] if data and isinstance(data[0], bytes) else b""), b""


def _already_stored(app: Appliance, message_id: str) -> bool:
    if not message_id:
        return False
    with read_session(app.db) as s:
        return s.exec(select(TriageItem.id).where(TriageItem.external_id == message_id)).first() is not None


def _mark_done(conn: imaplib.IMAP4, uid: int, done_folder: str) -> None:
    conn.uid("STORE", str(uid), "+FLAGS", "(\\Seen)")
    if not done_folder:
        return
    typ, caps = conn.capability()  # after login: the server lists more than before it
    if typ == "OK" and b"MOVE" in (caps[0] or b"").upper().split():
        typ, _ = conn.uid("MOVE", str(uid), _quote(done_folder))
        if typ == "OK":
            return
    typ, _ = conn.uid("COPY", str(uid), _quote(done_folder))
    if typ == "OK":
        conn.uid("STORE", str(uid), "+FLAGS", "(\\Deleted)")
        conn.expunge()


def poll_mailbox(app: Appliance, *, classifier: TriageClassifier | None = None) -> PollResult:
    """One poll: every message above the stored UID becomes an item (or is found already stored)."""
    result = PollResult()
    path = state_path(app)
    with _poll_lock(path) as mine:
        if not mine:
            log.info("triage IMAP: another poll is running; skipped")
            return result
        conn = connect(app)
        try:
            _poll(app, conn, path, result, classifier)
        finally:
            try:
                conn.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
    log.info("triage IMAP poll: %s", result.as_dict())
    return result


def _poll(app: Appliance, conn: imaplib.IMAP4, path: Path, result: PollResult,
          classifier: TriageClassifier | None) -> None:
    i = app.settings.intake
    key = _state_key(app)
    state = _read_state(path)
    entry = state.get(key) or {}
    validity = _uidvalidity(conn, i.imap_folder)
    if entry.get("uidvalidity") != validity:
        # A new or rebuilt folder: UIDs mean something else now. Start over; stored mail is skipped by
        # its Message-ID before its body is fetched.
        entry = {"uidvalidity": validity, "last_uid": 0}
    hard_limit = i.max_item_mb * MIB * HARD_LIMIT_FACTOR
    for uid in _new_uids(conn, int(entry["last_uid"])):
        result.new += 1
        line, header_bytes = _fetch_parts(conn, uid, "(RFC822.SIZE BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        size_match = re.search(rb"RFC822\.SIZE (\d+)", line)
        size = int(size_match.group(1)) if size_match else 0
        message_id = " ".join(str(BytesHeaderParser().parsebytes(header_bytes).get("message-id") or "").split())
        try:
            if _already_stored(app, message_id):
                result.duplicates += 1
            elif size > hard_limit:  # headers only: the item says where the mail is, a person takes it
                _, head = _fetch_parts(conn, uid, "(BODY.PEEK[HEADER])")
                receive(app, head, source="imap", external_id=message_id or f"imap:{validity}:{uid}",
                        classifier=classifier, extra_flags=["too_large"],
                        extra_meta={"imap_size": size, "left_in_mailbox": True})
                result.too_large += 1
            else:
                _, raw = _fetch_parts(conn, uid, "(BODY.PEEK[])")
                before = _count(app)
                receive(app, raw, source="imap", external_id=message_id or f"imap:{validity}:{uid}",
                        classifier=classifier)
                if _count(app) > before:
                    result.received += 1
                else:
                    result.duplicates += 1
        except Exception:
            log.exception("triage IMAP: message uid %s could not be received", uid)
            result.failed += 1
            break  # keep last_uid below it: the next poll tries it again
        entry["last_uid"] = uid
        state[key] = entry
        _write_state(path, state)  # committed item first, then the state, then the mark
        if size <= hard_limit:
            _mark_done(conn, uid, i.imap_done_folder)
    state[key] = entry
    _write_state(path, state)


def _count(app: Appliance) -> int:
    from sqlalchemy import func

    with read_session(app.db) as s:
        return int(s.exec(select(func.count()).select_from(TriageItem)).one())



# --- IDLE: new mail within seconds where the server offers it --------------------------------------

IDLE_MAX_SECONDS = 25 * 60  # RFC 2177: re-issue IDLE before the server's 30-minute inactivity timeout


def _has_capability(conn: imaplib.IMAP4, name: str) -> bool:
    typ, caps = conn.capability()
    return typ == "OK" and name.encode() in (caps[0] or b"").upper().split()


def _readable(conn: imaplib.IMAP4, timeout: float) -> bool:
    sock = conn.sock
    if hasattr(sock, "pending") and sock.pending():  # TLS bytes already decrypted
        return True
    return bool(io_select.select([sock], [], [], timeout)[0])


def idle_wait(conn: imaplib.IMAP4, timeout: float, stop: threading.Event | None = None) -> bool:
    """IDLE on the selected folder until the server reports new mail (True), or `timeout` passes or
    `stop` is set (False)."""
    tag = conn._new_tag()  # imaplib's own tag counter, so later commands stay in step
    conn.send(tag + b" IDLE\r\n")
    if not conn.readline().startswith(b"+"):
        conn.tagged_commands.pop(tag, None)
        raise BelfortError("triage.imap_error", "the server refused IDLE", hint="polling continues")
    arrived = False
    deadline = time.monotonic() + timeout
    while not (stop is not None and stop.is_set()):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if _readable(conn, min(remaining, 1.0)):
            line = conn.readline()
            if not line:
                raise BelfortError("triage.imap_unreachable", "the IMAP server closed the connection",
                                   status=503)
            if re.match(rb"\* \d+ (EXISTS|RECENT)", line):
                arrived = True
                break
    conn.send(b"DONE\r\n")
    while True:
        line = conn.readline()
        if not line or line.startswith(tag):
            break
    conn.tagged_commands.pop(tag, None)
    return arrived


def _wait_for_mail(app: Appliance, seconds: float, stop: threading.Event) -> None:
    """IDLE when the server offers it (returns at the first new message), else sleep."""
    conn = connect(app)
    try:
        if not _has_capability(conn, "IDLE"):
            stop.wait(seconds)
            return
        _ok(*conn.select(_quote(app.settings.intake.imap_folder)), what="SELECT")
        _, nxt = conn.response("UIDNEXT")
        entry = _read_state(state_path(app)).get(_state_key(app)) or {}
        uid_next = int(nxt[-1]) if nxt and nxt[-1] else 0
        if uid_next and uid_next > int(entry.get("last_uid", 0)) + 1:
            return  # mail arrived between the poll and now: poll again at once
        idle_wait(conn, min(seconds, IDLE_MAX_SECONDS), stop)
    finally:
        try:
            conn.logout()
        except (OSError, imaplib.IMAP4.error):
            pass


def watch_mailbox(app: Appliance, stop: threading.Event, *, classifier: TriageClassifier | None = None) -> None:
    """Poll, then wait for new mail (IDLE or sleep), until `stop` is set. Errors wait and retry."""
    interval = max(1.0, float(app.settings.intake.poll_seconds))
    while not stop.is_set():
        try:
            poll_mailbox(app, classifier=classifier)
            if not stop.is_set():
                _wait_for_mail(app, interval, stop)
        except (BelfortError, OSError, imaplib.IMAP4.error) as exc:
            log.warning("triage IMAP: %s; retrying in %.0f s", getattr(exc, "code", type(exc).__name__),
                        min(interval, 60.0))
            stop.wait(min(interval, 60.0))
