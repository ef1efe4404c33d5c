"""How often the search page's relevance judgement is right, on the Chamber dev questions.

    .venv/bin/python bench/search_relevance.py [--docs 400] [--questions 100] [--words 8]

The answers of the first `--docs` rows are indexed (one document each, the product's chunker, keyword
ranking: the judgement does not depend on the vector ranker). Asked: the questions of `--questions`
indexed rows (their answer is present: the page should list it) and of as many rows that are not
indexed (their answer is absent: the page should say nothing is relevant, or list only partial
matches). `right_document_in_top10` is the same without the judgement (every group of the ten
nearest documents): the difference is what the judgement hides. `--words` keeps the first N content words of each question, the length of a typed search.
Prints one JSON object: per set, the share of each page state and, for the present set, how often
the right document is among the documents shown.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from appliance.access.principals import SYSTEM
from appliance.context import open_appliance
from appliance.evaluation.retrieval import build_corpus, eval_settings, load_rows
from appliance.search import readable_result, search
from appliance.search.relevance import query_words
from appliance.settings import build_settings
from models.fakes import FakeEmbedder

# ../shared/eval from the main checkout, ../../shared/eval from a worktree under wt/
EVAL = next((p / "shared" / "eval" / "dekamer_dev.jsonl" for p in (ROOT.parent, ROOT.parent.parent)
             if (p / "shared" / "eval" / "dekamer_dev.jsonl").exists()), Path("dekamer_dev.jsonl"))


def _query(question: str, words: int) -> str:
    return " ".join(query_words(question)[:words]) if words else question


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--eval", type=Path, default=EVAL)
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--words", type=int, default=8)
    args = ap.parse_args()
    rows, _ = load_rows(args.eval)
    indexed = rows[: args.docs]
    absent = rows[args.docs : args.docs + args.questions]
    with tempfile.TemporaryDirectory(prefix="belfort-relevance-") as tmp:
        base = build_settings([{"data_dir": tmp, "profile": "test", "search": {"embedder": "fake"},
                                "llm": {"engine": "none"}, "pii": {"ner": "none"}}])
        app = open_appliance(eval_settings(base, Path(tmp)), embedder=FakeEmbedder())
        doc_of_row, _, _ = build_corpus(app, indexed, lambda msg: None)
        out: dict[str, object] = {"docs": len(indexed), "words": args.words}
        for name, asked in (("present", list(range(args.questions))), ("absent", absent)):
            states: Counter[str] = Counter()
            shown_right = in_top = 0
            for item in asked:
                row = indexed[item] if isinstance(item, int) else item
                result = search(app, SYSTEM, _query(row["question"], args.words), limit=60, mode="keyword")
                grouped = readable_result(result.hits, max_groups=10)
                states[grouped.state] += 1
                if isinstance(item, int):
                    shown_right += doc_of_row[item] in {g.document_id for g in grouped.groups}
                    nearest = readable_result(result.hits, max_groups=10, closest=True)
                    in_top += doc_of_row[item] in {g.document_id for g in nearest.groups}
            n = len(asked) or 1
            out[name] = {"n": len(asked), **{s: round(c / n, 3) for s, c in sorted(states.items())}}
            if name == "present":
                out[name]["right_document_shown"] = round(shown_right / n, 3)  # type: ignore[index]
                out[name]["right_document_in_top10"] = round(in_top / n, 3)  # type: ignore[index]
        print(json.dumps(out))


if __name__ == "__main__":
    main()
