"""Hardware detection parsers and profiles, on made-up machines."""

from __future__ import annotations

from pathlib import Path

from hardware import Hardware, detect, fallback_profile, profile
from hardware.detect import parse_cpu_flags, parse_meminfo_gb, parse_nvidia_smi

CPUINFO = "processor\t: 0\nmodel name\t: Fake CPU\nflags\t\t: fpu sse2 avx avx2 fma f16c\n\nprocessor\t: 1\n"


def test_parsers() -> None:
    assert {"avx2", "fma"} <= parse_cpu_flags(CPUINFO)
    assert parse_cpu_flags("") == frozenset()
    assert round(parse_meminfo_gb("MemTotal:       16318412 kB\nMemFree: 1 kB\n"), 1) == 15.6
    assert parse_nvidia_smi("NVIDIA H100 80GB HBM3, 81559\n") == ("NVIDIA H100 80GB HBM3", 81559 / 1024)
    assert parse_nvidia_smi("") == (None, 0.0)
    assert parse_nvidia_smi("No devices were found") == (None, 0.0)


def test_detect_returns_sane_values(tmp_path: Path) -> None:
    hw = detect(tmp_path / "not-yet-created")
    assert hw.cpu_count >= 1 and hw.ram_gb > 0 and hw.disk_free_gb > 0


def test_small_cpu_box() -> None:
    p = profile(Hardware(cpu_count=2, cpu_flags=frozenset({"avx2"}), ram_gb=8, disk_free_gb=100))
    assert (p.llm_threads, p.llm_context, p.llm_gpu_layers) == (1, 2048, 0)
    assert p.whisper_compute_type == "int8" and p.ocr_engine == "auto" and p.embed_threads == 2


def test_big_cpu_server_leaves_a_core_free() -> None:
    p = profile(Hardware(cpu_count=16, ram_gb=64))
    assert p.llm_threads == 15 and p.llm_context == 4096 and p.llm_batch == 512
    # per page on a big server too: RapidOCR measured the higher error rate on text pages
    assert p.ocr_engine == "auto" and p.llm_gpu_layers == 0


def test_gpu_box_offloads_every_layer() -> None:
    p = profile(Hardware(cpu_count=8, ram_gb=32, gpu="NVIDIA L4", vram_gb=24))
    assert p.llm_gpu_layers == -1 and p.llm_context == 8192 and p.whisper_compute_type == "float16"
    tiny = profile(Hardware(cpu_count=4, ram_gb=2, gpu="old card", vram_gb=2))
    assert tiny.llm_gpu_layers == 0 and tiny.llm_context == 1024


def test_default_llm_size_follows_the_ram_free_for_it() -> None:
    small = profile(Hardware(cpu_count=2, ram_gb=8))  # 8 GB box: 4 GB left after the appliance
    assert small.llm_size == "0.5b" and small.llm_memory_gb == 4.0
    edge = profile(Hardware(cpu_count=2, ram_gb=11.9))
    assert edge.llm_size == "0.5b"
    big = profile(Hardware(cpu_count=4, ram_gb=16))
    assert big.llm_size == "1.5b" and big.llm_memory_gb == 12.0
    gpu = profile(Hardware(cpu_count=4, ram_gb=8, gpu="NVIDIA L4", vram_gb=24))
    assert gpu.llm_size == "1.5b"  # the GPU holds the model, whatever the RAM
    assert fallback_profile(2).llm_size == "0.5b"  # unknown hardware: the small model
