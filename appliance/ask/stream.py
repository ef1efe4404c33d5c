"""Ask as server-sent events: `token` pieces while the model writes, one `answer` with the checked
answer, then `done`; a failure is an `error` event with code, message and hint.

The answer pipeline blocks (SQLite, embeddings, llama.cpp), so it runs in a worker thread; its
pieces reach the async response through the event loop (`call_soon_threadsafe` into an
asyncio.Queue), and nothing blocks the loop. When the client goes away, Litestar cancels the
response's iterator; its `finally` marks the run as abandoned, the next piece's callback raises,
and `answer()` stops generating, checks what it has and still writes the audit record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from appliance.errors import BelfortError

log = logging.getLogger("belfort.ask")

KEEPALIVE_S = 15.0  # a comment line while the model reads the prompt keeps proxies from closing
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}

Piece = Callable[[str], None]
Run = Callable[[Piece], dict[str, Any]]
Describe = Callable[[BelfortError], dict[str, Any]] | None


class ClientGone(Exception):
    """Raised into the pipeline's stream callback once nobody reads the stream any more."""


def error_payload(exc: BelfortError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message, "hint": exc.hint, "status": exc.status}


def _message(event: str, data: dict[str, Any]) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=event, data=json.dumps(data, ensure_ascii=False))


async def events(run: Run, *, keepalive: float = KEEPALIVE_S,
                 describe: Describe = None) -> AsyncIterator[ServerSentEventMessage]:
    """Start `run(on_piece)` in a thread and relay what it produces as SSE messages; `describe`
    turns an error into the event's data (the web page translates it)."""
    describe = describe or error_payload
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    gone = threading.Event()

    def put(event: str, data: dict[str, Any]) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, (event, data))
        except RuntimeError:  # the loop is closed: nobody listens any more
            pass

    def on_piece(piece: str) -> None:
        if gone.is_set():
            raise ClientGone
        put("token", {"text": piece})

    def work() -> None:
        try:
            put("answer", run(on_piece))
        except BelfortError as exc:
            put("error", describe(exc))
        except Exception as exc:  # reported as a coded event; details go to the log only
            log.error("ask stream failed (%s)", type(exc).__name__, exc_info=exc)
            put("error", describe(BelfortError("internal", "an unexpected error occurred", status=500,
                                               hint="the administrator finds the details in the server log")))
        finally:
            put("done", {})

    threading.Thread(target=work, name="ask-stream", daemon=True).start()
    try:
        while True:
            try:
                event, data = await asyncio.wait_for(queue.get(), keepalive)
            except TimeoutError:
                yield ServerSentEventMessage(comment="keepalive", data=None)
                continue
            yield _message(event, data)
            if event == "done":
                return
    finally:
        gone.set()  # normal end, client gone or cancelled: the worker stops at its next piece


async def single_error(exc: BelfortError, describe: Describe = None) -> AsyncIterator[ServerSentEventMessage]:
    """Bad input found before the pipeline starts (an EventSource cannot read a 400 body)."""
    yield _message("error", (describe or error_payload)(exc))
    yield _message("done", {})


def sse(content: AsyncIterator[ServerSentEventMessage]) -> ServerSentEvent:
    return ServerSentEvent(content, headers=HEADERS)
