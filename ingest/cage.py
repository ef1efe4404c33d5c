"""The cage: untrusted content is parsed in a child process with memory, CPU-time and wall-clock limits.

A hostile file (a decompression bomb, an XML bomb, a parser that loops) can only take its own child
down: the caller gets a typed `IngestError` with one of the codes below and the worker, the web
server and the other jobs keep going. Children are forked from multiprocessing's fork server (a
small, single-threaded process started once, with the parsing libraries preloaded), so a cage
costs a fork and not an interpreter start, and nothing of the caller (models, database handles,
threads) is inherited. The limits bound resources; they are not a privilege boundary (the child
runs as the same user).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ingest.types import IngestError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Stable codes of the named failures of hostile or runaway content (the fuzz suite asserts on them).
TOO_COMPLEX = "ingest.too_complex"  # archive or XML beyond reason: zip bomb, XML bomb, too many parts
MEMORY_LIMIT = "ingest.memory_limit"  # the parser needed more memory than the cage allows
TIMEOUT = "ingest.timeout"  # the parser ran past the CPU-time or wall-clock limit
PARSER_CRASHED = "ingest.parser_crashed"  # the parser died (a signal in a C library)
IMAGE_TOO_LARGE = "ocr.image_too_large"  # image dimensions beyond MAX_IMAGE_PIXELS, refused unread
FAILURE_CODES: frozenset[str] = frozenset({TOO_COMPLEX, MEMORY_LIMIT, TIMEOUT, PARSER_CRASHED, IMAGE_TOO_LARGE})

# A 600 dpi A3 scan is 7016 x 9921 = 69.6 Mpx; anything larger is refused from its header alone.
MAX_IMAGE_PIXELS = 80_000_000

# Imported once in the fork server, so a child starts with them (a fork, not an import, per file).
_PRELOAD = ["ingest.extract", "ingest.extract.common", "ingest.extract.pdf", "ingest.extract.office",
            "ingest.extract.sheet", "ingest.extract.html", "ingest.extract.mail", "ingest.extract.image",
            "ingest.extract.text", "docx", "docx.table", "docx.text.paragraph", "openpyxl", "odf.opendocument",
            "odf.teletype", "odf.table", "pypdfium2", "PIL.Image", "PIL.ImageOps", "lxml.etree", "extract_msg",
            "charset_normalizer", "selectolax.lexbor", "email.policy"]
_start_lock = threading.Lock()
_preload_set = False
_M_ARENA_MAX = -8  # glibc mallopt(): few malloc arenas, so threads do not reserve 64 MiB of address space each


@dataclass(frozen=True)
class Limits:
    """Resource limits of one caged call; 0 turns a limit off."""

    memory_mb: int = 1536  # RLIMIT_AS of the child (its whole address space)
    cpu_seconds: int = 60  # RLIMIT_CPU of the child
    wall_seconds: float = 120.0  # the caller kills the child after this


def too_complex(what: str, hint: str = "") -> IngestError:
    return IngestError(TOO_COMPLEX, f"{what}: too complex to process safely.",
                       hint or "This may be a damaged or malicious file; open it in its own application, "
                               "save or export it again (for instance as PDF) and retry.")


def run_caged(limits: Limits, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`func(*args, **kwargs)` in a fresh child under `limits`: its result, its exception (pickled back),
    or an IngestError with MEMORY_LIMIT, TIMEOUT or PARSER_CRASHED. `func` must be importable."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(sender, limits, func, args, kwargs),
                       name=f"belfort-cage-{getattr(func, '__name__', 'call')}")
    try:
        proc.start()  # not a daemon: OCRmyPDF may start worker processes of its own
    except BaseException:
        receiver.close()
        raise
    finally:
        sender.close()
    try:
        wall = limits.wall_seconds if limits.wall_seconds > 0 else None
        if not receiver.poll(wall):
            raise _timeout(limits)  # the child is killed below
        try:
            status, payload = pickle.loads(receiver.recv_bytes())
        except (EOFError, OSError):
            proc.join(5)
            raise _died(proc.exitcode, limits) from None
    finally:
        receiver.close()
        _kill(proc)
    if status == "ok":
        return payload  # type: ignore[no-any-return]
    if status == "memory":
        raise _memory(limits)
    raise payload


def _context() -> Any:
    global _preload_set
    ctx = multiprocessing.get_context("forkserver")
    with _start_lock:
        if not _preload_set:  # before the fork server starts: the parsing libraries load there once
            ctx.set_forkserver_preload(_PRELOAD)
            _preload_set = True
    return ctx


def _kill(proc: Any) -> None:
    """The child and whatever it started (tesseract, ghostscript: its process group)."""
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.is_alive():
        proc.kill()
    proc.join(5)
    with contextlib.suppress(ValueError):
        proc.close()


def _child(conn: Connection, limits: Limits, func: Callable[..., Any], args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> None:
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)  # a group of its own, so a kill also reaches the programs it starts
    _die_with_parent()
    _apply_limits(limits)
    message: tuple[str, Any]
    try:
        message = ("ok", func(*args, **kwargs))
    except MemoryError:
        message = ("memory", None)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
        message = ("error", _portable(exc))
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        data = pickle.dumps(("memory", None))
    except Exception as exc:  # noqa: BLE001 - an unpicklable result is a bug of the caged function
        data = pickle.dumps(("error", RuntimeError(f"caged result cannot be sent back: {exc}")))
    conn.send_bytes(data)
    conn.close()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself when it survives pickling, else a RuntimeError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - whatever pickle objects to, the caller gets a readable error
        return RuntimeError(f"{type(exc).__name__}: {exc}")


def _apply_limits(limits: Limits) -> None:
    import resource

    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 2)
    if limits.memory_mb > 0:
        size = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    if limits.cpu_seconds > 0:
        # SIGXCPU at the soft limit ends the child; the hard limit (SIGKILL) is the backstop.
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a killed parser leaves no core dump of the file


def _die_with_parent() -> None:
    """SIGKILL when the fork server goes (it ends with the process that started it)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:  # the parent already went before prctl took effect
            os._exit(1)


def _memory(limits: Limits) -> IngestError:
    return IngestError(MEMORY_LIMIT, f"Processing this file needed more than {limits.memory_mb} MiB of memory.",
                       hint="Split the file or export it again (for instance as PDF); an administrator can "
                            "raise ingest.cage_memory_mb if such files are expected.")


def _timeout(limits: Limits) -> IngestError:
    return IngestError(TIMEOUT, "Processing this file took longer than the time limit "
                                f"({limits.cpu_seconds} s of CPU, {limits.wall_seconds:.0f} s in all).",
                       hint="Split the file or export it again (for instance as PDF); an administrator can "
                            "raise ingest.cage_cpu_seconds and ingest.cage_wall_seconds.")


def _died(exitcode: int | None, limits: Limits) -> IngestError:
    if exitcode == -signal.SIGXCPU:
        return _timeout(limits)
    if exitcode == -signal.SIGKILL:  # the kernel's out-of-memory killer, or the CPU hard limit
        return _memory(limits)
    name = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    log.warning("caged parser died (%s)", name)
    return IngestError(PARSER_CRASHED, f"The parser stopped unexpectedly on this file ({name}).",
                       hint="The file is damaged or malicious; open it in its own application, save it "
                            "again and retry.")


__all__ = [
    "FAILURE_CODES",
    "IMAGE_TOO_LARGE",
    "MAX_IMAGE_PIXELS",
    "MEMORY_LIMIT",
    "PARSER_CRASHED",
    "TIMEOUT",
    "TOO_COMPLEX",
    "Limits",
    "run_caged",
    "too_complex",
]
