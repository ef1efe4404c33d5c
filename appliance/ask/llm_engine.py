"""The process's one LLM: built from settings + hardware profile on first use, then shared.

A model that cannot load (none provisioned, wrong checksum, llama.cpp missing) does not break the
appliance: `get_llm` returns None, Ask answers extractively, and `llm_status` gives the error code
and hint for the doctor, the admin page and the API.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from models.base import LLM, ModelError

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)

_SLOT = "_belfort_llm"  # the engine (or the error that prevented it) lives on the Appliance object


def set_llm(app: Appliance, llm: LLM | None) -> None:
    """The seam for tests and for the CLI's --model: hand an engine in."""
    app.__dict__[_SLOT] = (llm, None)


def get_llm(app: Appliance) -> LLM | None:
    slot = app.__dict__.get(_SLOT)
    if slot is None:
        with app._lock:
            slot = app.__dict__.get(_SLOT)
            if slot is None:
                try:
                    slot = (build_llm(app), None)
                except ModelError as exc:
                    log.warning("LLM unavailable: %s (%s)", exc.code, exc.message)
                    slot = (None, exc)
                app.__dict__[_SLOT] = slot
    return slot[0]


def llm_status(app: Appliance) -> dict[str, Any]:
    """{'ok', 'engine', 'model', 'sha256', 'code', 'message', 'hint'} (loads the model if needed)."""
    llm = get_llm(app)
    err: ModelError | None = app.__dict__[_SLOT][1]
    out: dict[str, Any] = {"ok": llm is not None, "engine": app.settings.llm.engine,
                           "model": getattr(llm, "name", app.settings.llm.model),
                           "sha256": getattr(llm, "sha256", "")}
    if err is not None:
        out.update(code=err.code, message=err.message, hint=err.hint)
    elif llm is None:
        out.update(code="llm.disabled", message="no LLM configured (llm.engine = none)",
                   hint="set llm.engine to llama-cpp and provision a model")
    return out


class RuntimeParams(TypedDict):
    """LlamaCppLLM's keyword arguments for the machine it runs on."""

    n_ctx: int
    n_threads: int
    n_gpu_layers: int
    n_batch: int


def runtime_params(app: Appliance) -> RuntimeParams:
    """Context, threads, GPU layers and batch: explicit settings win, else the hardware profile."""
    s = app.settings.llm
    try:
        from hardware.detect import detect
        from hardware.profile import profile

        prof = profile(detect(app.settings.data_dir))
        ctx, threads, gpu, batch = prof.llm_context, prof.llm_threads, prof.llm_gpu_layers, prof.llm_batch
    except Exception:  # noqa: BLE001  # hardware probing must never stop Ask from starting
        ctx, threads, gpu, batch = 4096, os.cpu_count() or 1, 0, 256
    return {
        "n_ctx": s.context_size or max(ctx, 2048),
        "n_threads": s.threads or threads,
        "n_gpu_layers": s.gpu_layers if s.gpu_layers >= -1 else gpu,
        "n_batch": batch,
    }


def model_file(app: Appliance) -> tuple[Path, str]:
    """(path of the GGUF, expected sha256 or '') for settings.llm.model: a catalog name, a folder
    or a .gguf path."""
    name = app.settings.llm.model
    candidate = Path(name).expanduser()
    if candidate.suffix == ".gguf" or candidate.is_absolute():
        return candidate, ""
    from models.catalog import get_entry, resolve_model_dir

    folder = resolve_model_dir(app.settings.models_dir, name)
    try:
        entry = get_entry(name)
    except ModelError:
        return folder, ""  # a folder of IT's own: no pinned checksum
    return folder / entry.main_file.path, entry.main_file.sha256


def build_llm(app: Appliance) -> LLM | None:
    s = app.settings.llm
    if s.engine == "none":
        return None
    if s.engine == "openai-compatible":
        from models.openai_compat import OpenAICompatLLM

        return OpenAICompatLLM(s.base_url, s.model, timeout=s.timeout_seconds)
    if s.engine != "llama-cpp":
        raise ModelError("llm.unknown_engine", f"unknown LLM engine '{s.engine}'",
                         hint="available: llama-cpp, openai-compatible, none")
    from models.llamacpp import LlamaCppLLM

    path, sha = model_file(app)
    if not path.exists():
        raise ModelError("llm.model_missing", f"model file {path} not found",
                         hint="provision it with `belfort models install-defaults` (or `belfort models import`)")
    return LlamaCppLLM(path, expected_sha256=sha, queue_timeout=s.timeout_seconds, **runtime_params(app))
