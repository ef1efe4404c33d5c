"""Ask end to end with real llama.cpp (SmolLM2-135M fixture: plumbing, not answer quality)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from appliance.access.principals import SYSTEM
from appliance.ask.answering import answer
from appliance.audit import log as audit
from appliance.documents.ingest import ensure_collection, ingest_file
from models.llamacpp import LlamaCppLLM
from ops.cli import main
from tests.conftest import make_settings
from tests.llm_fixture import require_smollm

pytestmark = pytest.mark.llm

DOC = ("The recycling park on Station Street is open from Monday to Saturday, from 9 am to 5 pm. "
       "Garden waste is accepted free of charge. Construction waste costs 10 euro per cubic metre.")


@pytest.fixture(scope="module")
def smollm() -> LlamaCppLLM:
    return LlamaCppLLM(require_smollm(), n_ctx=2048, n_threads=1, n_batch=256)


@pytest.fixture(params=["free", "composed"])
def settings(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    return make_settings(tmp_path, ask={"answer_mode": request.param})


@pytest.fixture
def corpus(appliance, tmp_path):  # type: ignore[no-untyped-def]
    ensure_collection(appliance, "afval")
    path = tmp_path / "recyclagepark.txt"
    path.write_text(DOC, "utf-8")
    assert ingest_file(appliance, path, "afval").ok
    return appliance


def test_pipeline_streams_through_llamacpp_and_audits(corpus: Any, smollm: LlamaCppLLM) -> None:
    pieces: list[str] = []
    ans = answer(corpus, SYSTEM, "When is the recycling park on Station Street open?", llm=smollm,
                 stream_cb=pieces.append)
    assert ans.status in ("answered", "dont_know")  # a 135M model may fail the check: never unchecked text
    if corpus.settings.ask.answer_mode == "free":
        assert pieces and "".join(pieces).strip() == ans.checks["raw"]
    else:  # the schema became a grammar: the model's choice parses and names existing sentences
        assert not pieces and ans.checks["mode"] == "composed"
        n = len(ans.checks["candidates"])
        assert ans.checks["selection"] is not None and all(1 <= i <= n for i in ans.checks["selection"])
        for c in ans.citations:
            assert " ".join(c.sentence.split()) in DOC
    assert ans.language == "en" and ans.model == smollm.name
    for c in ans.citations:
        assert c.number in {s.number for s in ans.sources}
    rec = audit.get_record(corpus, SYSTEM, ans.audit_id)
    assert rec["model_sha256"] == smollm.sha256
    assert rec["payload"]["parameters"]["n_ctx"] == 2048
    assert audit.verify_chain(corpus) == (True, None)


def test_missing_model_keeps_ask_working_extractively(tmp_path: Path) -> None:
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder

    settings = make_settings(tmp_path, llm={"engine": "llama-cpp", "model": str(tmp_path / "nope.gguf")})
    app = open_appliance(settings, embedder=FakeEmbedder())
    ensure_collection(app, "afval")
    (tmp_path / "park.txt").write_text(DOC, "utf-8")
    assert ingest_file(app, tmp_path / "park.txt", "afval").ok
    assert app.llm is None
    status = app.llm_status()
    assert status["ok"] is False and status["code"] == "llm.model_missing" and status["hint"]
    ans = answer(app, SYSTEM, "When is the recycling park open?")
    assert ans.status == "extractive" and "9 am to 5 pm" in ans.text


def test_wrong_checksum_is_a_model_error(tmp_path: Path) -> None:
    from appliance.context import Appliance

    folder = tmp_path / "models" / "smollm2-135m-instruct-q4_1"
    folder.mkdir(parents=True)
    (folder / "SmolLM2-135M-Instruct.Q4_1.gguf").write_bytes(b"GGUF damaged copy")
    app = Appliance(make_settings(tmp_path, llm={"engine": "llama-cpp", "model": "smollm2-135m-instruct-q4_1"}))
    assert app.llm is None
    assert app.llm_status()["code"] == "llm.checksum_mismatch"


def test_cli_ask_json(corpus: Any, settings: Any, smollm: LlamaCppLLM, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BELFORT_SEARCH__EMBEDDER", "fake")
    monkeypatch.setenv("BELFORT_LLM__THREADS", "1")
    assert main(["ask", "When is the recycling park on Station Street open?", "--json",
                 "--model", str(smollm.path)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] in ("answered", "dont_know") and out["audit_id"] >= 1
    assert out["sources"][0]["title"].startswith("recyclagepark")
    assert main(["ask", "When is the recycling park open?", "--no-llm"]) == 0
    assert "No AI answer available" in capsys.readouterr().out
    assert main(["ask", " "]) == 2  # empty question: a coded error
    assert "ask.empty_question" in capsys.readouterr().err
