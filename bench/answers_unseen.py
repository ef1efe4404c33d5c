"""Put Chamber questions that no fit has seen first, so that the named command measures them.

    python bench/answers_unseen.py [--file ../shared/eval/dekamer_dev.jsonl] [--n 50] --out FILE
    belfort eval answers FILE --limit 50 --json

`belfort eval answers FILE --limit 50` asks the first 50 rows of FILE and indexes every row's answer.
Its own first 50 rows are the ones the shipped figures are reported on; the answerability models were
fitted on every k-th row after them (`bench/answerability_fit.py`: rows `--holdout`.. in steps of
(rows - holdout) // train). This script writes FILE with the same rows (the same corpus, the same
negative set's twins), with `--n` questions that no fit used first, spread over the file, each
question once (one written question sent to eleven ministers would otherwise be eleven rows, of which
at most one can cite its own answer): a measurement of the whole pipeline, LLM included, on questions
of the same kind that no answerability fit saw. (Search's document ranking for long questions, a
linear model of a handful of features in appliance/search/doc_rank.json, was fitted on every row:
truly held-out rows are the organisation's.) It prints which rows it put first.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appliance.evaluation.retrieval import load_rows, same_question
from bench.answerability_fit import training_rows

HOLDOUT, TRAIN = 50, 800  # answerability_fit.py's defaults, with which the shipped models were fitted


def unseen_rows(rows: list[dict[str, Any]], n: int, holdout: int = HOLDOUT, train: int = TRAIN) -> list[int]:
    """`n` row indices spread evenly over the rows that are neither reported on (the first `holdout`)
    nor fitted on, and whose question no such row asks too (the same written question sent to several
    ministers is one question: it is taken once, and only where none of its rows was seen)."""
    seen = set(training_rows(len(rows), train, holdout)) | set(range(min(holdout, len(rows))))
    twins = same_question(rows)
    pool: list[int] = []
    for i in range(len(rows)):
        if i not in seen and not seen.intersection(twins[i]):
            pool.append(i)
            seen.update(twins[i])  # the same question asked again is not a new one
    if len(pool) <= n:
        return pool
    return [pool[(k * len(pool)) // n] for k in range(n)]


def reorder(lines: list[str], first: list[int]) -> list[str]:
    """The same rows, `first` first, the others in their order."""
    chosen = set(first)
    return [lines[i] for i in first] + [line for i, line in enumerate(lines) if i not in chosen]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--file", default=str(ROOT.parent / "shared/eval/dekamer_dev.jsonl"))
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    rows, _ = load_rows(Path(args.file))  # the rows the eval reads (each with a question and an answer)
    first = unseen_rows(rows, args.n)
    lines = [json.dumps(row, ensure_ascii=False) for row in rows]
    Path(args.out).write_text("\n".join(reorder(lines, first)) + "\n", "utf-8")
    json.dump({"rows": len(lines), "first": first}, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
