"""Findings 2 and 3 of the security review (issue 19), reproduced: decompression bombs and XML/zip bombs
end in failed/ with a named reason, within the cage's limits, and the next file in the same worker is
ingested as usual. Pillow's bomb guard stays on."""

from __future__ import annotations

import json
import resource
import shutil
import time
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import select

from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Document, FailedFile
from appliance.documents.ingest import IngestOutcome, ensure_collection, ingest_file, list_jobs
from appliance.documents.ocr import ocr_pending
from appliance.errors import BelfortError
from appliance.ocr.engine import images_to_pdf, ocr_file
from ingest.cage import FAILURE_CODES, IMAGE_TOO_LARGE, TIMEOUT, TOO_COMPLEX
from models.fakes import FakeEmbedder
from tests import hostilefactory as hf
from tests.conftest import make_settings
from tests.filefactory import make_docx, make_image, make_scanned_pdf

LIMIT_S = 60.0


def _ingest_hostile(app: Appliance, path: Path, code: str) -> IngestOutcome:
    """Ingest as the drop folder does; the named failure, in time, with the file and its reason in failed/."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    out = ingest_file(app, path, "raad", keep_source=False)
    assert time.monotonic() - start < LIMIT_S
    assert out.state == "failed" and out.code == code, (out.code, out.message)
    assert out.code in FAILURE_CODES and out.message and out.hint
    # The parent did not parse it: its peak memory did not grow by the bomb (a decoded bomb is GBs).
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 200_000  # KiB
    with read_session(app.db) as s:
        row = s.get(FailedFile, out.failed_id)
    assert row is not None and row.code == code
    failed = Path(row.failed_path)
    assert failed.parent == app.layout.failed / "raad" and failed.is_file() and not path.exists()
    reason = json.loads(failed.with_name(failed.name + ".reason.json").read_text("utf-8"))
    assert reason["code"] == code and reason["hint"]
    return out


def _next_file_is_ingested(app: Appliance, tmp_path: Path) -> None:
    out = ingest_file(app, make_docx(tmp_path / "gewoon.docx"), "raad")
    assert out.state == "ingested", (out.code, out.message)


@pytest.fixture
def raad(appliance: Appliance) -> Appliance:
    ensure_collection(appliance, "raad")
    return appliance


@pytest.mark.parametrize("size", [9500, 40000])
def test_image_bomb_is_refused_from_its_header(raad: Appliance, tmp_path: Path, size: int) -> None:
    bomb = hf.png_bomb(tmp_path / f"scan-{size}.png", size, size)
    assert bomb.stat().st_size < 300_000  # KBs on disk; GBs once decoded
    _ingest_hostile(raad, bomb, IMAGE_TOO_LARGE)
    _next_file_is_ingested(raad, tmp_path)


def test_ocr_refuses_the_bomb_before_decoding_and_keeps_pillows_guard_on(tmp_path: Path) -> None:
    bomb = hf.png_bomb(tmp_path / "bom.png", 9500, 9500)
    guard = Image.MAX_IMAGE_PIXELS
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BelfortError) as err:
        images_to_pdf(bomb, tmp_path / "bom.pdf")
    assert err.value.code == IMAGE_TOO_LARGE and err.value.hint
    with pytest.raises(BelfortError) as err:
        ocr_file(bomb, make_settings(tmp_path), engine="tesseract")
    assert err.value.code == IMAGE_TOO_LARGE
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 100_000  # KiB: nothing decoded
    images_to_pdf(make_image(tmp_path / "klein.png"), tmp_path / "klein.pdf")
    assert Image.MAX_IMAGE_PIXELS is not None and Image.MAX_IMAGE_PIXELS == guard


@pytest.mark.parametrize("make", [
    pytest.param(lambda p: hf.docx_xml_bomb(p), id="docx-xml-inflates-300x"),
    pytest.param(lambda p: hf.docx_many_elements(p), id="docx-million-elements"),
    pytest.param(lambda p: hf.docx_billion_laughs(p), id="docx-billion-laughs"),
    pytest.param(lambda p: hf.deep_docx(p), id="docx-deep-nesting"),
    pytest.param(lambda p: hf.zip_bomb_member(p.with_suffix(".xlsx"), "xlsx"), id="xlsx-zip-bomb-member"),
    pytest.param(lambda p: hf.zip_bomb_member(p.with_suffix(".odt"), "odt"), id="odt-zip-bomb-member"),
])
def test_office_bombs_are_too_complex(raad: Appliance, tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    bomb = make(tmp_path / "bom.docx")
    _ingest_hostile(raad, bomb, TOO_COMPLEX)
    _next_file_is_ingested(raad, tmp_path)


def test_the_docx_bomb_inflates_300_times(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(hf.docx_xml_bomb(tmp_path / "bom.docx")) as zf:
        info = zf.getinfo("word/document.xml")
    assert info.file_size > 300 * info.compress_size and info.file_size > 16 << 20


def test_a_parser_past_the_cage_limit_fails_by_name_and_retry_succeeds(tmp_path: Path) -> None:
    """The cage is on the ingest path: with a wall clock no parser can meet, an ordinary file fails as
    ingest.timeout into failed/; with the normal limits the retry of that same file succeeds."""
    tight = open_appliance(make_settings(tmp_path, ingest={"cage_wall_seconds": 0.001}), embedder=FakeEmbedder())
    ensure_collection(tight, "raad")
    out = _ingest_hostile(tight, make_docx(tmp_path / "traag.docx"), TIMEOUT)
    from appliance.documents.ingest import retry_failed

    normal = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    assert retry_failed(normal, out.failed_id).state == "ingested"  # type: ignore[arg-type]


def test_worker_jobs_record_the_named_failure_and_go_on(tmp_path: Path) -> None:
    from appliance.jobs import enqueue_ingest, queue_for, use_appliance

    settings = make_settings(tmp_path)
    app = open_appliance(settings, embedder=FakeEmbedder())
    use_appliance(app)
    ensure_collection(app, "raad")
    huey = queue_for(settings, immediate=True)
    enqueue_ingest(app, huey, hf.docx_xml_bomb(tmp_path / "bom.docx"), "raad")
    enqueue_ingest(app, huey, hf.png_bomb(tmp_path / "bom.png", 9500, 9500), "raad")
    enqueue_ingest(app, huey, make_docx(tmp_path / "gewoon.docx"), "raad")
    jobs = {j.target: j for j in list_jobs(app)}
    assert (jobs["bom.docx"].state, jobs["bom.docx"].code) == ("failed", TOO_COMPLEX)
    assert (jobs["bom.png"].state, jobs["bom.png"].code) == ("failed", IMAGE_TOO_LARGE)
    assert jobs["gewoon.docx"].state == "done"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_ocr_past_its_limit_fails_the_document_and_the_next_one_is_read(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ocr={"cage_seconds": 0.001})
    app = open_appliance(settings, embedder=FakeEmbedder())
    ensure_collection(app, "raad")
    first = ingest_file(app, make_scanned_pdf(tmp_path / "scan1.pdf", pages=1, text="Eerste scan"), "raad")
    assert first.state == "needs_ocr"
    [outcome] = ocr_pending(app)
    assert (outcome.state, outcome.code) == ("failed", TIMEOUT)
    with read_session(app.db) as s:
        doc = s.get(Document, first.document_id)
        assert doc is not None and doc.state == "failed" and doc.state_detail.startswith(TIMEOUT)
    assert ocr_pending(app) == []  # not retried at every start

    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    second = ingest_file(app, make_scanned_pdf(tmp_path / "scan2.pdf", pages=1, text="Tweede scan"), "raad")
    [done] = ocr_pending(app)
    assert done.document_id == second.document_id and done.state == "ingested"
    assert Image.MAX_IMAGE_PIXELS is not None
    with read_session(app.db) as s:
        states = dict(s.exec(select(Document.id, Document.state)).all())  # type: ignore[call-overload]
    assert states == {first.document_id: "failed", second.document_id: "ingested"}
