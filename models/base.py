"""Small protocols for every engine, and the result types they return.

Each protocol has one or two required methods. Engines live in their own modules and are built by
`models.registry`; `models.fakes` holds deterministic fakes for unit tests of the code around them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypedDict, Unpack, runtime_checkable

import numpy as np


class ModelError(Exception):
    """An engine cannot run: `code` is stable, `hint` names what IT must provision."""

    def __init__(self, code: str, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


# --- Embeddings -------------------------------------------------------------------------------


@runtime_checkable
class Embedder(Protocol):
    id: str  # engine:model@sha256-prefix; changes whenever vectors would change
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised."""
        ...


# --- LLM --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatMessage:
    role: str  # system | user | assistant
    content: str


@dataclass
class Generation:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    first_token_seconds: float = 0.0


class ChatOptions(TypedDict, total=False):
    """Keyword options of `LLM.stream`; `ChatRequest.of` fills in the defaults."""

    max_tokens: int
    temperature: float
    json_schema: dict[str, Any] | None  # the output must parse as JSON of this schema
    stop: Sequence[str]
    timeout: float | None  # seconds to wait for the engine (its own default when None)


@dataclass(frozen=True)
class ChatRequest:
    """One generation asked of an engine, its options with their defaults filled in."""

    messages: tuple[ChatMessage, ...]
    max_tokens: int = 512
    temperature: float = 0.1
    json_schema: dict[str, Any] | None = None
    stop: Sequence[str] = ()
    timeout: float | None = None

    @classmethod
    def of(cls, messages: Sequence[ChatMessage], options: ChatOptions) -> ChatRequest:
        return cls(tuple(messages), **options)

    def body(self) -> dict[str, Any]:
        """The OpenAI chat-completions request, streamed (llama-cpp-python takes the same keys)."""
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
            "max_tokens": self.max_tokens, "temperature": self.temperature, "stream": True,
        }
        if self.stop:
            body["stop"] = list(self.stop)
        return body


@runtime_checkable
class LLM(Protocol):
    name: str
    sha256: str

    def stream(self, messages: Sequence[ChatMessage], **options: Unpack[ChatOptions]) -> Iterator[str]:
        """Yield text pieces as they are generated."""
        ...


# --- Speech -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    start: float  # seconds from the start of the original recording
    end: float
    text: str  # as the decoder wrote it, leading space included


@dataclass
class Segment:
    start: float  # seconds from the start of the original recording
    end: float
    text: str
    language: str = ""
    speaker: str = ""
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0
    words: list[Word] = field(default_factory=list)  # only when asked for (speaker turns need them)


@runtime_checkable
class Transcriber(Protocol):
    name: str

    def transcribe(
        self, audio: Path, *, language: str | None = None, hotwords: Sequence[str] = (),
        offset: float = 0.0, duration: float | None = None,
    ) -> Iterator[Segment]:
        ...


@dataclass(frozen=True)
class Turn:
    """Who speaks when: a diarizer's label (S1, S2, ...) that people map to an attendee's name."""

    start: float  # seconds from the start of the recording
    end: float
    speaker: str


@runtime_checkable
class Diarizer(Protocol):
    name: str

    def diarize(self, audio: Path) -> list[Turn]:
        """Speaker turns of the whole recording, in time order (global labels, so a whole file)."""
        ...


# --- OCR --------------------------------------------------------------------------------------


@dataclass
class OcrPage:
    number: int
    text: str
    confidence: float  # 0..1, mean word confidence
    engine: str = ""


@runtime_checkable
class OcrEngine(Protocol):
    name: str

    def ocr_image(self, image: Path, *, languages: Sequence[str] = ("nld", "fra")) -> OcrPage:
        ...


# --- Named entities ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entity:
    label: str  # PER | LOC | ORG | MISC
    start: int
    end: int
    text: str
    score: float = 1.0


@runtime_checkable
class NerTagger(Protocol):
    name: str

    def tag(self, text: str, *, deadline: float | None = None) -> list[Entity]:
        """Entities with offsets into `text`. Past `deadline` (time.monotonic()), ModelError ner.timeout
        (or ner.busy while waiting for a shared engine) and no partial result."""
        ...


@dataclass
class ModelFile:
    path: str  # relative to the model's folder
    sha256: str
    size: int


@dataclass
class ModelManifest:
    name: str
    kind: str  # embedder | llm | asr | ocr | ner
    engine: str
    licence: str
    languages: list[str]
    files: list[ModelFile]
    source: dict[str, Any] = field(default_factory=dict)
    description: str = ""
