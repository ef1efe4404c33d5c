"""Versioned triage models on disk: every trained model keeps its own folder; a small JSON pointer says
which one is active and which came before, so a bad retrain is undone with one rollback."""

from __future__ import annotations

import json
from pathlib import Path

from appliance.errors import BelfortError
from appliance.settings import Settings
from appliance.storage.files import atomic_folder, atomic_write_json, atomic_write_text
from appliance.storage.layout import DataLayout
from appliance.triage.classifier import TriageClassifier
from appliance.triage.model import TriageModel
from appliance.triage.taxonomy import Taxonomy, load_taxonomy
from models.base import Embedder

KEEP = 5  # versions kept on disk; older ones are removed after a successful save


def models_root(settings: Settings) -> Path:
    return DataLayout.of(settings).triage_models


class ModelStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._pointer = root / "active.json"

    def _read(self) -> dict[str, list[str]]:
        try:
            data = json.loads(self._pointer.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"history": []}
        except ValueError:
            raise BelfortError(
                "triage.store_corrupt",
                f"{self._pointer} is not valid JSON",
                hint="restore it from the backup or retrain the triage model",
            ) from None
        return {"history": [str(v) for v in data.get("history", [])]}

    def _write(self, history: list[str]) -> None:
        atomic_write_json(self._pointer, {"history": history})  # a crash never leaves half a pointer

    def versions(self) -> list[str]:
        """Active version first, then the ones it replaced (newest first)."""
        return self._read()["history"]

    def active_version(self) -> str | None:
        history = self.versions()
        return history[0] if history else None

    def save(self, model: TriageModel) -> str:
        """Store and activate `model`; the previous active model stays available for rollback."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / model.version
        if not (folder / "model.json").exists():
            with atomic_folder(folder) as tmp:
                model.save(tmp)
        history = [model.version] + [v for v in self.versions() if v != model.version]
        self._write(history[:KEEP])
        for stale in history[KEEP:]:
            for f in (self.root / stale).glob("*"):
                f.unlink()
            (self.root / stale).rmdir()
        return model.version

    def load_active(self) -> TriageModel | None:
        version = self.active_version()
        return TriageModel.load(self.root / version) if version else None

    def rollback(self) -> str:
        """Make the previous model active again; the rolled-back one is dropped from the history."""
        history = self.versions()
        if len(history) < 2:
            raise BelfortError(
                "triage.no_previous_model",
                "there is no previous triage model to roll back to",
                hint="train a new model instead",
            )
        self._write(history[1:])
        return history[1]


# --- the appliance's taxonomy: imported from YAML (the admin console will edit the same file) ---


def taxonomy_path(settings: Settings) -> Path:
    return DataLayout.of(settings).triage_taxonomy


def import_taxonomy(settings: Settings, source: Path) -> Taxonomy:
    """Validate `source` and make it the active taxonomy; an invalid file changes nothing."""
    taxonomy = load_taxonomy(source)
    target = taxonomy_path(settings)
    atomic_write_text(target, Path(source).read_text(encoding="utf-8"))
    return taxonomy


def active_taxonomy(settings: Settings) -> Taxonomy:
    path = taxonomy_path(settings)
    if not path.exists():
        raise BelfortError(
            "triage.no_taxonomy",
            "no triage taxonomy has been imported",
            hint="belfort triage import-taxonomy FILE.yaml (see docs/examples/)",
            status=404,
        )
    return load_taxonomy(path)


def load_classifier(settings: Settings, embedder: Embedder) -> TriageClassifier:
    """The active taxonomy with the active trained model, or zero-shot when none is trained yet."""
    root = models_root(settings)
    model = ModelStore(root).load_active()
    return TriageClassifier(active_taxonomy(settings), embedder, model, prototype_cache=root / "prototypes")
