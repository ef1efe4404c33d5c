from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("transcribe", help="transcribe a recording (audio or video) in resumable chunks")
    p.add_argument("file", type=Path, help="wav, mp3, m4a, ogg, opus, webm, mp4, ...")
    p.add_argument("--language", default=None, help="nl, fr, or 'auto' to detect per window (default: asr.language)")
    p.add_argument("--hotword", action="append", default=[], metavar="WORD",
                   help="a name or term to steer the spelling towards, added to asr.hotwords (repeatable)")
    p.add_argument("--agenda", type=Path, default=None, metavar="FILE",
                   help="the meeting's agenda (text, one item per line): its titles prime the transcription")
    p.add_argument("--attendee", action="append", default=[], metavar="NAME",
                   help="a participant whose name primes the transcription (repeatable)")
    p.add_argument("--chunk-seconds", type=float, default=None, help="window length (default: asr.chunk_seconds)")
    p.add_argument("--model", default=None, help="catalog name or folder of the whisper model (default: asr.model)")
    p.add_argument("--diarizer", default=None, help="none | channel | pyannote (default: asr.diarizer)")
    p.add_argument("--json", action="store_true", help="one JSON object with the segments")
    p.set_defaults(func=_run)


def _stamp(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def _run(args: argparse.Namespace) -> int:
    from appliance.recordings import (
        FROM_SETTINGS,
        build_diarizer,
        build_transcriber,
        priming_terms,
        transcribe_recording,
    )

    app = appliance_from(args)
    agenda = args.agenda.read_text("utf-8").splitlines() if args.agenda else []
    primed = priming_terms(app, agenda=agenda, names=args.attendee) if agenda or args.attendee else []
    diarizer = build_diarizer(app, args.diarizer)
    engine = build_transcriber(app, args.model, word_timestamps=diarizer is not None)

    def progress(fraction: float) -> None:
        if not args.json:
            print(f"  {fraction:.0%}", file=sys.stderr, flush=True)

    result = transcribe_recording(
        app, args.file, transcriber=engine, chunk_seconds=args.chunk_seconds,
        language=FROM_SETTINGS if args.language is None else (None if args.language == "auto" else args.language),
        hotwords=[*args.hotword, *primed], progress_cb=progress, diarizer=diarizer,
    )
    if args.json:
        print(json.dumps({
            "recording_id": result.recording_id, "duration": round(result.duration, 3),
            "chunks": result.n_chunks, "resumed_from": result.resumed_from, "dropped": result.dropped,
            "segments": [{"start": s.start, "end": s.end, "text": s.text, "language": s.language,
                          "speaker": s.speaker} for s in result.segments],
        }, ensure_ascii=False))
    else:
        for s in result.segments:
            who = f" {s.speaker}:" if s.speaker else ""
            print(f"[{_stamp(s.start)} --> {_stamp(s.end)}]{who} {s.text}")
    return 0
