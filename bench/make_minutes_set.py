"""Build minutes-evaluation files from real council notulen (read from ../shared/eval/council, never copied).

    python bench/make_minutes_set.py --out var/eval/minutes [--max-items 6] [--audio]
    belfort eval minutes var/eval/minutes/*.json --model var/models/qwen2.5-coder-0.5b-instruct-q4_k_m

Two published formats are read:
- Torhout / Zottegem notulen: an "Agendapunten" list ("N Title" or "N. Title", then summary lines),
  followed by each point in detail; a point is a **decision** when its detail holds a vote block
  ("Stemming ... Voor: ... Totaal: N").
- Destelbergen notulen: an "Inhoud" list ("N." then the title); every point's detail holds a
  "Beslissing" section; the point is a **decision** when that section has an article
  ("Enig artikel." / "Artikel 1.") and is followed by "Stemmingen".
The known decision's text is the first summary/article sentence with a decision verb (keurt ... goed,
neemt kennis, beslist, stelt vast, verleent/verleend, kent ... toe, gaat akkoord, goedgekeurd) or that
starts with Goedkeuring/Kennisname/Vaststelling, else the point's title.

The transcript is what a chair would say: "Punt N: title.", the summary (or article) sentences, and
for a vote "Stemming: N stemmen voor, M tegen, K onthoudingen." One segment per sentence, timed at
2.5 words a second. With --audio the first file's transcript is also read aloud by espeak-ng
(`-v nl`) into one wav, and a second eval file points at that recording (end to end through Whisper).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

COUNCIL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "council"
DECISION_VERB = re.compile(r"keurt\b.*\bgoed|neemt\b.*\bkennis|\bbeslist\b|stelt\b.*\bvast|\bverleen[dt]\b|"
                           r"\bkent\b.*\btoe\b|gaat akkoord|goedgekeurd|\bhecht\b.*goedkeuring|"
                           r"^(goedkeuring|kennisname|vaststelling)\b", re.IGNORECASE)
WORDS_PER_SECOND = 2.5


def sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9“‘'\"])", " ".join(text.split())) if s.strip()]


def _attendees_torhout(lines: list[str]) -> list[str]:
    out = []
    start = lines.index("Aanwezig") + 1 if "Aanwezig" in lines else 0
    for i in range(start, len(lines)):
        if lines[i] in ("Verontschuldigd", "Afwezig", "Agendapunten"):
            break
        if i + 1 < len(lines) and lines[i + 1].startswith(";"):
            out.append(lines[i])
    return out


def parse_numbered_notulen(text: str) -> dict:
    """Torhout / Zottegem: overview list, then details with vote blocks."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    start = lines.index("Agendapunten") + 1
    head = re.compile(r"^(\d{1,2})\.?\s+(\S.*)$")
    points: list[dict] = []
    i = start
    while i < len(lines):
        m = head.match(lines[i])
        if not m:
            if points:
                points[-1]["summary"].append(lines[i])
            i += 1
            continue
        number = int(m[1])
        if points and number == 1:  # the detailed section starts again at point 1
            break
        points.append({"number": number, "title": m[2].strip(), "summary": []})
        i += 1
    detail = lines[i:]
    # Vote blocks per point, in order: the detail of point N runs until the heading of point N+1.
    for k, p in enumerate(points):
        nxt = points[k + 1] if k + 1 < len(points) else None
        try:
            a = detail.index(f"{p['number']} {p['title']}") if f"{p['number']} {p['title']}" in detail else \
                detail.index(f"{p['number']}. {p['title']}")
        except ValueError:
            continue
        b = len(detail)
        if nxt is not None:
            for form in (f"{nxt['number']} {nxt['title']}", f"{nxt['number']}. {nxt['title']}"):
                if form in detail[a + 1:]:
                    b = detail.index(form, a + 1)
        block = detail[a:b]
        if "Stemming" in block:
            p["vote"] = _vote(block[block.index("Stemming"):])
    return {"points": points, "attendees": _attendees_torhout(lines)}


def _vote(block: list[str]) -> dict:
    out = {}
    for key, label in (("for", "Voor:"), ("against", "Tegen:"), ("abstain", "Onthoudingen:")):
        if label in block:
            j = block.index(label)
            tot = next((k for k in range(j, len(block)) if block[k] == "Totaal:"), None)
            if tot is not None and tot + 1 < len(block) and block[tot + 1].isdigit():
                out[key] = int(block[tot + 1])
    return out


def parse_destelbergen(text: str) -> dict:
    lines = [ln.strip().replace("\u200b", "") for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    i = lines.index("Inhoud") + 1
    points: list[dict] = []
    while i + 1 < len(lines) and re.fullmatch(r"\d{1,2}\.", lines[i]):
        n = int(lines[i][:-1])
        if points and n == 1:
            break
        points.append({"number": n, "title": lines[i + 1], "summary": []})
        i += 2
    attendees = []
    j = lines.index("Aanwezig:") + 1 if "Aanwezig:" in lines else len(lines)
    while j < len(lines) and lines[j] not in ("Inhoud", "Verontschuldigd:"):
        if lines[j] != ",":
            attendees.append(lines[j])
        j += 1
    decisions = [k for k, ln in enumerate(lines) if ln == "Beslissing"]
    for p, k in zip(points, decisions, strict=False):
        end = next((x for x in range(k, len(lines)) if lines[x] == "Stemmingen"), len(lines))
        body = [ln for ln in lines[k + 1:end] if not re.fullmatch(r"(Enig artikel|Artikel \d+)\.?", ln)]
        p["summary"] = sentences(" ".join(body))[:3]
        if end < len(lines) and any(re.fullmatch(r"(Enig artikel|Artikel 1)\.?", ln) for ln in lines[k + 1:end]):
            p["vote"] = {}
            p["passed"] = end + 1 < len(lines) and lines[end + 1] == "goedgekeurd"
    return {"points": points, "attendees": attendees}


def build_case(parsed: dict, *, max_items: int, max_sentences: int = 3) -> dict:
    segments: list[dict] = []
    clock = 0.0

    def say(text: str) -> None:
        nonlocal clock
        length = max(1.5, len(text.split()) / WORDS_PER_SECOND)
        segments.append({"start": round(clock, 2), "end": round(clock + length, 2), "text": text})
        clock += length + 0.5

    say("De voorzitter opent de vergadering.")
    agenda, decisions = [], []
    for p in parsed["points"][:max_items]:
        agenda.append({"number": p["number"], "title": p["title"]})
        say(f"Punt {p['number']}: {p['title'].rstrip('.')}.")
        spoken = [s for line in p["summary"] for s in sentences(line)]
        spoken = list(dict.fromkeys(spoken))[:max_sentences]
        for s in spoken:
            say(s)
        if "vote" in p:
            v = p["vote"]
            if v:
                say(f"Stemming: {v.get('for', 0)} stemmen voor, {v.get('against', 0)} tegen, "
                    f"{v.get('abstain', 0)} onthoudingen.")
            decisions.append(next((s for s in spoken if DECISION_VERB.search(s)), p["title"]))
    say("De voorzitter sluit de vergadering.")
    return {"transcript": segments, "agenda": agenda, "attendees": parsed["attendees"], "decisions": decisions}


def speak(case: dict, wav: Path) -> None:
    """All segments read by espeak-ng (Dutch), joined with short pauses, 16 kHz mono."""
    parts = []
    for k, seg in enumerate(case["transcript"]):
        raw = wav.parent / f".{wav.stem}-{k:04d}.raw.wav"
        part = wav.parent / f".{wav.stem}-{k:04d}.wav"
        # 110 words a minute with 40 ms between words: at espeak's default pace whisper-base hears
        # mostly noise (measured: no segments at all on 30 s windows).
        subprocess.run(["espeak-ng", "-v", "nl", "-s", "110", "-g", "4", "-w", str(raw), seg["text"]], check=True,
                       capture_output=True)
        # 16 kHz mono with a pause after each sentence: Whisper's segmentation (and VAD) need the breaks.
        subprocess.run(["sox", str(raw), "-r", "16000", "-c", "1", str(part), "pad", "0", "0.8"], check=True,
                       capture_output=True)
        raw.unlink()
        parts.append(str(part))
    subprocess.run(["sox", *parts, str(wav)], check=True, capture_output=True)
    for p in parts:
        Path(p).unlink()


SOURCES = {
    "torhout_notulen.txt": parse_numbered_notulen,
    "zottegem_notulen.txt": parse_numbered_notulen,
    "destelbergen_zitting.txt": parse_destelbergen,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--council", type=Path, default=COUNCIL)
    ap.add_argument("--out", type=Path, default=Path("var/eval/minutes"))
    ap.add_argument("--max-items", type=int, default=6, help="agenda points per meeting (CPU time)")
    ap.add_argument("--audio", action="store_true", help="also an espeak-ng recording of the first meeting")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, parse in SOURCES.items():
        path = args.council / name
        if not path.exists():
            print(f"skip {name}: not found", file=sys.stderr)
            continue
        case = build_case(parse(path.read_text("utf-8")), max_items=args.max_items)
        target = args.out / (path.stem + ".json")
        target.write_text(json.dumps(case, ensure_ascii=False, indent=1), "utf-8")
        written.append(target)
        print(f"{target}: {len(case['transcript'])} segments, {len(case['agenda'])} agenda items, "
              f"{len(case['decisions'])} decisions, {len(case['attendees'])} attendees")
    if args.audio and written:
        first = json.loads(written[0].read_text("utf-8"))
        wav = args.out / (written[0].stem + ".wav")
        speak(first, wav)
        audio_case = {k: v for k, v in first.items() if k != "transcript"}
        audio_case["recording"] = str(wav.resolve())
        target = args.out / (written[0].stem + "_audio.json")
        target.write_text(json.dumps(audio_case, ensure_ascii=False, indent=1), "utf-8")
        print(f"{target}: recording {wav}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
