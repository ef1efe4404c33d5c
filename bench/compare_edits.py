"""Does `belfort compare` find every change made to a real regulation, and nothing else?

Case 1 takes the participation regulation (Artikel 1-41) of a Destelbergen council session from the
evaluation set (read only, never copied into the repository), writes it to a temporary file, and
makes a second version by editing a copy: a figure changed, an article added, one removed, one
moved, one renumbered; the new version is also re-wrapped and breaks a word and a heading over a
line, which must not count as changes. Case 2 takes the demo page on identity cards and changes one
cell of its price table. Each case runs `belfort compare OLD NEW --json` and compares the changes it
reports with the edits made.

    python bench/compare_edits.py [--council ../shared/eval/council/destelbergen_zitting.txt]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# ../shared beside the checkout (a worktree sits one level deeper)
SHARED = next((p / "shared" for p in REPO.parents if (p / "shared" / "eval").is_dir()), REPO.parent / "shared")
COUNCIL = SHARED / "eval" / "council" / "destelbergen_zitting.txt"
DEMO = REPO / "ops" / "demo" / "corpus" / "publiek" / "identiteitskaart-en-paspoort.html"
_HEAD = re.compile(r"^(?:A\s*r\s*t\s*i\s*k\s*e\s*l)\s*(\d+)\s*\.?\s*$", re.MULTILINE)


def regulation(text: str) -> str:
    """The regulation part: from the 'Beslissing' line before its article 1 up to its last article."""
    start = text.index("Dit participatiebeleid geeft weer")
    start = text.rindex("Beslissing", 0, start)
    end = text.index("Dit besluit wordt in uitvoering van artikel 286", start)
    end = text.index("\n", end)
    return text[start:end] + "\n"


def articles(text: str) -> list[tuple[int, int, int]]:
    """(number, start, end) of each article of the mended text (one heading line 'Artikel N.')."""
    heads = [(int(m.group(1)), m.start()) for m in re.finditer(r"^Artikel (\d+)\.$", text, re.MULTILINE)]
    return [(n, s, heads[k + 1][1] if k + 1 < len(heads) else len(text)) for k, (n, s) in enumerate(heads)]


def edit_regulation(old: str) -> tuple[str, set[tuple[str, str]]]:
    # The source cuts its headings over lines ("Artik" / "el 1."): write them whole, as a new version
    # from another editor would; the old file keeps its cut headings.
    text = re.sub(r"^(A)\n?(r)\n?(t)\n?(i)\n?(k)\n?(e)\n?(l)\n?\s*(\d+)\n?\s*(\d*)\s*\n?\.", _whole,
                  old.replace("\u200b", ""), flags=re.MULTILINE)
    expected: set[tuple[str, str]] = set()
    parts = {n: text[s:e] for n, s, e in articles(text)}
    assert sorted(parts) == list(range(1, 42)), sorted(parts)
    parts[24] = parts[24].replace("tenminste 300 inwoners", "tenminste 500 inwoners")  # a figure
    expected.add(("changed", "Artikel 24"))
    parts[15] += "Artikel 15bis.\nEen klacht wordt binnen 45 kalenderdagen schriftelijk beantwoord.\n"  # added
    expected.add(("added", "Artikel 15bis"))
    del parts[13]  # removed
    expected.add(("removed", "Artikel 13"))
    moved, heading = _without_heading(parts.pop(10))  # moved: after article 12; its chapter heading stays
    parts[9] += heading
    parts[12] += moved
    expected.add(("moved", "Artikel 10"))
    parts[41] = parts[41].replace("Artikel 41.", "Artikel 42.", 1)  # renumbered
    expected.add(("renumbered", "Artikel 42"))
    # Not changes: article 6 re-wrapped at 60 characters with a hyphenated word, a heading cut in two.
    parts[6] = _rewrapped(parts[6])
    parts[7] = parts[7].replace("Artikel 7.", "Arti\nkel 7.", 1)
    first = articles(text)[0][1]
    return text[:first] + "".join(parts[n] for n in sorted(parts)), expected


def _without_heading(part: str) -> tuple[str, str]:
    """(the article, the chapter heading in capitals after it) of an article's part."""
    m = re.search(r"^[A-Z][A-Z\s]{3,}$", part, re.MULTILINE)  # (its spaces may be no-break spaces)
    return (part[:m.start()], part[m.start():]) if m else (part, "")


def _whole(m: re.Match[str]) -> str:
    return f"Artikel {m.group(8)}{m.group(9)}."


def _rewrapped(part: str) -> str:
    head, _, body = part.partition("\n")
    words, lines, line = body.split(), [], ""
    for w in words:
        if len(line) + len(w) > 60:
            lines.append(line)
            line = ""
        line = f"{line} {w}".strip()
    lines.append(line)
    out = "\n".join(lines).replace("participatieproces", "participatie-\nproces", 1)
    return f"{head}\n{out}\n"


def edit_table(old: str) -> tuple[str, set[tuple[str, str]]]:
    new = old.replace("<td>Reispas volwassene</td><td>€ 85,00</td>", "<td>Reispas volwassene</td><td>€ 90,00</td>")
    assert new != old
    return new, {("changed", "text:Reispas volwassene"), ("changed", "table:Reispas volwassene")}


def run_case(name: str, old_path: Path, new_path: Path, expected: set[tuple[str, str]]) -> dict[str, object]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ops.cli", "compare", str(old_path), str(new_path), "--json"],
                          cwd=REPO, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        return {"case": name, "error": proc.stderr[-500:]}
    body = json.loads(proc.stdout)
    found: set[tuple[str, str]] = set()
    for e in body["entries"]:
        if e["status"] == "unchanged":
            continue
        unit = e["new"] or e["old"]
        # A unit without a number (a paragraph of a page without articles) is named by its content.
        names = [unit["name"]] if unit["number"] and not unit["name"].startswith("¶") else \
            [n for _, n in sorted(k for k in expected if k[1].startswith("text:"))
             if n[5:] in " ".join(p["text"] for p in e["diff"])] or [unit["name"]]
        found |= {(e["status"], n) for n in names}
        found |= {("changed", f"table:{r['label']}") for r in e["rows"]}
    missed, extra = sorted(expected - found), sorted(found - expected)
    return {"case": name, "status": body["status"], "expected": len(expected), "found": len(expected & found),
            "missed": missed, "extra": extra, "changes": body["changes"], "seconds": round(seconds, 2)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--council", type=Path, default=COUNCIL)
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="belfort-compare-") as tmp:
        old = regulation(args.council.read_text(encoding="utf-8"))
        new, expected = edit_regulation(old)
        (Path(tmp) / "reglement-oud.txt").write_text(old, encoding="utf-8")
        (Path(tmp) / "reglement-nieuw.txt").write_text(new, encoding="utf-8")
        results.append(run_case("council regulation", Path(tmp) / "reglement-oud.txt",
                                Path(tmp) / "reglement-nieuw.txt", expected))
        html = DEMO.read_text(encoding="utf-8")
        new_html, expected_t = edit_table(html)
        (Path(tmp) / "id-oud.html").write_text(html, encoding="utf-8")
        (Path(tmp) / "id-nieuw.html").write_text(new_html, encoding="utf-8")
        results.append(run_case("demo price table", Path(tmp) / "id-oud.html", Path(tmp) / "id-nieuw.html", expected_t))
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0 if all(not r.get("missed") and not r.get("extra") and "error" not in r for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
