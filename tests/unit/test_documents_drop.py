"""Drop-folder routing: one answer for the CLI, the watcher and the jobs."""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.context import Appliance
from appliance.documents.drop import DropTarget, drop_target, files_under, ingest_in_place
from appliance.errors import BelfortError
from appliance.settings import Settings
from appliance.storage.layout import DataLayout


def test_a_dropped_file_goes_to_its_folders_collection_or_to_triage(settings: Settings) -> None:
    inbox = DataLayout.of(settings).inbox
    assert drop_target(settings, inbox / "Raad Notulen" / "2026" / "maart.txt", "Raad Notulen") == DropTarget(
        triage=False, collection="raad-notulen", source_name="2026/maart.txt")
    triage = settings.intake.drop_folder
    assert drop_target(settings, inbox / triage / "brief.eml", triage) == DropTarget(triage=True)


def test_a_folder_given_to_ingest_skips_ignored_files(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "sub/b.txt", ".verborgen.txt", "~$c.docx"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in files_under(tmp_path, [".*", "~$*"])] == ["a.txt", "sub/b.txt"]


def test_ingest_in_place_needs_an_existing_path(appliance: Appliance, tmp_path: Path) -> None:
    with pytest.raises(BelfortError) as err:
        list(ingest_in_place(appliance, tmp_path / "weg.txt", "raad"))
    assert err.value.code == "ingest.no_path" and "does not exist" in err.value.message
