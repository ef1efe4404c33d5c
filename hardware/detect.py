"""What this machine has: CPU cores and flags, RAM, NVIDIA GPU and VRAM, free disk.

Each probe reads one small source (/proc, os, nvidia-smi) and degrades to a neutral value when it
is absent, so detection never fails on an unusual box.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Hardware:
    cpu_count: int
    cpu_flags: frozenset[str] = field(default_factory=frozenset)
    ram_gb: float = 0.0
    gpu: str | None = None  # name of the first NVIDIA GPU, None without one
    vram_gb: float = 0.0
    disk_free_gb: float = 0.0

    @property
    def avx2(self) -> bool:
        return "avx2" in self.cpu_flags


def parse_cpu_flags(cpuinfo: str) -> frozenset[str]:
    for line in cpuinfo.splitlines():
        if line.startswith(("flags", "Features")):  # x86 | ARM
            return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def parse_meminfo_gb(meminfo: str) -> float:
    for line in meminfo.splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / (1024 * 1024)  # kB -> GiB
    return 0.0


def parse_nvidia_smi(output: str) -> tuple[str | None, float]:
    """`nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits` -> (name, GiB)."""
    for line in output.strip().splitlines():
        name, _, mem = line.rpartition(",")
        try:
            return name.strip(), float(mem) / 1024
        except ValueError:
            continue
    return None, 0.0


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8", "replace")
    except OSError:
        return ""


def _nvidia() -> tuple[str | None, float]:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return None, 0.0
    try:
        done = subprocess.run(
            [exe, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=10, check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None, 0.0
    return parse_nvidia_smi(done.stdout) if done.returncode == 0 else (None, 0.0)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))  # honours cgroup/taskset limits, unlike os.cpu_count
    except AttributeError:
        return os.cpu_count() or 1


def detect(disk_path: Path = Path(".")) -> Hardware:
    gpu, vram = _nvidia()
    probe = disk_path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    try:
        free = shutil.disk_usage(probe).free / 1024**3
    except OSError:
        free = 0.0
    return Hardware(
        cpu_count=_cpu_count(),
        cpu_flags=parse_cpu_flags(_read("/proc/cpuinfo")),
        ram_gb=parse_meminfo_gb(_read("/proc/meminfo")),
        gpu=gpu,
        vram_gb=vram,
        disk_free_gb=free,
    )
