"""Free answers: the model writes, and only the sentences its cited sources carry reach the user.

Used by larger models (a GPU profile, an on-premises server, or `ask.answer_mode = free`); on the
CPU profile answers are composed from source sentences instead (compose.py). Every sentence is
checked against exactly what the model was shown (citations.py, claims.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from appliance.ask import prompts
from appliance.ask.citations import CheckResult, check_answer
from appliance.ask.relevance import vector_threshold
from appliance.ask.routes import dont_know
from appliance.ask.types import Answer, Citation, Source
from models.base import LLM, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_TOKENS = 120
TEMPERATURE = 0.1

StreamCallback = Callable[[str], None]


@dataclass
class Generated:
    text: str = ""
    pieces: int = 0
    seconds: float = 0.0
    first_token: float = 0.0
    error: str = ""


def generate(engine: LLM | None, q: str, chosen: list[Source], language: str, timeout: float,
              stream_cb: StreamCallback | None) -> Generated | None:
    """Run the LLM; None means: fall back to an extractive answer (no engine, busy, failed)."""
    if engine is None:
        return None
    shown = [prompts.PromptSource(s.number, s.title, s.prompt_text, prompts.neutralise(s.context)[0])
             for s in chosen]
    messages = prompts.build_messages(prompts.prompt_question(q), shown, language)
    gen = Generated()
    t0 = time.perf_counter()
    pieces = engine.stream(messages, max_tokens=MAX_TOKENS, temperature=TEMPERATURE,
                           timeout=timeout)
    try:
        for piece in pieces:
            if not gen.pieces:
                gen.first_token = time.perf_counter() - t0
            gen.pieces += 1
            gen.text += piece
            if stream_cb is not None:
                try:
                    stream_cb(piece)
                except Exception:  # noqa: BLE001  # the client went away: stop, but still check and audit
                    gen.error = "client_disconnected"
                    break
    except ModelError:
        return None
    finally:
        close = getattr(pieces, "close", None)
        if close is not None:
            close()  # frees the model for the next request at once
    gen.seconds = max(time.perf_counter() - t0 - gen.first_token, 1e-6)
    return gen


def cross_language_similarity(app: Appliance, language: str, chosen: list[Source]
                               ) -> tuple[Callable[[str, str], float], float] | None:
    """A French answer over Dutch passages shares few words with them: there the citation check
    may also accept an embedding cosine (numbers must still match)."""
    if all(not s.language or s.language == language for s in chosen):
        return None
    try:
        embedder = app.embedder
        threshold = vector_threshold(embedder.id)
    except Exception:  # noqa: BLE001
        return None
    if threshold is None:
        return None

    def cosine(sentence: str, passage: str) -> float:
        v = embedder.embed_passages([sentence, passage])
        return float(v[0] @ v[1])

    return cosine, threshold


def checked(gen: Generated, chosen: list[Source], language: str, routes: list[dict[str, str]],
             base: dict[str, Any], question: str,
             cross: tuple[Callable[[str, str], float], float] | None) -> Answer:
    raw = gen.text.strip()
    marker = prompts.DONT_KNOW_MARKER[language].rstrip(".").lower()
    # Checked against exactly what the model was shown: the title is context for every sentence.
    sim, min_cos = cross if cross else (None, 1.0)
    shown = {s.number: f"# {s.title}\n\n{s.prompt_text}" if s.title else s.prompt_text for s in chosen}
    result: CheckResult = check_answer(raw, shown, question=question, similarity=sim, min_cosine=min_cos)
    checks: dict[str, Any] = {"raw": raw, **result.as_dict()}
    said_dont_know = raw.lower().startswith(marker) or not raw
    if said_dont_know or not result.kept:
        checks["gate"] = "model_dont_know" if said_dont_know else "nothing_supported"
        return dont_know(language, routes, chosen, checks, base)
    citations = [Citation(n, s.text, round(s.support, 3), s.reason) for s in result.kept for n in s.cited]
    return Answer(text=result.text, citations=citations, sources=chosen, status="answered",
                  checks=checks, **base)


def model_writes_freely(app: Appliance) -> bool:
    """Whether the configured model is big enough to write its own sentences: one on a GPU or behind an
    openai-compatible server. On a CPU-only profile the small model only chooses among source
    sentences (Ask composes; plain language keeps the rules' rewrite)."""
    if app.settings.llm.engine == "openai-compatible":
        return True
    layers = app.settings.llm.gpu_layers if app.settings.llm.gpu_layers >= -1 else app.hardware.llm_gpu_layers
    return layers != 0


def answer_mode(app: Appliance) -> str:
    """composed | free: `ask.answer_mode`, where auto is composed on a CPU-only profile."""
    mode = app.settings.ask.answer_mode
    if mode != "auto":
        return mode
    return "free" if model_writes_freely(app) else "composed"
