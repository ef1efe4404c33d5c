"""Plain-language rewriting (rules, no model) over the demo corpus: readability before and after.

    python bench/plain_rewrite.py [--json] [--mode rules|llm] [FILE ...]

Each public demo document (ops/demo/corpus/publiek: text, Markdown, HTML through ingest's extractor)
is rewritten through the product path, `appliance.plain.rewrite`, in a fresh temporary appliance
(no protected terms, no tone rules), and its Flesch-type score (Flesch–Douma for nl, Kandel–Moles
for fr), LIX, words per sentence and long sentences are printed before and after, with the changes
by kind and how many sentences the claim check kept as written.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from appliance.context import open_appliance
from appliance.plain import rewrite
from appliance.settings import load_settings

CORPUS = ROOT / "ops" / "demo" / "corpus" / "publiek"


def text_of(path: Path) -> str:
    if path.suffix in (".txt", ".md"):
        return path.read_text("utf-8")
    from ingest.extract import extract

    return "\n\n".join(p.text for p in extract(path).pages)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--mode", choices=("rules", "llm"), default="rules")
    args = ap.parse_args()
    files = args.files or sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md", ".html"))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="belfort-plain-") as tmp:
        app = open_appliance(load_settings(overrides={"data_dir": tmp, "llm": {"engine": "none"}
                                                      if args.mode == "rules" else {}}))
        for path in files:
            r = rewrite(app, text_of(path)[: app.settings.plain.max_chars], mode=args.mode, actor="bench")
            kinds = Counter(c.kind for c in r.changes)
            rows.append({"file": path.name, "language": r.language, "formula": r.before.formula,
                         "score_before": r.before.score, "score_after": r.after.score,
                         "lix_before": r.before.lix, "lix_after": r.after.lix,
                         "wps_before": r.before.words_per_sentence, "wps_after": r.after.words_per_sentence,
                         "long_before": r.before.long_sentences, "long_after": r.after.long_sentences,
                         "changes": dict(kinds)})
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{'file':38} {'lang':4} {'score':>13} {'LIX':>13} {'words/sent':>11} {'long':>7}  changes")
    for r in rows:
        print(f"{r['file']:38} {r['language']:4} {r['score_before']:>6.1f}→{r['score_after']:<6.1f} "
              f"{r['lix_before']:>6.1f}→{r['lix_after']:<6.1f} {r['wps_before']:>5.1f}→{r['wps_after']:<5.1f} "
              f"{r['long_before']:>3}→{r['long_after']:<3}  "
              + ", ".join(f"{k} {n}" for k, n in sorted(r["changes"].items())))
    easier = sum(r["score_after"] > r["score_before"] for r in rows)
    same = sum(r["score_after"] == r["score_before"] for r in rows)
    print(f"easier: {easier}/{len(rows)}, unchanged: {same}, harder: {len(rows) - easier - same}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
