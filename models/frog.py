"""Dutch named entities with Debian's Frog (GPL-3), run as a separate server process.

Frog takes about 6 s to load its memory-based models, so one server (`frog -S PORT`) is started
per tagger and kept; each call sends text over a loopback socket and reads Frog's tab-separated
answer. Only the tokenizer, POS tagger and NER run (`--skip=mpcla`: no MWU, parser, chunker,
lemmatiser, morphology), which keeps a call at a few thousand tokens per second. Frog's tokens
are mapped back to character offsets of the original text.

Cost: Frog is slow on words it does not know (~40 ms for each "aaaa", 70 ms for "bbbb"), so a
call's time is bounded by a deadline, not by the text; the text goes to Frog in pieces of at most
MAX_WORDS words (cut at sentence ends where possible), so no request is large and the deadline is
checked between pieces. A piece without a capital letter is not sent: Belfort takes a person only
from capitalised words (appliance.privacy.names), so its tags there are never used.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Self

from models.base import Entity, ModelError

INSTALL_HINT = "apt-get install frog frogdata uctodata"
# frogdata ships a list of ~62,000 first names beside the models; the PII rules reuse it.
FIRST_NAMES_FILE = Path("/usr/share/frog/nld/voornamen.ner")
_READY_RE = re.compile(rb"(?:^|\n)READY\n\s*$")  # Frog's end-of-answer line
MAX_WORDS = 100  # per request to Frog; a name never spans a cut (see _cut)
_WORD_RE = re.compile(r"\S{1,100}")  # a longer "word" is cut: no name part is that long
_PARAGRAPH_RE = re.compile(r"\n[^\S\n]*\n")
_SENTENCE_END_RE = re.compile(r"[.!?…;:][\"'’”»)\]]*$")


def frog_check(binary: str = "frog") -> tuple[bool, str, str]:
    """(ok, message, hint) for a doctor check: program, models and tokenizer rules present."""
    if shutil.which(binary) is None:
        return False, "Frog (Dutch person names) is not installed", INSTALL_HINT
    if not Path("/usr/share/frog/nld/frog.cfg").is_file():
        return False, "Frog's Dutch models are missing", "apt-get install frogdata"
    if not Path("/usr/share/ucto/tokconfig-nld").is_file():
        return False, "Frog's tokenizer rules are missing (Frog stops at start)", "apt-get install uctodata"
    return True, "Frog and its Dutch data are installed", ""


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent exits (Linux prctl PR_SET_PDEATHSIG)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)
    except OSError:  # not Linux: close() and atexit still end the server
        pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pieces(text: str, max_words: int = MAX_WORDS) -> Iterator[tuple[int, str]]:
    """Pieces of at most `max_words` words, with their offsets: cut at blank lines, else see _cut."""
    start = 0
    for gap in [*_PARAGRAPH_RE.finditer(text), None]:
        end = gap.start() if gap else len(text)
        words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text, start, end)]
        i = 0
        while i < len(words):
            j = i + max_words
            j = _cut(text, words, i, j) if j < len(words) else len(words)
            yield words[i][0], text[words[i][0] : words[j - 1][1]]
            i = j
        start = gap.end() if gap else end


def _cut(text: str, words: list[tuple[int, int]], i: int, j: int) -> int:
    """Where a run of words[i:j] that goes on is cut: after its last sentence end, else at its last line
    break, else between two words that are no part of a name (see _plain), else at j.
    Only the second half is searched, so pieces stay long enough for the tagger's context."""
    low = i + max(1, (j - i) // 2)
    tests = (
        lambda k: _SENTENCE_END_RE.search(text, words[k - 1][0], words[k - 1][1]) is not None,
        lambda k: "\n" in text[words[k - 1][1] : words[k][0]],
        lambda k: _plain(text, words[k - 1]) and _plain(text, words[k]),
    )
    for test in tests:
        for k in range(j, low - 1, -1):
            if test(k):
                return k
    return j


def _plain(text: str, word: tuple[int, int]) -> bool:
    """A word that is no part of a name: not capitalised, and not a particle ("van", "de", "den", "d'")."""
    w = text[word[0] : word[1]]
    return w.islower() and len(w) > 3 and w not in ("vanden", "vander", "vande", "della")


class FrogTagger:
    """NerTagger over a Frog server: its own child process, or one already listening at host:port."""

    name = "frog"

    def __init__(
        self,
        *,
        binary: str = "frog",
        host: str = "127.0.0.1",
        port: int | None = None,
        start_server: bool = True,
        skip: str = "mpcla",
        config: Path | None = None,
        startup_timeout: float = 120.0,
        max_words: int = MAX_WORDS,
        wait_seconds: float | None = None,
    ) -> None:
        self.binary = binary
        self.host = host
        self.port = port
        self.start_server = start_server
        self.skip = skip
        self.config = config
        self.startup_timeout = startup_timeout
        self.max_words = max_words
        self.wait_seconds = wait_seconds  # the longest a call waits for the server (busy), None: no cap
        self._pick_port = port is None  # a fresh free port for every (re)start
        self._proc: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        if start_server and shutil.which(binary) is None:
            raise ModelError(
                "ner.missing", f"the Frog program '{binary}' is not installed", hint=INSTALL_HINT
            )

    # --- server lifecycle -------------------------------------------------------------------

    def _start(self) -> None:
        if self._pick_port:
            self.port = _free_port()
        cmd = [self.binary, "-S", str(self.port), f"--skip={self.skip}"]
        if self.config:
            cmd += ["-c", str(self.config)]
        # Frog writes debug files into its working directory: give it a private one.
        workdir = Path(os.environ.get("TMPDIR", "/tmp")) / f"belfort-frog-{os.getpid()}-{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        # Its own process group: Frog forks a worker per connection, and close() must end both.
        # The kernel also ends the server when this process dies without calling close().
        self._proc = subprocess.Popen(
            cmd, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True, preexec_fn=_die_with_parent,  # noqa: PLW1509 - one prctl call, no locks
        )
        atexit.register(self.close)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = (self._proc.stderr.read() if self._proc.stderr else b"").decode("utf-8", "replace")
                raise ModelError(
                    "ner.failed",
                    "Frog stopped while loading: " + " | ".join(err.strip().splitlines()[-3:]),
                    hint=INSTALL_HINT + " (the tokenizer needs uctodata)",
                )
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=1.0)
                self._sock.settimeout(None)
                # Frog's stderr is chatty; drain it so the pipe never blocks the server.
                threading.Thread(target=self._drain, daemon=True).start()
                return
            except OSError:
                time.sleep(0.25)
        self.close()
        raise ModelError(
            "ner.timeout", f"Frog did not start within {self.startup_timeout:.0f} s", hint=INSTALL_HINT
        )

    def _drain(self) -> None:
        proc = self._proc
        if proc is not None and proc.stderr is not None:
            for _ in proc.stderr:
                pass

    def _connect(self) -> socket.socket:
        if self._sock is not None:
            return self._sock
        if self.start_server and self._proc is not None and self._proc.poll() is None:
            # Our server still runs (a call timed out, or its worker for the old connection died):
            # a new connection gets a fresh worker, without reloading the models.
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=10.0)
                self._sock.settimeout(None)
                return self._sock
            except OSError:
                pass
        if self.start_server:
            self.close()  # a server that does not answer is not reused
            self._start()
        else:
            if self.port is None:
                raise ModelError(
                    "ner.config", "no Frog port given", hint="pass port= of a running 'frog -S PORT'"
                )
            try:
                self._sock = socket.create_connection((self.host, self.port), timeout=10.0)
                self._sock.settimeout(None)
            except OSError as exc:
                raise ModelError(
                    "ner.unreachable",
                    f"no Frog server at {self.host}:{self.port}",
                    hint=f"start 'frog -S {self.port}'",
                ) from exc
        assert self._sock is not None
        return self._sock

    def close(self) -> None:
        self._drop_connection()
        if self._proc is not None:
            self._signal_group(signal.SIGTERM)
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self._proc.wait()
            self._signal_group(signal.SIGKILL)  # a worker still busy with the last request
            self._proc = None

    def _signal_group(self, sig: int) -> None:
        if self._proc is None:
            return
        try:
            os.killpg(self._proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten tagger must not leave a Frog process behind
        with suppress(Exception):  # it may run at interpreter exit, when anything can fail
            self.close()

    # --- tagging ----------------------------------------------------------------------------

    def _drop_connection(self) -> None:
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None

    def _ask(self, block: str, deadline: float | None) -> list[tuple[str, str]]:
        sock = self._connect()
        # A line "EOT" would end Frog's input early.
        safe = "\n".join("eot" if line.strip() == "EOT" else line for line in block.split("\n"))
        buf = b""
        try:
            sock.settimeout(None if deadline is None else max(0.01, deadline - time.monotonic()))
            sock.sendall(safe.encode("utf-8") + b"\nEOT\n")
            while not _READY_RE.search(buf[-32:]):
                data = sock.recv(1 << 16)
                if not data:
                    self._sock = None
                    raise ModelError("ner.failed", "Frog closed the connection", hint=INSTALL_HINT)
                buf += data
        except TimeoutError:
            self._drop_connection()  # its answer would come on the next call: never reuse it
            raise _timeout() from None
        tokens = []
        for line in buf.decode("utf-8", "replace").split("\n"):
            cols = line.split("\t")
            if len(cols) >= 8 and cols[0].isdigit():
                tokens.append((cols[1], cols[7]))
        return tokens

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        """Entities in `text`. `deadline` (a time.monotonic() value) bounds the whole call: ModelError
        ner.busy when the server is not free in time (also after `wait_seconds`), ner.timeout when
        tagging runs past it. Nothing partial is returned."""
        # Only pieces with a capital letter (see the module's docstring); lower() is a cheap test.
        pieces = [(o, p) for o, p in _pieces(text, self.max_words) if p != p.lower()]
        if not pieces:
            return []
        wait = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        if self.wait_seconds is not None:
            wait = self.wait_seconds if wait < 0 else min(wait, self.wait_seconds)
        if not self._lock.acquire(timeout=wait):
            raise ModelError("ner.busy", "the name tagger is busy with other texts",
                             hint="try again in a moment")
        try:
            entities: list[Entity] = []
            for offset, piece in pieces:
                if deadline is not None and time.monotonic() >= deadline:
                    raise _timeout()
                entities.extend(_align(text, offset, self._ask(piece, deadline)))
            return entities
        finally:
            self._lock.release()


def _timeout() -> ModelError:
    return ModelError("ner.timeout", "name tagging ran out of time",
                      hint="use rule mode (pii.ner = none) or split the text")


def _align(text: str, offset: int, tokens: list[tuple[str, str]]) -> list[Entity]:
    """Turn (token, IOB tag) pairs into entities with offsets into `text`."""
    out: list[Entity] = []
    cursor = offset
    current: list[tuple[int, int]] = []
    label = ""

    def flush() -> None:
        if current:
            # Frog joins lines into one sentence, so one entity may cover a list of names, one per
            # line: cut at line breaks, unless a single word stands before the break (extracted
            # HTML sometimes puts "Laura" and "Van Rentergem" on lines of their own).
            s, words = current[0][0], 0
            for (_, e1), (s2, _) in zip(current, current[1:] + [(len(text) + 1, 0)]):
                words += 1
                gap = text[e1:s2]
                if s2 > len(text) or ("\n" in gap and (words > 1 or "\n\n" in gap)):
                    out.append(Entity(label, s, e1, text[s:e1]))
                    s, words = s2, 0
        current.clear()

    for word, tag in tokens:
        pos = text.find(word, cursor, cursor + 200 + len(word))
        if pos < 0:
            continue  # ucto changed the token (quotes, ligatures): skip it rather than guess
        span = (pos, pos + len(word))
        cursor = span[1]
        kind = tag[2:] if len(tag) > 2 and tag[1] == "-" else ""
        if tag.startswith("B-") or (kind and kind != label) or not kind:
            flush()
            label = kind
        if kind:
            current.append(span)
    flush()
    return out
