"""`belfort eval minutes [FILE.json ...] [--council DIR] [--model GGUF | --rules-only] [--json]`:
decision recall and unsupported items; `--council` reads published notulen as transcripts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from models.base import LLM
from ops.commands._common import settings_from


def register(kinds: argparse._SubParsersAction) -> None:
    p = kinds.add_parser("minutes", help="drafted minutes: decision recall and unsupported-item rate")
    p.add_argument("files", nargs="*", type=Path,
                   help='JSON: {"transcript": [...] or "recording": path, "agenda", "attendees", "decisions"}')
    p.add_argument("--model", help="a .gguf file or model folder instead of the configured LLM")
    p.add_argument("--asr-model", default="whisper-base", help="whisper model for files with a 'recording'")
    p.add_argument("--council", type=Path, help="a folder of published notulen (*.txt) read as transcripts, "
                   "their voted items as the known decisions (e.g. ../shared/eval/council)")
    p.add_argument("--rules-only", action="store_true", help="no language model: decisions found by rule alone")
    p.add_argument("--no-rules", action="store_true", help="the model alone (no vote rules), to compare")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from appliance.context import Appliance
    from appliance.errors import BelfortError
    from appliance.evaluation import run_minutes_eval

    settings = settings_from(args)
    app = Appliance(settings)  # settings and hardware profile only; each file gets its own appliance
    cases: list[dict[str, Any]] = []
    skipped: list[str] = []
    if args.council is not None:
        from appliance.evaluation import council_cases

        cases, skipped = council_cases(args.council)
    if not args.files and not cases:
        raise BelfortError("eval.no_cases", "no eval files and no notulen with votes",
                           hint="pass FILE.json or --council ../shared/eval/council")
    llm: LLM | None = None
    if args.model:
        from models.llamacpp import LlamaCppLLM

        llm = LlamaCppLLM(Path(args.model), **app.registry.llm_runtime())
    elif not args.rules_only:
        llm = app.registry.llm()
        if llm is None:
            raise BelfortError("eval.no_llm", "no LLM configured", hint="pass --model, --rules-only or set llm.engine")
    transcriber = None
    if any("recording" in json.loads(f.read_text("utf-8")) for f in args.files):
        from appliance.recordings import build_transcriber

        transcriber = build_transcriber(app, args.asr_model)
    print(f"model: {getattr(llm, 'name', 'none (rules only)')}", file=sys.stderr)
    result = run_minutes_eval(args.files, settings, llm, transcriber=transcriber, cases=cases, rules=not args.no_rules)
    result["skipped"] = skipped
    from appliance.ai_register import record_evaluation

    dataset = str(args.council or (args.files[0] if args.files else ""))
    record_evaluation(settings, "minutes", result, dataset=dataset, model=getattr(llm, "name", "rules"))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        for r in result["files"]:
            print(f"{r['file']}: recall {r['decision_recall']} ({r['decisions_found']}/{r['decisions_expected']}), "
                  f"unsupported {r['unsupported_items']}/{r['items']}, {r['latency_s']} s, state {r['state']}")
        print(f"decision recall {result['decision_recall']} ({result['decisions_found']}/"
              f"{result['decisions_expected']}); unsupported-item rate {result['unsupported_rate']} "
              f"({result['unsupported_items']}/{result['items']}); model {result['model']}")
    return 0
