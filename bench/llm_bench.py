"""LLM benchmark: Belfort's LlamaCppLLM next to raw llama-cpp-python, and 4 concurrent askers.

    .venv/bin/python bench/llm_bench.py [--model PATH.gguf|CATALOG-NAME] [--threads N] [--runs 3] [--json]

Without --model: the model `llm.model = auto` runs on this machine (the 1.5B with at least 8 GB RAM free
for the LLM and the 1.5B provisioned, else the 0.5B), from $BELFORT_MODELS_DIR (default var/models).

Same GGUF, prompt (a Dutch Ask prompt with three sources), settings and greedy decoding for both.
Every run starts with a different nonce so llama.cpp's prefix cache cannot skip the prompt.
Reported: time to first token (prompt processing included), decode tokens/s, Belfort's overhead
in % (target <= 5 %), and the aggregate tokens/s and per-asker waits of 4 concurrent askers
served one at a time by the fair queue.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from appliance.ask.prompts import PromptSource, build_messages
from models.base import ChatMessage
from models.llamacpp import LlamaCppLLM

SOURCES = [
    PromptSource(1, "bewonerskaart", "Een bewonerskaart voor parkeren kost 25 euro per jaar. U vraagt de "
                 "kaart aan aan het loket van de dienst mobiliteit, met uw identiteitskaart en het "
                 "inschrijvingsbewijs van uw wagen. De kaart is een jaar geldig in de blauwe zone."),
    PromptSource(2, "loket", "Het loket van de dienst mobiliteit is open op werkdagen van 9 tot 12 uur "
                 "en op donderdag ook van 14 tot 19 uur. Een afspraak maken kan via het e-loket."),
    PromptSource(3, "tweede kaart", "Een tweede bewonerskaart voor hetzelfde adres kost 75 euro per jaar. "
                 "Een derde kaart wordt niet uitgereikt."),
]
QUESTION = "Hoeveel kost een bewonerskaart en waar vraag ik die aan?"


def messages(nonce: int) -> list[ChatMessage]:
    msgs = build_messages(QUESTION, SOURCES, "nl")
    return [ChatMessage("system", f"[sessie {nonce}] " + msgs[0].content), msgs[1]]


def timed(pieces: Iterator[str]) -> dict[str, float]:
    """Wall-clock figures, plus CPU seconds: on a shared machine the wall clock measures the
    neighbours too, while CPU time per token measures what this code itself costs."""
    start, cpu0 = time.perf_counter(), time.process_time()
    first, n, cpu_first = 0.0, 0, 0.0
    for _ in pieces:
        if n == 0:
            first, cpu_first = time.perf_counter() - start, time.process_time() - cpu0
        n += 1
    total, cpu = time.perf_counter() - start, time.process_time() - cpu0
    return {"ttft_s": first, "tokens": n, "decode_tok_s": (n - 1) / (total - first) if n > 1 else 0.0,
            "total_s": total, "ttft_cpu_s": cpu_first,
            "decode_cpu_ms_per_tok": 1000 * (cpu - cpu_first) / (n - 1) if n > 1 else 0.0}


def raw_stream(llama: Any, msgs: list[ChatMessage], max_tokens: int) -> Iterator[str]:
    for chunk in llama.create_chat_completion(
        messages=[{"role": m.role, "content": m.content} for m in msgs],
        max_tokens=max_tokens, temperature=0.0, stream=True,
    ):
        piece = chunk["choices"][0]["delta"].get("content")
        if piece:
            yield piece


def median(rows: list[dict[str, float]], key: str) -> float:
    return round(statistics.median(r[key] for r in rows), 3)


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: median(rows, k) for k in ("ttft_s", "decode_tok_s", "ttft_cpu_s", "decode_cpu_ms_per_tok",
                                          "tokens")}


def concurrent(llm: LlamaCppLLM, askers: int, max_tokens: int, nonce0: int) -> dict[str, Any]:
    results: list[dict[str, float]] = [{} for _ in range(askers)]

    def ask(i: int) -> None:
        results[i] = timed(llm.stream(messages(nonce0 + i), max_tokens=max_tokens, temperature=0.0))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(askers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    tokens = sum(r["tokens"] for r in results)
    return {"askers": askers, "wall_s": round(wall, 2), "tokens": tokens,
            "aggregate_tok_s": round(tokens / wall, 2),
            "ttft_s_each": [round(r["ttft_s"], 2) for r in sorted(results, key=lambda r: r["ttft_s"])],
            "answer_s_max": round(max(r["total_s"] for r in results), 2)}


def model_path(model: str | None) -> Path:
    """A .gguf path as is; a catalog name (or none: what `auto` picks here) -> its file in the models folder."""
    from hardware.detect import detect
    from hardware.profile import profile
    from models.registry import EngineSettings, choose_llm, llm_model_file

    if model and Path(model).is_file():
        return Path(model)
    models = Path(os.environ.get("BELFORT_MODELS_DIR", "var/models"))
    name = model or choose_llm(EngineSettings(models, llm_engine="llama-cpp", llm_model="auto"), profile(detect())).name
    return llm_model_file(models, name)[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", help="a .gguf file or a catalog name (default: what llm.model = auto runs)")
    ap.add_argument("--threads", type=int, default=0, help="0: the hardware profile's value")
    ap.add_argument("--ctx", type=int, default=2048)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--askers", type=int, default=4)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not args.threads:
        from hardware.detect import detect
        from hardware.profile import profile

        args.threads = profile(detect()).llm_threads

    from llama_cpp import Llama

    params = {"n_ctx": args.ctx, "n_threads": args.threads, "n_gpu_layers": 0, "n_batch": args.batch}
    belfort = LlamaCppLLM(model_path(args.model), **params)
    raw = Llama(model_path=str(belfort.path), n_ctx=args.ctx, n_threads=args.threads,
                n_threads_batch=args.threads, n_batch=args.batch, n_gpu_layers=0, verbose=False)
    # Warm both (page cache, first-call allocations), then alternate so load changes hit both alike.
    timed(raw_stream(raw, messages(0), 4))
    timed(belfort.stream(messages(1), max_tokens=4, temperature=0.0))
    raw_rows, bel_rows = [], []
    for r in range(args.runs):
        raw_rows.append(timed(raw_stream(raw, messages(100 + 2 * r), args.max_tokens)))
        bel_rows.append(timed(belfort.stream(messages(101 + 2 * r), max_tokens=args.max_tokens, temperature=0.0)))
    del raw
    out: dict[str, Any] = {
        "model": belfort.name, "threads": args.threads, "runs": args.runs, "max_tokens": args.max_tokens,
        "raw": summary(raw_rows), "belfort": summary(bel_rows),
    }
    r, b = out["raw"], out["belfort"]
    out["overhead_pct"] = {
        "ttft": round(100 * (b["ttft_s"] / r["ttft_s"] - 1), 2),
        "decode": round(100 * (1 - b["decode_tok_s"] / r["decode_tok_s"]), 2),
        "ttft_cpu": round(100 * (b["ttft_cpu_s"] / r["ttft_cpu_s"] - 1), 2),
        "decode_cpu": round(100 * (b["decode_cpu_ms_per_tok"] / r["decode_cpu_ms_per_tok"] - 1), 2),
    }
    out["concurrent"] = concurrent(belfort, args.askers, args.max_tokens, 1000)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"model {out['model']}, {args.threads} threads, {args.runs} runs, {args.max_tokens} tokens")
        print(f"{'':10} {'TTFT s':>8} {'decode tok/s':>13} {'TTFT cpu s':>11} {'cpu ms/tok':>11}")
        for k in ("raw", "belfort"):
            o = out[k]
            print(f"{k:10} {o['ttft_s']:8.3f} {o['decode_tok_s']:13.2f} {o['ttft_cpu_s']:11.3f} "
                  f"{o['decode_cpu_ms_per_tok']:11.2f}")
        ov = out["overhead_pct"]
        print(f"overhead (target <= 5 %): wall TTFT {ov['ttft']:+.2f} %, decode {ov['decode']:+.2f} %; "
              f"CPU TTFT {ov['ttft_cpu']:+.2f} %, decode {ov['decode_cpu']:+.2f} %")
        c = out["concurrent"]
        print(f"{c['askers']} concurrent askers: {c['aggregate_tok_s']} tok/s aggregate, wall {c['wall_s']} s, "
              f"first tokens after {c['ttft_s_each']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
