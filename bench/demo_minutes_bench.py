"""The demo council recording, end to end: transcription with and without priming, then the draft.

    python bench/demo_minutes_bench.py [--model var/models/whisper-base] [--threads 2] [--json]

Speaks the demo meeting (ops.demo.seed_minutes, espeak-ng + sox), transcribes it with whisper
twice, without and with the meeting's vocabulary as hotwords (agenda titles, names, places), and
prints for each: word error rate against the script, how many vocabulary words were heard right
(keyword hits), and the decisions a rules-only draft finds against the decisions read out (also
for the script itself as a perfect transcript: what the rules find when the speech is heard right).
Then the vocabulary clean-up runs on the primed transcript and the same figures are printed again.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appliance.access import SYSTEM
from appliance.evaluation.asr import Score, normalise_text
from appliance.evaluation.minutes import store_transcript
from ops.demo import seed_minutes as demo

# The decisions the demo reads out, as (agenda number, counts): the expectation the draft must meet.
READ_OUT = [(1, {}), (2, {"for": 20, "against": 3, "abstain": 2}), (3, {}), (4, {"for": 23, "against": 0, "abstain": 2})]


def keywords() -> list[str]:
    """Vocabulary words the script says: names, places and agenda words of six letters or more."""
    from appliance.recordings.cleanup import vocabulary_words

    spoken = set(normalise_text(demo.reference_text()).split())
    terms = [str(a["title"]) for a in demo.AGENDA] + demo.NAMES + demo.PLACES
    return sorted({w for w in (normalise_text(v) for v in vocabulary_words(terms).values())
                   if len(w) >= 6 and w in spoken})


def score(text: str, words: list[str]) -> dict[str, Any]:
    sc = Score()
    sc.add(demo.reference_text(), text)
    heard = set(normalise_text(text).split())
    return {"wer": round(sc.word_edits / sc.ref_words, 3), "keyword_hits": sum(w in heard for w in words),
            "keywords": len(words)}


def decisions(app: Any, rec_id: int) -> dict[str, Any]:
    from appliance.minutes import draft_minutes, get_minutes

    minutes = draft_minutes(app, rec_id, agenda=demo.AGENDA, use_model=False)
    _, items = get_minutes(app, minutes.id or 0)
    got = {(i.agenda_number, tuple(sorted(i.vote.items()))) for i in items if i.kind == "decision"}
    found = sum((n, tuple(sorted(v.items()))) in got for n, v in READ_OUT)
    at_item = sum(any(n == m for m, _ in got) for n, _ in READ_OUT)
    return {"decisions_read_out": len(READ_OUT), "decisions_found": found, "decisions_at_their_item": at_item,
            "drafted": [(i.agenda_number, i.text, i.vote) for i in items if i.kind == "decision"]}


def run(model: Path, threads: int) -> dict[str, Any]:
    from appliance.context import open_appliance
    from appliance.evaluation.retrieval import eval_settings
    from appliance.recordings import (
        clean_up_transcript,
        meeting_terms,
        priming_terms,
        segments_of,
    )
    from appliance.settings import Settings
    from models.fakes import FakeEmbedder
    from models.whisper import WhisperTranscriber

    out: dict[str, Any] = {"keywords": keywords()}
    engine = WhisperTranscriber(model, threads=threads)
    with tempfile.TemporaryDirectory(prefix="belfort-demo-bench-") as tmp:
        app = open_appliance(eval_settings(Settings(), Path(tmp)), embedder=FakeEmbedder())
        wav = demo.speak_meeting(Path(tmp) / "demo.wav")
        primed = priming_terms(app, agenda=demo.AGENDA, names=demo.NAMES, places=demo.PLACES)
        out["hotwords"] = primed
        script = store_transcript(app, [{"start": 5.0 * i, "end": 5.0 * i + 5, "text": t}
                                        for i, (_, t) in enumerate(demo.MEETING)])
        out["script"] = decisions(app, script)  # a perfect transcript: what the rules find
        for label, hot in (("plain", []), ("primed", primed)):
            started = time.perf_counter()
            segs = list(engine.transcribe(wav, language="nl", hotwords=hot))
            text = " ".join(s.text for s in segs)
            rec = store_transcript(app, [{"start": s.start, "end": s.end, "text": s.text} for s in segs])
            out[label] = {**score(text, out["keywords"]), **decisions(app, rec),
                          "seconds": round(time.perf_counter() - started, 1), "text": text}
        terms = meeting_terms(app, agenda=demo.AGENDA, names=demo.NAMES, places=demo.PLACES)
        changes = clean_up_transcript(app, SYSTEM, rec, terms=terms)
        text = " ".join(s.text for s in segments_of(app, rec))
        out["primed_cleaned"] = {**score(text, out["keywords"]), **decisions(app, rec), "changes": len(changes),
                                 "text": text}
        app.db.dispose()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=Path("var/models/whisper-base"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = run(args.model, args.threads)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"script as transcript: decisions {result['script']['decisions_found']}/"
          f"{result['script']['decisions_read_out']}")
    for label in ("plain", "primed", "primed_cleaned"):
        r = result[label]
        print(f"{label}: WER {r['wer']}, keyword hits {r['keyword_hits']}/{r['keywords']}, "
              f"decisions {r['decisions_found']}/{r['decisions_read_out']} with their counts, "
              f"{r['decisions_at_their_item']} at their agenda item")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
