"""Build a labelled set of answer sentences for the claim check, by rule, from real passages.

    python bench/claims_set.py [--out bench/claims_set.jsonl] [--per-class 100] [--dekamer 150]

Passages: the demo corpus (ops/demo/corpus: sections of the Markdown files, paragraphs of the text
and HTML files as the product extracts them) and the ministers' answers of
../shared/eval/dekamer_dev.jsonl (read, never copied into the repository: the output file is
ignored by git). Every row is one sentence, the passage it cites and the question asked:

- supported: a passage sentence as written;
- paraphrase: the same sentence with its clauses reordered, words from a small nl/fr/en synonym list
  and articles dropped (a faithful rewording, must be kept);
- swapped_figure: a number replaced by another number of the same passage (two numbers of one
  sentence exchanged where it has two);
- swapped_qualifier: one word of a contrast pair replaced by the other (normale/dringende, ...);
- transplanted_subject: the sentence's first content word replaced by a word of another passage's
  question, asked with that question ("Wie is de burgemeester?" answered from the subsidies page);
- negation: a verb negated ('is' -> 'is niet'), or a negation removed;
- wrong_unit: the unit after a number changed (uur -> dagen, euro -> procent).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.extract import extract

DEMO = ROOT / "ops" / "demo" / "corpus"
# ../shared/eval beside the checkout (a worktree sits one level deeper)
DEKAMER = next((p / "shared" / "eval" / "dekamer_dev.jsonl" for p in (ROOT.parent, ROOT.parent.parent)
                if (p / "shared" / "eval" / "dekamer_dev.jsonl").exists()),
               ROOT.parent / "shared" / "eval" / "dekamer_dev.jsonl")
PASSAGE_CHARS = 900
STOP = {"de", "het", "een", "en", "van", "in", "op", "te", "dat", "die", "is", "voor", "met", "aan",
        "er", "als", "bij", "of", "om", "ook", "door", "naar", "uit", "tot", "over", "u", "le", "la",
        "les", "et", "des", "du", "un", "une", "the", "a", "an", "to", "and", "zijn", "wordt",
        "worden", "kan", "kunt", "deze", "dit", "wat", "wie", "hoe", "welke", "niet", "geen", "mijn"}
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
MESSY = re.compile(r"\*\*|\s\d{1,2}\.\s|\s[a-z]\)\s|[.!?]\s+\S.*[.!?]$|^\W")  # list items, two sentences
NEG_WORDS = re.compile(r"\b(niet|geen|nooit|niets|ne|n'|pas|jamais|not|no|never)\b", re.IGNORECASE)
QUALIFIER_PAIRS = [("normale", "dringende"), ("eerste", "tweede"), ("volwassene", "minderjarige"),
                   ("volwassenen", "minderjarigen"), ("maximaal", "minstens"), ("voormiddag", "namiddag"),
                   ("jaarlijks", "maandelijks"), ("federale", "regionale"), ("hoger", "lager"),
                   ("stijging", "daling"), ("meerderheid", "minderheid"), ("maandag", "zaterdag"),
                   ("dinsdag", "woensdag"), ("vrijdag", "donderdag"), ("januari", "maart"), ("oude", "nieuwe"),
                   ("normale", "urgente"), ("premier", "deuxième"), ("minimum", "maximum"),
                   ("avant", "après"), ("first", "second"), ("before", "after"), ("openbare", "private"),
                   ("gratis", "betalend"), ("binnenland", "buitenland"), ("verplicht", "vrijwillig")]
UNIT_SWAPS = {"uur": "dagen", "euro": "procent", "€": "%", "weken": "maanden", "week": "maand",
              "jaar": "maanden", "dagen": "weken", "werkdagen": "weken", "maanden": "jaar",
              "%": "euro", "procent": "euro", "minuten": "uur", "km": "meter", "heures": "jours",
              "jours": "semaines", "ans": "mois", "mois": "ans", "hours": "days", "days": "weeks"}
VERBS = {"is": "is niet", "zijn": "zijn niet", "kost": "kost niet", "mag": "mag niet", "moet": "moet niet",
         "kan": "kan niet", "kunt": "kunt niet", "wordt": "wordt niet", "worden": "worden niet",
         "heeft": "heeft niet", "geldt": "geldt niet", "gebeurt": "gebeurt niet", "est": "n'est pas",
         "sont": "ne sont pas", "peut": "ne peut pas", "doit": "ne doit pas", "can": "cannot",
         "must": "must not", "are": "are not"}
SYNONYMS = {"kost": "bedraagt", "ongeveer": "zowat", "minstens": "ten minste", "krijgen": "ontvangen",
            "ontvangt": "krijgt", "aanvraag": "verzoek", "inwoners": "bewoners", "wagen": "auto",
            "elke": "iedere", "enkel": "alleen", "vooraf": "op voorhand", "dient": "moet", "tijdens": "gedurende",
            "bijvoorbeeld": "zoals", "bovendien": "daarnaast", "echter": "evenwel", "momenteel": "op dit moment",
            "coûte": "s'élève à", "environ": "à peu près", "chaque": "tout", "obtenir": "recevoir",
            "costs": "amounts to", "about": "around", "every": "each", "get": "receive"}
ARTICLES = {"de", "het", "een", "le", "la", "les", "the", "a", "an"}
NEG_OUT = [(r"\bniet\s+", ""), (r"\bnooit\b", "altijd"), (r"\bniets\b", "alles"), (r"\bgeen\b", "een"), (r"\bne\s+(\w+)\s+pas\b", r"\1"),
           (r"\bn'(\w+)\s+pas\b", r"\1"), (r"\bnot\s+", "")]


def demo_passages() -> list[dict[str, str]]:
    out = []
    for path in sorted(DEMO.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text("utf-8") if path.suffix == ".md" else extract(path).text
        title = text.strip().splitlines()[0].lstrip("# ").strip()
        if path.suffix == ".md":
            sections = re.split(r"\n(?=## )", text)
            for sec in sections[1:]:
                heading = sec.splitlines()[0].lstrip("# ").strip()
                out.append({"source": f"demo:{path.name}#{heading}", "passage": sec.strip(),
                            "question": f"{title}: {heading}?"})
        else:
            for i, chunk in enumerate(_chunks(text)):
                out.append({"source": f"demo:{path.name}#{i}", "passage": chunk, "question": f"{title}?"})
    return out


def _chunks(text: str) -> list[str]:
    out, cur = [], ""
    for block in re.split(r"\n\s*\n", text):
        if cur and len(cur) + len(block) > PASSAGE_CHARS:
            out.append(cur.strip())
            cur = ""
        cur += block + "\n\n"
    return [c for c in [*out, cur.strip()] if c]


def dekamer_passages(rows: int) -> list[dict[str, str]]:
    out = []
    with DEKAMER.open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            if n >= rows:
                break
            row = json.loads(line)
            title = row["question"].strip().split("\n")[0].strip()
            for i, chunk in enumerate(_chunks(row["answer"])[:2]):
                out.append({"source": f"dekamer:{row['doc_id']}#{i}", "passage": chunk, "question": title})
    return out


def sentences(passage: str) -> list[str]:
    out = []
    for block in re.split(r"\n\s*\n|\n(?=#)", passage):
        block = " ".join(block.split())
        if block.startswith("#"):
            continue
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý])", block)]
    return [s for s in out if 6 <= len(s.split()) <= 40 and s[-1:] in ".!?" and not s.endswith("?")
            and not MESSY.search(s) and s[:1].isalpha()]


def words(text: str) -> list[str]:
    return [w.lower() for w in re.findall(r"[^\W\d_]+", text)]


def swapped_figure(s: str, passage: str, rng: random.Random) -> str | None:
    mine = NUMBER.findall(s)
    if not mine:
        return None
    distinct = list(dict.fromkeys(mine))
    if len(distinct) >= 2 and rng.random() < 0.5:
        a, b = distinct[:2]
        return re.sub(rf"(?<![\d.,]){re.escape(a)}(?![\d])|(?<![\d.,]){re.escape(b)}(?![\d])",
                      lambda m: b if m.group(0) == a else a, s, count=0)
    others = [n for n in dict.fromkeys(NUMBER.findall(passage)) if n not in mine]
    if not others:
        return None
    n = rng.choice(distinct)
    return re.sub(rf"(?<![\d.,]){re.escape(n)}(?![\d])", rng.choice(others), s, count=1)


def swapped_qualifier(s: str, rng: random.Random) -> str | None:
    pairs = [(a, b) for a, b in QUALIFIER_PAIRS + [(b, a) for a, b in QUALIFIER_PAIRS]
             if re.search(rf"\b{a}\b", s, re.IGNORECASE)]
    if not pairs:
        return None
    a, b = rng.choice(pairs)
    return re.sub(rf"\b{a}\b", lambda m: b.capitalize() if m.group(0)[0].isupper() else b, s, count=1, flags=re.IGNORECASE)


def transplanted(s: str, passage: str, other_question: str) -> str | None:
    mine = set(words(passage))
    candidates = [w for w in words(other_question) if len(w) > 5 and w not in STOP and w not in mine]
    if not candidates:
        return None
    new = max(candidates, key=len)
    for m in re.finditer(r"[^\W\d_]+", s):
        if m.group(0).lower() not in STOP and len(m.group(0)) > 3:
            word = new.capitalize() if m.start() == 0 else new
            return s[:m.start()] + word + s[m.end():]
    return None


def negated(s: str) -> str | None:
    for pattern, repl in NEG_OUT:
        if re.search(pattern, s):
            return re.sub(pattern, repl, s, count=1)
    if NEG_WORDS.search(s):
        return None
    for m in re.finditer(r"\b\w+\b", s):
        if m.group(0).lower() in VERBS and m.start() > 0:
            return s[:m.start()] + VERBS[m.group(0).lower()] + s[m.end():]
    return None


def wrong_unit(s: str) -> str | None:
    for m in re.finditer(r"(\d+(?:[.,]\d+)*)\s*(€|%|[^\W\d_]+)|(€)\s*(\d)", s):
        unit = m.group(2) or m.group(3)
        if unit and unit.lower() in UNIT_SWAPS:
            span = m.span(2) if m.group(2) else m.span(3)
            return s[:span[0]] + UNIT_SWAPS[unit.lower()] + s[span[1]:]
    return None


def paraphrase(s: str) -> str | None:
    body, end = s[:-1], s[-1]
    parts = body.split(", ", 1)
    if len(parts) == 2 and all(len(p.split()) >= 3 for p in parts) and not NUMBER.match(parts[1]):
        body = parts[1][0].upper() + parts[1][1:] + ", " + _lower_first(parts[0])
    for a, b in SYNONYMS.items():
        body = re.sub(rf"\b{a}\b", b, body)
    kept = [w for w in body.split(" ") if w.lower() not in ARTICLES]
    body = " ".join(kept)
    body = body[:1].upper() + body[1:]
    return body + end if body + end != s else None


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text if first.isupper() or (first[1:] and not first[1:].islower()) else text[:1].lower() + text[1:]


def build(passages: list[dict[str, str]], rng: random.Random, per_class: int) -> list[dict[str, object]]:
    rows: dict[str, list[dict[str, object]]] = {}
    for p in passages:
        other = rng.choice([q for q in passages if q["source"].split("#")[0] != p["source"].split("#")[0]])
        for s in sentences(p["passage"]):
            made = {
                "supported": s, "paraphrase": paraphrase(s),
                "swapped_figure": swapped_figure(s, p["passage"], rng),
                "swapped_qualifier": swapped_qualifier(s, rng),
                "transplanted_subject": transplanted(s, p["passage"], other["question"]),
                "negation": negated(s), "wrong_unit": wrong_unit(s),
            }
            for cls, text in made.items():
                if text and text != s or cls == "supported":
                    question = other["question"] if cls == "transplanted_subject" else p["question"]
                    rows.setdefault(cls, []).append({
                        "class": cls, "label": "supported" if cls in ("supported", "paraphrase") else "unsupported",
                        "sentence": text, "original": s, "passage": p["passage"], "question": question,
                        "source": p["source"]})
    out: list[dict[str, object]] = []
    for cls in sorted(rows):
        items = rows[cls]
        rng.shuffle(items)
        out += items[:per_class]
    for i, r in enumerate(out):
        r["id"] = i
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "claims_set.jsonl"))
    ap.add_argument("--per-class", type=int, default=100)
    ap.add_argument("--dekamer", type=int, default=150, help="rows of dekamer_dev.jsonl to read")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    demo = build(demo_passages(), rng, args.per_class // 2 + args.per_class % 2)
    dek = build(dekamer_passages(args.dekamer), rng, args.per_class // 2) if DEKAMER.exists() else []
    rows = demo + dek
    with open(args.out, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows):
            r["id"] = i
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for r in rows:
        counts[str(r["class"])] = counts.get(str(r["class"]), 0) + 1
    print(f"{len(rows)} sentences -> {args.out}: {counts}")


if __name__ == "__main__":
    main()
