"""An OpenAI-compatible llama.cpp server for one provisioned catalog model (`belfort model-server`).

llama-cpp-python's own server (`llama_cpp.server`, the `[server]` extra) serves the model; Belfort
only resolves and checks the file first (offline, the catalog's sha256, as the in-process engine
does), turns off the interruption of a running answer by the next request (several appliances share
one server), and adds `GET /health`, answered without waiting for the model (the pool's probe).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.base import ModelError
from models.catalog import file_sha256


@dataclass(frozen=True)
class ServedModel:
    name: str  # the alias the server answers to (the catalog name)
    path: Path
    sha256: str
    embedder: bool  # a catalog embedder: /v1/embeddings is on


def served_model(models_dir: Path, name: str) -> ServedModel:
    """The GGUF of catalog model `name` (or a folder / .gguf path), present and with its pinned checksum."""
    from models.catalog import get_entry
    from models.llamacpp import find_gguf
    from models.registry import llm_model_file

    path, expected = llm_model_file(models_dir, name)
    path = find_gguf(path)
    actual = file_sha256(path)
    if expected and expected.lower() != actual:
        raise ModelError("llm.checksum_mismatch",
                         f"{path.name} has sha256 {actual[:12]}…, expected {expected[:12]}…",
                         hint="the file is damaged or a different model: provision it again")
    try:
        embedder = get_entry(name).kind == "embedder"
    except ModelError:
        embedder = False
    return ServedModel(name, path, actual, embedder)


def server_app(model: ServedModel, *, threads: int = 0, n_ctx: int = 4096, gpu_layers: int = 0,
               embedding: bool = False, api_key: str = "") -> Any:
    """The FastAPI app of llama_cpp.server for `model`, loaded (seconds), with `/health`."""
    try:
        from llama_cpp.server.app import create_app
        from llama_cpp.server.settings import ModelSettings, ServerSettings
    except ImportError as exc:
        raise ModelError("llm.server_missing", "llama-cpp-python's server is not installed",
                         hint="pip install 'llama-cpp-python[server]' (see pyproject.toml)") from exc
    kw: dict[str, Any] = {"model": str(model.path), "model_alias": model.name, "n_ctx": n_ctx,
                          "n_gpu_layers": gpu_layers, "embedding": embedding or model.embedder, "verbose": False}
    if threads > 0:
        kw |= {"n_threads": threads, "n_threads_batch": threads}
    settings = ModelSettings(**kw)
    server = ServerSettings(interrupt_requests=False, api_key=api_key or None)
    try:
        app = create_app(server_settings=server, model_settings=[settings])
    except (ValueError, RuntimeError) as exc:
        raise ModelError("llm.load_failed", f"llama.cpp could not load {model.path.name}: {exc}",
                         hint="check the file with `belfort models verify`; provision it again") from exc

    async def health() -> dict[str, str]:
        return {"status": "ok", "model": model.name, "sha256": model.sha256}

    app.add_api_route("/health", health, methods=["GET"])
    return app
