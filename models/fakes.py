"""Deterministic fakes for unit tests of the code around engines (never for end-to-end tests)."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Unpack

import numpy as np

if TYPE_CHECKING:
    from models.base import Entity

from models.base import ChatMessage, ChatOptions, ChatRequest

_WORD = re.compile(r"\w+", re.UNICODE)


class FakeEmbedder:
    """Hashed bag of words: texts sharing words get similar vectors. Fast and dependency-free."""

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.id = f"fake:bow@{dim}"

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        n = float(np.linalg.norm(v))
        return v / n if n else v

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


class FakeLLM:
    """Scripted LLM: replies with `reply` (a string, or a function of the messages), in word pieces.

    Every call's messages are kept in `calls`, so tests can assert what reached the model (for
    example that no hidden passage was ever put in a prompt). `delay` slows each piece down.
    """

    def __init__(
        self,
        reply: str | Callable[[Sequence[ChatMessage]], str] = "Ik weet het niet.",
        *,
        name: str = "fake-llm",
        delay: float = 0.0,
    ) -> None:
        self.reply = reply
        self.name = name
        self.sha256 = hashlib.sha256(name.encode()).hexdigest()
        self.delay = delay
        self.calls: list[list[ChatMessage]] = []
        self.lock = threading.Lock()

    def stream(self, messages: Sequence[ChatMessage], **options: Unpack[ChatOptions]) -> Iterator[str]:
        req = ChatRequest.of(messages, options)
        self.calls.append(list(messages))
        text = self.reply(messages) if callable(self.reply) else self.reply
        if req.json_schema is not None and not text.lstrip().startswith("{"):
            text = json.dumps({"answer": text})
        with self.lock:  # one generation at a time, like the real engine
            for piece in re.findall(r"\S+\s*|\s+", text)[: max(req.max_tokens, 1)]:
                if self.delay:
                    time.sleep(self.delay)
                yield piece

    @property
    def last_prompt(self) -> str:
        return "\n".join(m.content for m in self.calls[-1]) if self.calls else ""


class FakeNerTagger:
    """Tags the given surface strings wherever they occur (e.g. {"Jan Peeters": "PER"})."""

    name = "fake-ner"

    def __init__(self, known: dict[str, str] | None = None) -> None:
        self.known = dict(known or {})

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        import time

        from models.base import Entity, ModelError

        if deadline is not None and time.monotonic() >= deadline:
            raise ModelError("ner.timeout", "name tagging ran out of time")
        out = []
        for surface, label in self.known.items():
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                out.append(Entity(label, m.start(), m.end(), m.group()))
        return sorted(out, key=lambda e: e.start)


class FakeTranscriber:
    """Scripted transcriber: `script` holds segments on the recording's own timeline.

    `transcribe(offset=, duration=)` yields the scripted segments that start inside that window,
    as the real engine would, and records each call's window in `calls`, so tests can check that a
    resumed run never transcribes a finished window again. It never opens the audio file.
    """

    def __init__(self, script: Sequence[Any] = (), *, name: str = "fake-transcriber") -> None:
        from models.base import Segment

        self.script = [s if isinstance(s, Segment) else Segment(*s) for s in script]
        self.name = name
        self.calls: list[tuple[float, float | None]] = []

    def transcribe(
        self, audio: Any, *, language: str | None = None, hotwords: Sequence[str] = (),
        offset: float = 0.0, duration: float | None = None,
    ) -> Iterator[Any]:
        from dataclasses import replace

        self.calls.append((offset, duration))
        end = float("inf") if duration is None else offset + duration
        for seg in self.script:
            if offset <= seg.start < end:
                yield replace(seg, language=seg.language or (language or ""))


class FakeOcr:
    """Scripted OCR engine: every image reads as `text` with `confidence`; `calls` lists the images."""

    def __init__(self, text: str = "", confidence: float = 0.9, *, name: str = "fake-ocr") -> None:
        self.text = text
        self.confidence = confidence
        self.name = name
        self.calls: list[Any] = []

    def ocr_image(self, image: Any, *, languages: Sequence[str] = ()) -> Any:
        from models.base import OcrPage

        self.calls.append(image)
        return OcrPage(number=1, text=self.text, confidence=self.confidence, engine=self.name)
