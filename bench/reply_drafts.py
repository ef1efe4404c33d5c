"""Reply drafts for the six demo citizen mails, with the real models, over the demo corpus.

    python bench/reply_drafts.py [--json] [--llm-model NAME] [--models-dir DIR] [--data-dir DIR]
                                 [--user archivaris]

Builds a demo appliance in a fresh temporary data folder exactly as `belfort up --demo` seeds it
(bench/ask_demo.build_appliance: collections, users, the corpus through the normal ingest, the six
mails of ops/demo/corpus-triage through intake), then drafts the reply to every triage item through
the product path, `appliance.plain.draft_reply`, as a member of the triage group (archivaris reads
the public collection only: a reply never quotes HR documents). Per mail it reports what issue 17
asks: the claim check passed, the draft's language (the item's, and the one detected in the draft's
text), and the readability of the draft (what the citizen reads: no citation marks, no source list)
against its source passages, in the language's formula (Flesch–Douma for nl, Kandel–Moles for fr).
Fails when no LLM loads: the extractive fallback is not what this measures.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlmodel import select

from appliance.access import principal_for
from appliance.db.engine import read_session
from appliance.db.tables import TriageItem, User
from appliance.i18n import texts
from appliance.plain import draft_reply
from bench.ask_demo import build_appliance
from ingest.chunk import detect_language


def _readable(draft: dict[str, Any]) -> str:
    tpl = texts(draft["language"], "plain_reply.")
    head = draft["body"].split("\n" + tpl["sources"] + "\n")[0]
    return " ".join(w for w in head.replace("\n- ", "\n").split() if not (w.startswith("[") and w[1:2].isdigit()))


def run(app: Any, username: str) -> list[dict[str, Any]]:
    with read_session(app.db) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        who = principal_for(s, user)
        items = list(s.exec(select(TriageItem).order_by(TriageItem.id)).all())  # type: ignore[arg-type]
    rows = []
    for item in items:
        t0 = time.perf_counter()
        draft = draft_reply(app, who, int(item.id or 0))
        seconds = time.perf_counter() - t0
        r_draft, r_src = draft["readability"]["draft"], draft["readability"]["sources"]
        rows.append({
            "item": item.id, "subject": item.subject, "sender_language": item.language,
            "draft_language": draft["language"], "detected_language": detect_language(_readable(draft)),
            "statements": draft["claim_check"]["statements"], "claim_check": draft["claim_check"]["passed"],
            "status": draft["status"], "formula": r_draft["formula"], "draft_score": r_draft["score"],
            "sources_score": r_src["score"] if r_src else None,
            "easier": bool(r_src) and r_draft["score"] > r_src["score"],
            "draft_wps": r_draft["words_per_sentence"], "sources_wps": r_src["words_per_sentence"] if r_src else None,
            "draft_lix": r_draft["lix"], "sources_lix": r_src["lix"] if r_src else None,
            "sources": [f"{s['number']}:{s['title']}" for s in draft["sources"]], "model": draft["model"],
            "left_out": draft["left_out"], "questions": draft["questions"],
            "seconds": round(seconds, 1), "body": draft["body"]})
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"mails": len(rows), "claim_check_passed": sum(r["claim_check"] for r in rows),
            "in_sender_language": sum(r["draft_language"] == (r["sender_language"] or "nl")
                                      and r["detected_language"] == r["draft_language"] for r in rows),
            "with_statements": sum(r["statements"] > 0 for r in rows),
            "easier_than_sources": sum(r["easier"] for r in rows),
            "models": sorted({r["model"] for r in rows if r["model"]})}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--llm-model")
    ap.add_argument("--models-dir")
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--user", default="archivaris")
    ap.add_argument("--show", action="store_true", help="print every draft's text")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="belfort-replies-") as tmp:
        app = build_appliance(args.data_dir or Path(tmp), args.models_dir, args.llm_model)
        if app.llm is None:
            print(f"no LLM loaded: {app.llm_status()}", file=sys.stderr)
            return 2
        rows = run(app, args.user)
    out = {"summary": summary(rows), "drafts": rows}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    print(f"{'item':>4} {'lang':>4} {'det':>4} {'stmts':>5} {'claims':>6} {'draft':>6} {'sources':>7} "
          f"{'easier':>6} {'wps d/s':>11} {'sec':>5}  subject")
    for r in rows:
        src = f"{r['sources_score']:.1f}" if r["sources_score"] is not None else "-"
        wps = f"{r['draft_wps']:.1f}/{r['sources_wps']:.1f}" if r["sources_wps"] is not None else "-"
        print(f"{r['item']:>4} {r['draft_language']:>4} {r['detected_language'] or '?':>4} {r['statements']:>5} "
              f"{'ok' if r['claim_check'] else 'FAIL':>6} {r['draft_score']:>6.1f} {src:>7} "
              f"{'yes' if r['easier'] else 'no':>6} {wps:>11} {r['seconds']:>5.0f}  {r['subject']}")
        if args.show:
            for q in r["questions"]:
                print(f"     ask: {q['status']} {q['gate']} cited {q['cited']} kept {q['kept']} "
                      f"left out {q['left_out']} sources {q['sources']}")
            print("     " + r["body"].replace("\n", "\n     "))
    print(json.dumps(out["summary"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
