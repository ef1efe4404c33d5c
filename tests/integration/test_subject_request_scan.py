"""A data-subject request end to end: a person in a scanned letter (found by OCR text and national
number), a mail, a transcript and an answer record; the export holds them; erasure keeps the chain."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from appliance import governance
from appliance.audit import verify_chain
from appliance.db.engine import read_session
from appliance.db.tables import AnswerRecord, AuditEvent, TranscriptSegment, TriageItem
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.documents.ocr import ocr_pending
from appliance.errors import BelfortError
from ops.cli import main
from tests import governance_support as g
from tests.scanfactory import write_scanned_pdf

RRN = "85073003328"  # checksum-valid, made up
LETTER = ("Gemeente Belveld, dienst Burgerzaken.\nBetreft: aanvraag parkeerkaart.\n"
          "Aanvrager: Mieke Dierckx, Kerkstraat 12, 9000 Gent.\nRijksregisternummer: 85.07.30-033.28\n"
          "Met vriendelijke groeten, het college van burgemeester en schepenen.")


def _scan(app, tmp_path: Path) -> int:
    ensure_collection(app, "brieven", groups=("iedereen",))
    write_scanned_pdf(tmp_path / "scan.pdf", [LETTER])
    outcome = ingest_file(app, tmp_path / "scan.pdf", "brieven")
    assert outcome.state == "needs_ocr" and outcome.document_id
    [done] = ocr_pending(app)
    assert done.state == "ingested"
    return outcome.document_id


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_subject_found_everywhere_exported_and_erased(appliance, tmp_path, settings, monkeypatch, capsys):
    app = appliance
    scan = _scan(app, tmp_path)
    other = g.document(app, tmp_path, "ander", "Een brief over de kermis.")
    mail = g.triage_item(app, "Parkeerkaart", "Beste, mijn kaart is verlopen. Groeten, M. Dierckx",
                         sender="mieke.dierckx@example.be", sender_name="DIERCKX Mieke")
    meeting = g.transcript(app, ["Punt drie: de klacht van mevrouw Mieke Dierckx.", "Goedgekeurd."])
    asked = g.answer(app, "Heeft Mieke Dierckx haar parkeerkaart al?")
    g.answer(app, "Wanneer is de kermis?")

    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    assert main(["subject", "search", "Mieke Dierckx", "--rrn", "85.07.30-033.28", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)["items"]
    refs = {i["ref"]: i for i in items}
    assert set(refs) == {f"document:{scan}", f"triage:{mail}", f"transcript:{meeting}", f"answer:{asked}"}
    assert f"document:{other}" not in refs
    assert {"name", "rrn"} <= set(refs[f"document:{scan}"]["matched"])  # the number, read by OCR

    # The number alone finds the scan too (checksum-normalised: written with dots in the letter).
    by_number = governance.search_subject(app, "dpo", "Jan Onbekend", rrn=RRN)
    assert [f.item.ref for f in by_number] == [f"document:{scan}"]

    archive = zipfile.ZipFile(io.BytesIO(governance.export_zip(app, "dpo", "Mieke Dierckx", rrn=RRN)))
    index = json.loads(archive.read("index.json"))
    assert {i["ref"] for i in index["items"]} == set(refs) and index["count"] == 4
    scan_entry = next(i for i in index["items"] if i["ref"] == f"document:{scan}")
    assert "Dierckx" in json.loads(archive.read(scan_entry["file"]))["text"]
    assert scan_entry["originals"] and archive.read(scan_entry["originals"][0]).startswith(b"%PDF")
    transcript = next(i for i in index["items"] if i["kind"] == "transcript")
    assert "Dierckx" in json.dumps(json.loads(archive.read(transcript["file"]))["segments"])

    # Art. 17: erase the mail, the transcript and the answer; the scan is under a legal hold.
    governance.place_hold(app, "dpo", "document", str(scan), reason="bezwaarprocedure")
    result = governance.erase(app, "dpo", "Mieke Dierckx", list(refs), action="anonymise",
                              reason="verzoek 2027-04", rrn=RRN)
    assert set(result["done"]) == set(refs) - {f"document:{scan}"}
    assert result["refused"] == [{"ref": f"document:{scan}", "why": "hold", "hold": 1, "duty": None}]
    with read_session(app.db) as s:
        item = s.get(TriageItem, mail)
        assert item is not None and item.sender == "" and "Dierckx" not in item.text
        segs = s.exec(select(TranscriptSegment).where(TranscriptSegment.recording_id == meeting)).all()
        assert segs and not any("Dierckx" in x.text for x in segs)
        rec = s.get(AnswerRecord, asked)
        assert rec is not None and "Dierckx" not in rec.question and rec.erased_at
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "request.anonymised")).all()
    assert {e.detail["reason"] for e in events} == {"verzoek 2027-04"}
    assert verify_chain(app) == (True, None)
    assert main(["audit", "verify"]) == 0
    found_after = {f.item.ref for f in governance.search_subject(app, "dpo", "Mieke Dierckx")}
    assert found_after == {f"document:{scan}"}


def test_one_letter_names_are_refused(appliance, settings, monkeypatch, capsys):
    for name in ("J", " j ", "J."):
        with pytest.raises(BelfortError) as err:
            governance.search_subject(appliance, "dpo", name)
        assert err.value.code == "subject.name_too_short"
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    assert main(["subject", "search", "X", "--json"]) == 2
    assert "subject.name_too_short" in capsys.readouterr().err
    with pytest.raises(BelfortError) as err:
        governance.search_subject(appliance, "dpo", "Mieke Dierckx", rrn="85073003329")
    assert err.value.code == "subject.bad_rrn"
