from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ops.commands._common import settings_from


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("asr", help="WER, CER and real-time factor of Belfort's ASR next to raw faster-whisper")
    p.add_argument("manifest", type=Path, help="TSV lines: audio_path<TAB>reference text")
    p.add_argument("--limit", type=int, default=None, help="only the first N clips")
    p.add_argument("--language", default="nl", help="fixed language, or 'auto' to detect (default nl)")
    p.add_argument("--model", default="whisper-base", help="catalog name or folder of the whisper model")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: all cores)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from appliance.evaluation import evaluate_asr
    from appliance.recordings import as_belfort_error
    from models.base import ModelError
    from models.catalog import resolve_model_dir
    from models.whisper import WhisperTranscriber

    settings = settings_from(args)
    try:
        engine = WhisperTranscriber(resolve_model_dir(settings.models_dir, args.model), threads=args.threads)
    except ModelError as exc:
        raise as_belfort_error(exc) from exc
    language = None if args.language == "auto" else args.language

    def tick(done: int, total: int, partial: dict) -> None:
        # Running figures on stderr: a long run that has to stop early still tells something.
        if done % 10 == 0 or done == total:
            b, r = partial["belfort"], partial["raw"]
            print(f"  {done}/{total} clips: WER {b['wer']:.3f}/{r['wer']:.3f} RTF {b['rtf']:.3f}/{r['rtf']:.3f} "
                  "(belfort/raw)", file=sys.stderr, flush=True)

    result = evaluate_asr(args.manifest, transcriber=engine, limit=args.limit, language=language, progress=tick)
    from appliance.ai_register import record_evaluation

    record_evaluation(settings, "asr", result, dataset=str(args.manifest), model=args.model)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for key in ("belfort", "raw"):
            r = result[key]
            print(f"{key:8s} WER {r['wer']:.4f}  CER {r['cer']:.4f}  RTF {r['rtf']:.3f}")
        print(f"RTF overhead {result['rtf_overhead']:+.1%} on {result['n']} clips "
              f"({result['audio_seconds'] / 60:.1f} min of audio)")
    return 0
