"""The figures of `belfort eval` runs, kept for the AI register: one JSON line per run in
<data_dir>/governance/evaluations.jsonl (appended; a line that cannot be read is skipped)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.settings import Settings
from appliance.storage.layout import DataLayout

MAX_FIGURES = 40


def figures_of(result: dict[str, Any]) -> dict[str, float]:
    """The numbers of an evaluation result, two levels deep ("belfort.recall@5"); lists and texts left out."""
    out: dict[str, float] = {}

    def walk(node: dict[str, Any], prefix: str, depth: int) -> None:
        for key, value in node.items():
            name = f"{prefix}{key}"
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                out[name] = round(float(value), 6)
            elif isinstance(value, dict) and depth < 2:
                walk(value, f"{name}.", depth + 1)

    walk(result, "", 1)
    return dict(list(out.items())[:MAX_FIGURES])


def record_evaluation(settings: Settings, kind: str, result: dict[str, Any], *, dataset: str = "",
                      model: str = "") -> dict[str, Any]:
    """Append one run's figures; returns the entry. The dataset is named by its file name only."""
    entry = {"kind": kind, "at": datetime.now(UTC).isoformat(timespec="seconds"),
             "dataset": Path(dataset).name if dataset else "",
             "model": model or str(result.get("model", "") or ""), "figures": figures_of(result)}
    path = DataLayout.of(settings).evaluations
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as fh:  # one write of one line: concurrent runs never interleave
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())
    return entry


def latest_evaluations(settings: Settings) -> dict[str, dict[str, Any]]:
    """kind -> the newest recorded run of that kind."""
    path = DataLayout.of(settings).evaluations
    out: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return out
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("kind") and str(entry.get("at", "")) >= str(
                out.get(entry["kind"], {}).get("at", "")):
            out[str(entry["kind"])] = entry
    return out
