"""Hardware -> engine settings that fit it. `profile` is a pure function: tested with made-up machines."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hardware.detect import Hardware, detect


@dataclass(frozen=True)
class Profile:
    llm_threads: int
    llm_context: int
    llm_gpu_layers: int  # -1: all layers on the GPU, 0: CPU only
    llm_batch: int
    whisper_compute_type: str  # int8 on CPU, float16 on a GPU
    embed_threads: int
    ocr_engine: str  # tesseract | rapidocr | auto (chosen per page, see models.ocr_choice)
    # Which default LLM fits: "1.5b" where at least LARGE_LLM_MIN_GB of memory is free for it, else
    # "0.5b". `llm_memory_gb` is that memory (RAM less what the rest of the appliance keeps).
    llm_size: str = "0.5b"
    llm_memory_gb: float = 0.0


# RAM the rest of the appliance keeps (OS, web server, embedder, whisper, OCR, ingest cage).
APPLIANCE_RESERVE_GB = 4.0
# Memory free for the LLM from which the 1.5B model is the default (its weights take 1.1 GB; the
# rest is context, batch buffers and room for two requests at once).
LARGE_LLM_MIN_GB = 8.0


def llm_memory_gb(hw: Hardware) -> float:
    """Memory the LLM may use: VRAM on a GPU that takes every layer, else RAM less the reserve."""
    if hw.gpu is not None and hw.vram_gb >= 4:
        return hw.vram_gb
    return max(0.0, hw.ram_gb - APPLIANCE_RESERVE_GB)


def profile(hw: Hardware) -> Profile:
    cores = max(1, hw.cpu_count)
    # A GPU with room for a small quantised model and its KV cache takes every layer.
    gpu = hw.gpu is not None and hw.vram_gb >= 4
    if gpu:
        context = 8192 if hw.vram_gb >= 12 else 4096
    elif hw.ram_gb >= 16:
        context = 4096
    elif hw.ram_gb >= 8:
        context = 2048
    else:
        context = 1024
    llm_memory = llm_memory_gb(hw)
    return Profile(
        # One core stays free for ingest and the web server: llama.cpp threads that compete for cores
        # slow down by an order of magnitude (measured on 2 cores: 2 threads 15x slower under load).
        llm_threads=max(1, cores - 1),
        llm_context=context,
        llm_gpu_layers=-1 if gpu else 0,
        llm_batch=512 if gpu or cores >= 8 else 256,
        whisper_compute_type="float16" if gpu else "int8",
        embed_threads=cores,
        # Per page on every machine: on rendered Dutch council pages Tesseract measured the lower error
        # rate (and was faster on 2 cores) than RapidOCR, also where a GPU or many cores would make
        # RapidOCR cheap; RapidOCR reads too only pages that look like photos or faded copies, or whose
        # Tesseract text looks weak (`belfort eval ocr --engine`).
        ocr_engine="auto",
        llm_size="1.5b" if llm_memory >= LARGE_LLM_MIN_GB else "0.5b",
        llm_memory_gb=round(llm_memory, 1),
    )


def fallback_profile(cpu_count: int | None = None) -> Profile:
    """The profile of a box whose probing failed: CPU only, modest context (probing is advisory)."""
    cores = max(1, cpu_count or os.cpu_count() or 1)
    return Profile(llm_threads=cores, llm_context=4096, llm_gpu_layers=0, llm_batch=256,
                   whisper_compute_type="int8", embed_threads=cores, ocr_engine="auto")


def machine_profile(disk_path: Path = Path(".")) -> Profile:
    """This machine's profile: probed once by whoever builds the engines, then passed to the registry."""
    try:
        return profile(detect(disk_path if disk_path.exists() else Path(".")))
    except Exception:  # noqa: BLE001  # hardware probing must never stop an engine from starting
        return fallback_profile()
