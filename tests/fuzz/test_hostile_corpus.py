"""Every hostile file of the corpus, dropped into the pipeline: it is stored or it lands in failed/
with a reason JSON and a known code, within its time budget; the next ordinary file still ingests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import Chunk, FailedFile
from appliance.documents import ingest as documents
from tests.filefactory import make_text
from tests.fuzz.corpus import AUDIO_CASES, CASES, EMPTY_NAMES, Case
from tests.fuzz.support import UNNAMED, hang_guard, known_codes


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Appliance, Path]:
    """One appliance for the whole corpus, as one worker takes file after file."""
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    tmp = tmp_path_factory.mktemp("fuzz-corpus")
    app = open_appliance(make_settings(tmp), embedder=FakeEmbedder())
    documents.ensure_collection(app, "fuzz", "Fuzz")
    return app, tmp / "inbox" / "fuzz"


def _drop(inbox: Path, name: str, data: bytes) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    path.write_bytes(data)
    return path


def _text_of(app: Appliance, document_id: int) -> str:
    with read_session(app.db) as s:
        return "\n".join(c.text for c in s.exec(select(Chunk).where(Chunk.document_id == document_id)))


def _assert_named_failure(app: Appliance, outcome: documents.IngestOutcome, name: str) -> None:
    assert outcome.code != UNNAMED, f"{name}: an unnamed exception ({outcome.message})"
    assert outcome.code in known_codes(), f"{name}: unknown code {outcome.code}"
    assert outcome.message and outcome.hint, name
    with read_session(app.db) as s:
        row = s.get(FailedFile, outcome.failed_id)
    assert row is not None and row.code == outcome.code, name
    failed = Path(row.failed_path)
    assert failed.is_file(), f"{name}: the file did not land in failed/"
    reason = json.loads(failed.with_name(failed.name + ".reason.json").read_text("utf-8"))
    assert reason["code"] == outcome.code and reason["hint"], name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_is_stored_or_fails_by_name(world: tuple[Appliance, Path], case: Case) -> None:
    app, inbox = world
    path = _drop(inbox, case.name, case.build())
    with hang_guard(case.seconds) as took:
        outcome = documents.ingest_file(app, path, "fuzz", keep_source=False)
    assert took["seconds"] < case.seconds, f"{case.name} took {took['seconds']:.1f} s"
    assert not path.exists(), "the drop folder must be empty afterwards"
    if outcome.state == "failed":
        _assert_named_failure(app, outcome, case.name)
        assert outcome.code in case.outcomes, f"{case.name}: {outcome.code}, expected {sorted(case.outcomes)}"
    else:
        assert outcome.state in ("ingested", "needs_ocr", "duplicate"), (case.name, outcome)
        assert outcome.document_id is not None
        kinds = {o for o in case.outcomes if not o.startswith("ingest.")}
        assert kinds, f"{case.name} was stored, but it may only fail ({sorted(case.outcomes)})"
        for child in outcome.children:
            if child.state == "failed" and child.failed_id is not None:
                _assert_named_failure(app, child, f"{case.name} (attachment)")
            else:
                assert child.code != UNNAMED, (case.name, child)
        if case.absent:
            assert case.absent not in _text_of(app, outcome.document_id), f"{case.name}: entity resolved"


@pytest.mark.parametrize("name", EMPTY_NAMES)
def test_zero_bytes_under_every_name_is_empty(world: tuple[Appliance, Path], name: str) -> None:
    app, inbox = world
    outcome = documents.ingest_file(app, _drop(inbox, name, b""), "fuzz", keep_source=False)
    assert outcome.state == "failed" and outcome.code == "ingest.empty", (name, outcome)
    _assert_named_failure(app, outcome, name)


@pytest.mark.parametrize("name", sorted(AUDIO_CASES))
def test_hostile_recording_is_refused_by_name_or_stored(world: tuple[Appliance, Path], name: str) -> None:
    """Uploads that hold no usable audio are refused at once with a named code, nothing left behind."""
    import io

    from appliance.access.principals import Principal
    from appliance.errors import BelfortError
    from appliance.recordings.store import store_upload

    app, _ = world
    with hang_guard(15) as took:
        try:
            rec = store_upload(app, Principal(None, "fuzz", "admin"), name, io.BytesIO(AUDIO_CASES[name]()))
        except BelfortError as err:
            assert err.code in known_codes() and err.hint, (name, err.code)
            assert not list(app.layout.recordings.glob(".upload-*")), "a refused upload left its part file"
            return
    assert took["seconds"] < 15
    assert rec.duration > 0 and rec.state == "pending", (name, rec)


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_hostile_scans_waiting_for_ocr_end_read_or_failed_by_name(world: tuple[Appliance, Path]) -> None:
    """The corpus left some files waiting for OCR (a 14400-point page with a 40000x40000 image, a
    content stream bomb, a looping TIFF): the caged OCR reads them or fails them by name."""
    from appliance.documents.ocr import ocr_pending

    app, _ = world
    with hang_guard(150) as took:
        outcomes = ocr_pending(app)
    assert len(outcomes) >= 3 and took["seconds"] < 150
    for o in outcomes:
        assert o.state in ("ingested", "failed", "needs_ocr"), o
        assert o.state == "ingested" or o.code in known_codes(), o


def test_the_worker_still_ingests_an_ordinary_file_afterwards(world: tuple[Appliance, Path]) -> None:
    app, inbox = world
    path = make_text(inbox / "gewoon.txt", "Na de storm: de gemeenteraad vergadert gewoon verder over de begroting.")
    outcome = documents.ingest_file(app, path, "fuzz", keep_source=False)
    assert outcome.state == "ingested", outcome
    assert "begroting" in _text_of(app, outcome.document_id or 0)
    staging = app.settings.data_dir / "staging"
    assert not [p for p in staging.rglob("*") if p.is_file()], "hostile files left copies in staging/"
    assert not Path("/tmp/belfort-fuzz-escape").exists(), "a zip member escaped its archive"
