"""Ingest as an ordered chain of small steps with one lifecycle (after paperless-ngx's plugin base).

Each step says whether it is able to run on the context, runs, and always gets a `cleanup` call
(in reverse order, in `finally`) once it has started. A step ends the chain cleanly by raising
`StopIngest(state)` (a duplicate, a scan waiting for OCR); an `IngestError` is a failure with a
stable code. This module knows nothing of the database: the appliance adds its own steps.
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.cage import Limits, run_caged
from ingest.types import ChunkDraft, Extracted, IngestError

log = logging.getLogger(__name__)


class StopIngest(Exception):
    """Ends the chain without error; `state` is the outcome (e.g. 'duplicate')."""

    def __init__(self, state: str, detail: str = "") -> None:
        super().__init__(detail or state)
        self.state = state
        self.detail = detail


@dataclass
class IngestContext:
    """What the steps know about one file; steps fill it in as they go."""

    path: Path
    source_name: str
    staging_dir: Path = Path("staging")
    max_bytes: int = 0  # 0: no limit
    chunk_chars: int = 900
    chunk_overlap: int = 120
    size: int = 0
    content_hash: str = ""
    staged: Path | None = None  # the private copy every later step reads
    extracted: Extracted | None = None
    chunks: list[ChunkDraft] = field(default_factory=list)
    language: str = ""
    limits: Limits | None = None  # parse in a caged child process (None: in this process, trusted input)
    extra: dict[str, Any] = field(default_factory=dict)  # room for the caller's own steps


class Step:
    """One stage. Override `run`; `able_to_run` and `cleanup` are optional."""

    name = "step"

    def able_to_run(self, ctx: IngestContext) -> bool:
        return True

    def run(self, ctx: IngestContext) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def cleanup(self, ctx: IngestContext) -> None:
        return None


def run_steps(steps: Sequence[Step], ctx: IngestContext) -> str | None:
    """Run the chain; returns the StopIngest state, or None when every step ran.

    IngestError and unexpected exceptions propagate after every started step has cleaned up.
    """
    started: list[Step] = []
    try:
        for step in steps:
            if not step.able_to_run(ctx):
                continue
            started.append(step)
            step.run(ctx)
        return None
    except StopIngest as stop:
        return stop.state
    finally:
        for step in reversed(started):
            try:
                step.cleanup(ctx)
            except Exception:  # a failing cleanup must not hide the real outcome
                log.exception("cleanup of step %s failed", step.name)


# --- File-level steps (no database) --------------------------------------------------------------


class CheckSize(Step):
    """Refuse empty and oversized files before reading a byte of them."""

    name = "check_size"

    def run(self, ctx: IngestContext) -> None:
        ctx.size = ctx.path.stat().st_size
        if ctx.size == 0:
            raise IngestError("ingest.empty", "the file is empty (0 bytes)",
                              "check that the file was copied completely, then drop it again")
        if ctx.max_bytes and ctx.size > ctx.max_bytes:
            mb = ctx.size / (1024 * 1024)
            raise IngestError(
                "ingest.too_large",
                f"the file is {mb:.0f} MiB, above the limit of {ctx.max_bytes // (1024 * 1024)} MiB",
                "split the file, or raise ingest.max_file_mb if the appliance has the memory for it",
            )


class StageCopy(Step):
    """Copy the file into the staging folder while hashing it, in one read.

    Everything after this works on the staged copy, which cannot change under us; a source that
    changed while it was read (still being written) stops the chain as 'busy' and stays in place.
    """

    name = "stage"

    def run(self, ctx: IngestContext) -> None:
        before = ctx.path.stat()
        folder = ctx.staging_dir / uuid.uuid4().hex
        folder.mkdir(parents=True)
        ctx.staged = folder / _staged_name(ctx.source_name)
        digest = hashlib.sha256()
        with open(ctx.path, "rb") as src, open(ctx.staged, "wb") as dst:
            while block := src.read(1 << 20):
                digest.update(block)
                dst.write(block)
            dst.flush()
            os.fsync(dst.fileno())
        after = ctx.path.stat()
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
            raise StopIngest("busy", "the file changed while it was read")
        ctx.content_hash = digest.hexdigest()

    def cleanup(self, ctx: IngestContext) -> None:
        if ctx.staged is not None:
            ctx.staged.unlink(missing_ok=True)
            try:
                ctx.staged.parent.rmdir()
            except OSError:
                pass


def _staged_name(source_name: str) -> str:
    # Keep the name (extractors may use its suffix and stem); only very long names are shortened.
    name = Path(source_name).name or "file"
    if len(name.encode("utf-8")) > 200:
        suffix = Path(name).suffix
        name = "file" + (suffix if suffix.isascii() and len(suffix) <= 16 else "")
    return name


class ExtractText(Step):
    name = "extract"

    def run(self, ctx: IngestContext) -> None:
        from ingest.extract import extract

        path = ctx.staged or ctx.path
        # A hostile file (zip or XML bomb, a looping parser) can only take the caged child down.
        ctx.extracted = run_caged(ctx.limits, extract, path) if ctx.limits is not None else extract(path)


class ChunkText(Step):
    """Pages -> chunks with page and offsets; a scan waiting for OCR has none."""

    name = "chunk"

    def able_to_run(self, ctx: IngestContext) -> bool:
        return ctx.extracted is not None and not ctx.extracted.needs_ocr

    def run(self, ctx: IngestContext) -> None:
        from ingest.chunk import chunk_pages, detect_language

        assert ctx.extracted is not None
        pages = ctx.extracted.pages
        ctx.chunks = chunk_pages(pages, size=ctx.chunk_chars, overlap=ctx.chunk_overlap,
                                 title=ctx.extracted.title)
        counts: dict[str, int] = {}
        for c in ctx.chunks:
            if c.language:
                counts[c.language] = counts.get(c.language, 0) + len(c.text)
        if counts:
            ctx.language = max(counts, key=lambda k: counts[k])
        else:
            ctx.language = detect_language(ctx.extracted.text[:5000]) if ctx.extracted.text else ""


FILE_STEPS: tuple[type[Step], ...] = (CheckSize, StageCopy)
CONTENT_STEPS: tuple[type[Step], ...] = (ExtractText, ChunkText)
