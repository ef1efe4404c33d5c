"""PERSON recall and precision on bench/pii_names_dev.jsonl, rule-only and with Frog.

    python bench/pii_names_bench.py [--file bench/pii_names_dev.jsonl] [--misses] [--no-frog]

A gold span counts as found when one predicted PERSON span covers it (as `belfort eval pii --spans`
counts); a predicted span is right when it overlaps a gold span. Modes: `rules` (no tagger, the name
lists), `rules-bare` (no tagger, no name lists: titles, roles and initials only) and `frog`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appliance.privacy import NameLists, default_first_names, default_name_lists, detect_pii
from models.base import NerTagger


def measure(rows: list[dict], ner: NerTagger | None, first: frozenset[str], lists: NameLists,
            misses: bool) -> dict[str, float | int]:
    found = support = right = predicted = 0
    for row in rows:
        text, gold = row["text"], [(s["start"], s["end"]) for s in row["spans"] if s["kind"] == "PERSON"]
        pred = [(s.start, s.end) for s in detect_pii(text, ner=ner, entities={"PERSON"}, first_names=first,
                                                      names=lists)]
        for gs, ge in gold:
            hit = any(ps <= gs and pe >= ge for ps, pe in pred)
            found += hit
            if misses and not hit:
                print(f"  missed: {text[gs:ge]!r}")
        for ps, pe in pred:
            ok = any(ps < ge and pe > gs for gs, ge in gold)
            right += ok
            if misses and not ok:
                print(f"  wrong:  {text[ps:pe]!r}")
        support += len(gold)
        predicted += len(pred)
    return {"recall": round(found / support, 4) if support else 0.0,
            "precision": round(right / predicted, 4) if predicted else 0.0,
            "support": support, "predicted": predicted}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--file", default=str(ROOT / "bench" / "pii_names_dev.jsonl"))
    ap.add_argument("--misses", action="store_true", help="print each missed and each wrong span")
    ap.add_argument("--no-frog", action="store_true", help="skip the Frog mode")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.file).read_text("utf-8").splitlines() if line.strip()]
    modes: list[tuple[str, NerTagger | None, frozenset[str], NameLists]] = [
        ("rules", None, default_first_names(), default_name_lists()),
        ("rules-bare", None, frozenset(), NameLists.empty()),
    ]
    tagger = None
    if not args.no_frog:
        from models.registry import build_ner

        tagger = build_ner("auto")
        if tagger is not None:
            modes.append(("frog", tagger, default_first_names(), default_name_lists()))
    try:
        for name, ner, first, lists in modes:
            if args.misses:
                print(f"{name}:")
            print(json.dumps({"mode": name} | measure(rows, ner, first, lists, args.misses)))
    finally:
        close = getattr(tagger, "close", None)
        if close is not None:
            close()


if __name__ == "__main__":
    main()
