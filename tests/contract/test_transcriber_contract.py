"""One contract for every Transcriber: the fake, faster-whisper (when its model is provisioned) and
the client of an OpenAI-compatible speech server (a loopback server decoding with faster-whisper).

Segments come in time order, on the original recording's timeline, inside the asked window.
The real engine also has to leave silence and noise without text once the guard has run.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from appliance.recordings.asr_guard import guard_segments, normalise
from appliance.recordings.transcripts import transcribe_file
from models.base import Segment, Transcriber
from models.fakes import FakeTranscriber
from tests.asr_fixture import music, noise, require_whisper, silence, sox, speak

SPEECH_AT = 3.0  # the sentence starts this many seconds into the recording
SENTENCE = "Goedemorgen. De gemeenteraad begint."


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("contract")
    voice = speak(folder / "voice.wav", SENTENCE)
    pad = silence(folder / "pad.wav", SPEECH_AT)
    sox(str(pad), str(voice), str(pad), str(folder / "meeting.wav"))
    return folder / "meeting.wav"


@pytest.fixture(scope="module")
def whisper() -> Iterator[Transcriber]:
    from models.whisper import WhisperTranscriber

    yield WhisperTranscriber(require_whisper(), threads=2)


class _SpeechServer(BaseHTTPRequestHandler):
    """`POST /v1/audio/transcriptions` the OpenAI way (verbose_json), decoded by the real whisper
    engine (as vLLM or whisper.cpp's server would)."""

    engine: Any = None
    folder: Path = Path()

    def log_message(self, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers["Content-Length"]))
        msg = BytesParser().parsebytes(b"Content-Type: " + self.headers["Content-Type"].encode() + b"\r\n\r\n" + raw)
        form = {part.get_param("name", header="content-disposition"): part.get_payload(decode=True)
                for part in msg.get_payload()}
        audio = self.folder / "upload.wav"
        audio.write_bytes(form["file"])
        segs = self.engine.transcribe(audio, language=form["language"].decode())
        out = json.dumps({"language": "nl", "segments": [
            {"start": x.start, "end": x.end, "text": x.text, "avg_logprob": x.avg_logprob} for x in segs]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.fixture(scope="module")
def speech_server(whisper: Transcriber, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    handler = type("Handler", (_SpeechServer,), {"engine": whisper, "folder": tmp_path_factory.mktemp("srv")})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(params=["fake", "faster-whisper", pytest.param(
    "openai-compatible", marks=[pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"])])])
def engine(request: pytest.FixtureRequest) -> Transcriber:
    if request.param == "fake":
        return FakeTranscriber([Segment(SPEECH_AT, SPEECH_AT + 2.0, SENTENCE)])
    if request.param == "openai-compatible":
        from models.openai_asr import OpenAICompatTranscriber

        return OpenAICompatTranscriber(request.getfixturevalue("speech_server"), "whisper-base")
    return request.getfixturevalue("whisper")


def test_is_a_transcriber(engine: Transcriber) -> None:
    assert isinstance(engine, Transcriber) and engine.name


def test_window_segments_are_on_the_original_timeline(engine: Transcriber, recording: Path) -> None:
    segs = list(engine.transcribe(recording, language="nl", offset=2.0, duration=6.0))
    assert segs, "speech in the window gave no segment"
    assert all(isinstance(s, Segment) for s in segs)
    assert all(2.0 <= s.start <= s.end <= 8.0 + 0.1 for s in segs)
    assert segs == sorted(segs, key=lambda s: s.start)
    assert abs(segs[0].start - SPEECH_AT) < 1.0  # not 1.0 (relative to the window)


def test_window_after_the_speech_is_empty(engine: Transcriber, recording: Path) -> None:
    assert [s.text for s in engine.transcribe(recording, language="nl", offset=7.0, duration=2.0)
            if normalise(s.text)] == []


def test_real_engine_reads_the_sentence_through_the_guard(whisper: Transcriber, recording: Path) -> None:
    segs = transcribe_file(recording, whisper, language="nl", hotwords=["gemeenteraad"])
    assert "goedemorgen" in normalise(" ".join(s.text for s in segs)).replace(" ", "")
    assert {s.language for s in segs} == {"nl"}


@pytest.mark.parametrize("make", [silence, noise, music], ids=["silence", "noise", "music"])
@pytest.mark.parametrize("vad", [True, False], ids=["vad", "no-vad"])
def test_silence_noise_and_music_yield_no_text(tmp_path: Path, whisper: Transcriber, make, vad: bool) -> None:
    from models.whisper import WhisperTranscriber

    assert isinstance(whisper, WhisperTranscriber)
    engine = whisper if vad else WhisperTranscriber(whisper.model_dir, threads=2, vad=False)
    engine._model = whisper.model  # share the loaded weights: only the decoding options differ
    path = make(tmp_path / "x.wav", 3.0)
    raw = list(engine.transcribe(path, language="nl"))
    assert guard_segments(raw) == []
    if not vad and make is not noise:  # without VAD the pinned whisper-base captions these "MUZIEK"
        assert [normalise(s.text) for s in raw] == ["muziek"]

