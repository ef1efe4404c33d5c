"""Which model each engine kind of this appliance runs: name, version and sha256 from the model catalogue
(models/catalog.toml, the same manifest `belfort models list` reads), else from the installed package."""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

from models.catalog import ModelEntry, load_catalog, verify_model

if TYPE_CHECKING:
    from appliance.context import Appliance

# Engines that are not one catalogue file: their version is the installed package's.
PACKAGES = {"tesseract": "ocrmypdf", "rapidocr": "rapidocr", "auto": "ocrmypdf", "frog": "python-frog",
            "pyannote": "pyannote.audio", "channel": "", "rules": ""}


def _package_version(name: str) -> str:
    try:
        return version(name) if name else ""
    except PackageNotFoundError:
        return ""


def _catalog_row(entry: ModelEntry, kind: str, app: Appliance) -> dict[str, Any]:
    first = entry.main_file.parts[0] if entry.main_file.parts else None
    return {"kind": kind, "name": entry.name, "engine": entry.engine,
            "version": first.spec if first else "", "sha256": entry.main_file.sha256,
            "licence": entry.licence, "source": entry.source,
            "provisioned": verify_model(entry, app.settings.models_dir).state == "verified"}


def _other_row(kind: str, name: str, engine: str, *, sha256: str = "", note: str = "") -> dict[str, Any]:
    package = PACKAGES.get(name, "")
    ver = _package_version(package)
    return {"kind": kind, "name": name, "engine": engine, "version": f"{package}=={ver}" if ver else "",
            "sha256": sha256, "licence": "", "source": note, "provisioned": True}


def _llm(app: Appliance) -> dict[str, Any] | None:
    s = app.settings.llm
    if s.engine == "none":
        return None
    if s.engine == "openai-compatible":
        servers = ", ".join(app.settings.model_servers.llm or [s.base_url])
        return _other_row("llm", s.model, s.engine, note=f"on-premises server {servers}")
    name = app.llm_choice().name
    entry = load_catalog().get(name)
    return _catalog_row(entry, "llm", app) if entry else _other_row("llm", name, s.engine)


def _triage(app: Appliance) -> dict[str, Any] | None:
    from appliance.triage import model_history, models_root

    history = model_history(app)
    if not history:
        return None
    active = history[0]
    from models.catalog import sha256_of

    meta = models_root(app.settings) / active["version"] / "model.json"
    return {"kind": "triage", "name": "triage classifier", "engine": "belfort-triage",
            "version": active["version"], "sha256": sha256_of(meta) if meta.is_file() else "",
            "licence": "", "source": json.dumps({"rows": active["rows"], "categories": active["categories"]}),
            "provisioned": True}


def engine_rows(app: Appliance) -> dict[str, dict[str, Any] | None]:
    """kind -> the model row of what this appliance runs for that kind (None: none configured)."""
    s, catalog = app.settings, load_catalog()

    def catalog_or_other(kind: str, name: str, engine: str) -> dict[str, Any]:
        entry = catalog.get(name)
        return _catalog_row(entry, kind, app) if entry else _other_row(kind, name, engine)

    return {
        "llm": _llm(app),
        "embedder": catalog_or_other("embedder", s.search.embedder_model, s.search.embedder)
        if s.search.embedder != "fake" else _other_row("embedder", "fake", "fake", note="test embedder"),
        "transcriber": catalog_or_other("transcriber", s.asr.model, "faster-whisper"),
        "diarizer": None if s.asr.diarizer == "none" else _other_row("diarizer", s.asr.diarizer, s.asr.diarizer),
        "ocr": _other_row("ocr", s.ocr.engine, s.ocr.engine, note="languages: " + ", ".join(s.ocr.languages)),
        "ner": _other_row("ner", "rules" if s.pii.ner == "none" else s.pii.ner, "pii"),
        "triage": _triage(app),
    }
