"""`belfort transcript cleanup|revert`: correct a transcript towards its meeting's vocabulary, undo one change.

The clean-up runs as the system account; each change is a revision (action `cleanup`) shown in the
transcript editor's segment history, where it can be undone as well.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ops.commands._common import appliance_from


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("transcript", help="correct a transcript towards its vocabulary; undo a correction")
    actions = parser.add_subparsers(dest="transcript_action", metavar="ACTION", required=True)
    c = actions.add_parser("cleanup", help="correct words close to the agenda, names and places (reversible)")
    c.add_argument("recording_id", type=int)
    c.add_argument("--term", action="append", default=[], metavar="TERM",
                   help="vocabulary term (repeatable); default: the recording's agenda, names and asr.place_names")
    c.add_argument("--model", help="also let this .gguf model propose corrections (kept only towards the vocabulary)")
    c.add_argument("--json", action="store_true", help="print the changes as JSON")
    c.set_defaults(func=_cleanup)
    r = actions.add_parser("revert", help="undo one text change (a revision id from the segment's history)")
    r.add_argument("recording_id", type=int)
    r.add_argument("revision_id", type=int)
    r.set_defaults(func=_revert)


def _cleanup(args: argparse.Namespace) -> int:
    from appliance.access import SYSTEM
    from appliance.recordings import clean_up_transcript

    app = appliance_from(args)
    llm = None
    if args.model:
        from models.llamacpp import LlamaCppLLM

        llm = LlamaCppLLM(Path(args.model), **app.registry.llm_runtime())
    changes = clean_up_transcript(app, SYSTEM, args.recording_id, terms=args.term, llm=llm)
    if args.json:
        print(json.dumps([{"segment_id": c.segment_id, "old": c.old, "new": c.new} for c in changes],
                         ensure_ascii=False))
    else:
        for c in changes:
            print(f"segment {c.segment_id}: {c.old}\n  -> {c.new}")
        print(f"{len(changes)} segments corrected")
    return 0


def _revert(args: argparse.Namespace) -> int:
    from appliance.access import SYSTEM
    from appliance.recordings import revert_revision

    seg = revert_revision(appliance_from(args), SYSTEM, args.recording_id, args.revision_id)
    print(f"segment {seg.id}: {seg.text}")
    return 0
