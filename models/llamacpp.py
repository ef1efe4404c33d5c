"""In-process llama.cpp engine (llama-cpp-python, built portable: GGML_NATIVE=OFF).

One `Llama` instance per process is shared by every request: llama.cpp contexts are not
thread-safe, and a second copy of the weights would double the memory. Requests wait their turn
in a FIFO queue (`FairLock`); a request that waits longer than its timeout gets `ModelBusy`, so
the answer pipeline can fall back to an extractive answer instead of hanging.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import deque
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack, cast

from models.base import ChatMessage, ChatOptions, ChatRequest, ModelError
from models.catalog import file_sha256

if TYPE_CHECKING:
    from llama_cpp.llama_types import CreateChatCompletionStreamResponse


class ModelBusy(ModelError):
    """The model stayed busy with other requests for longer than the caller wanted to wait."""

    def __init__(self, waited: float) -> None:
        super().__init__(
            "llm.busy", f"the language model stayed busy for {waited:.0f} s",
            hint="try again, or raise llm.timeout_seconds / provision a larger machine",
        )


class FairLock:
    """A FIFO lock: waiters are served in arrival order (threading.Lock makes no such promise)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._held = False

    def acquire(self, timeout: float | None = None) -> bool:
        ticket = object()
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            self._queue.append(ticket)
            while self._held or self._queue[0] is not ticket:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    self._queue.remove(ticket)
                    self._cond.notify_all()  # the next in line may be first now
                    return False
                self._cond.wait(remaining)
            self._queue.popleft()
            self._held = True
            return True

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._queue)


def find_gguf(path: Path) -> Path:
    """A .gguf file, or the single .gguf inside a model folder."""
    if path.is_dir():
        files = sorted(path.glob("*.gguf"))
        if len(files) != 1:
            raise ModelError(
                "llm.model_missing" if not files else "llm.model_ambiguous",
                f"expected one .gguf file in {path}, found {len(files)}",
                hint="provision the model with `belfort models` or set llm.model to a .gguf path",
            )
        return files[0]
    if not path.exists():
        raise ModelError(
            "llm.model_missing", f"model file {path} not found",
            hint="provision the model with `belfort models` or set llm.model to an existing .gguf",
        )
    return path


class LlamaCppLLM:
    """`models.base.LLM` over llama-cpp-python, shared by all requests of this process."""

    def __init__(
        self,
        model_path: Path | str,
        *,
        n_ctx: int = 4096,
        n_threads: int = 0,
        n_gpu_layers: int = 0,
        n_batch: int = 512,
        expected_sha256: str = "",
        queue_timeout: float | None = None,
        verbose: bool = False,
    ) -> None:
        path = find_gguf(Path(model_path))
        self.path = path
        self.sha256 = file_sha256(path)
        if expected_sha256 and expected_sha256.lower() != self.sha256:
            raise ModelError(
                "llm.checksum_mismatch",
                f"{path.name} has sha256 {self.sha256[:12]}…, expected {expected_sha256[:12]}…",
                hint="the file is damaged or a different model: provision it again",
            )
        self.name = path.stem
        self.queue_timeout = queue_timeout
        self.params = {"n_ctx": n_ctx, "n_threads": n_threads, "n_gpu_layers": n_gpu_layers,
                       "n_batch": n_batch}
        self.lock = FairLock()
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ModelError("llm.engine_missing", "llama-cpp-python is not installed",
                             hint="install belfort[llm] (built with GGML_NATIVE=OFF)") from exc
        kw: dict[str, Any] = {"n_ctx": n_ctx, "n_batch": n_batch, "n_gpu_layers": n_gpu_layers,
                              "verbose": verbose}
        if n_threads > 0:
            kw["n_threads"] = n_threads
            kw["n_threads_batch"] = n_threads
        try:
            self._llama = Llama(model_path=str(path), **kw)
        except (ValueError, RuntimeError) as exc:  # llama.cpp refuses a broken/unknown file
            raise ModelError("llm.load_failed", f"llama.cpp could not load {path.name}: {exc}",
                             hint="check the file with `belfort doctor`; provision it again") from exc
        # Free the weights when this engine goes, or at exit while llama.cpp is still loaded (Llama's
        # own __del__ at interpreter shutdown finds the library gone and prints a traceback).
        weakref.finalize(self, self._llama.close)
        self.n_ctx = n_ctx

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def stream(self, messages: Sequence[ChatMessage], **options: Unpack[ChatOptions]) -> Iterator[str]:
        """Yield text pieces; waits its turn in the queue first (ModelBusy after `timeout`)."""
        req = ChatRequest.of(messages, options)
        wait = self.queue_timeout if req.timeout is None else req.timeout
        started = time.monotonic()
        if not self.lock.acquire(wait):
            raise ModelBusy(time.monotonic() - started)
        try:
            # Every prompt is read whole, so that the same prompt gives the same output whatever ran before:
            # llama.cpp's sums depend on how a prompt is cut into batches, and a prefix kept from the last
            # request moves the cut (4 of 12 question translations changed with the request before them).
            # The cost is reading the shared system prompt again (about 0.6 s a call on 2 cores).
            self._llama.reset()
            kw = req.body()
            if req.json_schema is not None:
                # llama-cpp-python turns the schema into a GBNF grammar: the output always parses.
                kw["response_format"] = {"type": "json_object", "schema": req.json_schema}
            # stream=True: the call returns chunks (its declared type also covers a whole response).
            chunks = cast("Iterator[CreateChatCompletionStreamResponse]", self._llama.create_chat_completion(**kw))
            for chunk in chunks:
                piece = chunk["choices"][0]["delta"].get("content")
                if isinstance(piece, str) and piece:
                    yield piece
        finally:
            # Runs too when the consumer stops early (client gone): the next request may start.
            self.lock.release()
