"""Run the citation check over the labelled claim set and print how well it separates the classes.

    python bench/claims_set.py && python bench/claims_bench.py [--set bench/claims_set.jsonl] [--errors 5]

Each row's sentence is checked as the model's answer citing its passage as source [1], with the
row's question. Per class: how many were kept and rejected. "Unsupported rejected" is the recall of
the rejection (target >= 0.98); "paraphrases kept" the recall of faithful rewordings (target >=
0.85); precision is that of each decision (of the kept sentences, the share truly supported; of the
rejected ones, the share truly unsupported).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appliance.ask.citations import check_answer
from appliance.ask.claim_words import BOUNDS, QUALIFIERS, VALUE_WORDS
from appliance.index.text import fold

LISTED = QUALIFIERS | VALUE_WORDS | BOUNDS


def _listed(row: dict[str, str]) -> bool:
    """Whether a swapped qualifier is one the checker lists (the rest measure how it generalises)."""
    new = set(fold(row["sentence"]).split()) - set(fold(row["original"]).split())
    return any(w.strip(".,;:()") in LISTED for w in new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default=str(ROOT / "bench" / "claims_set.jsonl"))
    ap.add_argument("--errors", type=int, default=0, help="print this many errors per class")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    rows = [json.loads(line) for line in Path(args.set).read_text("utf-8").splitlines() if line.strip()]
    per: dict[str, dict[str, int]] = {}
    errors: dict[str, list[str]] = {}
    t0 = time.perf_counter()
    for r in rows:
        result = check_answer(f"{r['sentence'][:-1]} [1]{r['sentence'][-1]}", {1: r["passage"]},
                              question=r["question"])
        kept = any(s.kept and s.cited == [1] for s in result.sentences)
        c = per.setdefault(r["class"], {"n": 0, "kept": 0})
        c["n"] += 1
        c["kept"] += kept
        if r["class"] == "swapped_qualifier":
            q = per.setdefault("  of which listed" if _listed(r) else "  of which not listed", {"n": 0, "kept": 0})
            q["n"] += 1
            q["kept"] += kept
        if kept != (r["label"] == "supported"):
            reasons = ",".join(s.reason for s in result.sentences)
            errors.setdefault(r["class"], []).append(f"  [{r['id']}] {reasons}: {r['sentence']}")
    seconds = time.perf_counter() - t0
    good = {k: v for k, v in per.items() if k in ("supported", "paraphrase")}
    bad = {k: v for k, v in per.items() if k not in good and not k.startswith(" ")}
    kept_good = sum(v["kept"] for v in good.values())
    kept_bad = sum(v["kept"] for v in bad.values())
    n_good, n_bad = sum(v["n"] for v in good.values()), sum(v["n"] for v in bad.values())
    rejected_bad, rejected_good = n_bad - kept_bad, n_good - kept_good
    summary = {
        "sentences": len(rows),
        "per_class": {k: {**v, "rate": round((v["kept"] if k in good else v["n"] - v["kept"]) / v["n"], 3)}
                      for k, v in sorted(per.items(), key=lambda kv: ("swapped_qualifier" + kv[0]
                                                                      if kv[0].startswith(" ") else kv[0]))},
        "unsupported_rejected": round(rejected_bad / max(n_bad, 1), 3),
        "supported_kept": round(good.get("supported", {}).get("kept", 0) / max(good.get("supported", {}).get("n", 1), 1), 3),
        "paraphrase_kept": round(good.get("paraphrase", {}).get("kept", 0) / max(good.get("paraphrase", {}).get("n", 1), 1), 3),
        "keep_precision": round(kept_good / max(kept_good + kept_bad, 1), 3),
        "reject_precision": round(rejected_bad / max(rejected_bad + rejected_good, 1), 3),
        "ms_per_sentence": round(1000 * seconds / max(len(rows), 1), 2),
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{'class':22} {'n':>4} {'kept':>5} {'rate':>6}  (rate: kept for supported/paraphrase, rejected otherwise)")
        for k, v in summary["per_class"].items():  # type: ignore[union-attr]
            print(f"{k:22} {v['n']:>4} {v['kept']:>5} {v['rate']:>6.3f}")
        for k in ("unsupported_rejected", "supported_kept", "paraphrase_kept", "keep_precision",
                  "reject_precision", "ms_per_sentence"):
            print(f"{k}: {summary[k]}")
    for cls, lines in sorted(errors.items()):
        for line in lines[:args.errors]:
            print(cls, line)


if __name__ == "__main__":
    main()
