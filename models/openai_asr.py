"""`models.base.Transcriber` over OpenAI-compatible speech servers (`POST /v1/audio/transcriptions`:
vLLM with a Whisper model, whisper.cpp's server, faster-whisper servers), through a `ServerPool`.

The window [offset, offset + duration) is decoded here (as the in-process engine does) and sent as a
16 kHz mono WAV, so resumable chunking works the same; segment times come back shifted by `offset`.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from models.base import ModelError, Segment
from models.openai_compat import as_pool
from models.pool import Server, ServerFailed, ServerPool, http_failure

SAMPLE_RATE = 16000


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit PCM mono WAV of float samples in [-1, 1]."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    return out.getvalue()


class OpenAICompatTranscriber:
    def __init__(self, servers: str | Sequence[str] | ServerPool, model: str, *, api_key: str = "",
                 timeout: float = 300.0, retry_seconds: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.pool = as_pool(servers, "asr", api_key=api_key, timeout=timeout, retry_seconds=retry_seconds,
                            transport=transport)
        self.model = model
        self.name = f"openai-compatible:{model}"
        self.last_language = ""

    def transcribe(
        self, audio: Path, *, language: str | None = None, hotwords: Sequence[str] = (),
        offset: float = 0.0, duration: float | None = None,
    ) -> Iterator[Segment]:
        from models.whisper import decode_window

        samples = decode_window(Path(audio), offset, duration)
        if samples.size == 0:
            if offset <= 0:
                raise ModelError("asr.empty_audio", f"{Path(audio).name} holds no audio (0 seconds)",
                                 hint="the recording is empty; record or export it again")
            return
        form = {"model": self.model, "response_format": "verbose_json", "temperature": "0"}
        if language:
            form["language"] = language
        words = [w.strip() for w in hotwords if w and w.strip()]
        if words:
            form["prompt"] = ", ".join(words)  # steers the spelling, like faster-whisper's hotwords
        data = wav_bytes(samples)
        answer = self.pool.call(lambda server, timeout: _transcription(self.pool, server, form, data, timeout))
        self.last_language = language or str(answer.get("language") or "")
        for s in answer["segments"]:
            yield Segment(
                start=round(offset + float(s["start"]), 3), end=round(offset + float(s["end"]), 3),
                text=str(s["text"]).strip(), language=language or "",
                no_speech_prob=float(s.get("no_speech_prob") or 0.0),
                avg_logprob=float(s.get("avg_logprob") or 0.0),
                compression_ratio=float(s.get("compression_ratio") or 0.0),
            )


def _transcription(pool: ServerPool, server: Server, form: dict[str, str], wav: bytes,
                   timeout: httpx.Timeout) -> dict[str, Any]:
    try:
        resp = pool.client.post(server.url + "/audio/transcriptions", data=form,
                                files={"file": ("window.wav", wav, "audio/wav")}, timeout=timeout)
    except httpx.HTTPError as exc:
        raise http_failure(exc) from exc
    if resp.status_code != 200:
        raise ServerFailed(f"HTTP {resp.status_code}")
    try:
        answer = resp.json()
        segments = answer.get("segments")
        if segments is None:  # a server that gives text only: one segment over the window
            segments = [{"start": 0.0, "end": len(wav) / 2 / SAMPLE_RATE, "text": answer["text"]}]
        for s in segments:
            float(s["start"]), float(s["end"]), str(s["text"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ServerFailed("malformed JSON") from exc
    return {"language": answer.get("language", ""), "segments": segments}
