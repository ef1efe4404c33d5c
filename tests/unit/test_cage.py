"""The cage itself: results and named errors come back from the child; memory, CPU time and wall clock
are limited, and a child that dies by a signal is a named failure, never a crashed caller."""

from __future__ import annotations

import os
import signal
import time

import pytest

from appliance.errors import BelfortError, NotFound
from ingest.cage import (
    FAILURE_CODES,
    MEMORY_LIMIT,
    PARSER_CRASHED,
    TIMEOUT,
    Limits,
    run_caged,
)
from ingest.types import IngestError

QUICK = Limits(memory_mb=512, cpu_seconds=10, wall_seconds=30)


def add(a: int, b: int, *, c: int = 0) -> tuple[int, int]:
    return a + b + c, os.getpid()


def fail_with(exc: BaseException) -> None:
    raise exc


def allocate(megabytes: int) -> int:
    return len(bytearray(megabytes << 20))


def spin() -> None:
    while True:
        pass


def sleep(seconds: float) -> None:
    time.sleep(seconds)


def raise_local() -> None:
    class Local(Exception):  # a class pickle cannot find again
        pass

    raise Local("kapot")


def segfault() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def test_a_result_comes_back_from_another_process() -> None:
    total, pid = run_caged(QUICK, add, 2, 3, c=4)
    assert total == 9 and pid != os.getpid()


def test_named_errors_come_back_with_code_hint_and_status() -> None:
    with pytest.raises(IngestError) as err:
        run_caged(QUICK, fail_with, IngestError("ingest.corrupt", "kapot", "sla opnieuw op"))
    assert (err.value.code, err.value.message, err.value.hint) == ("ingest.corrupt", "kapot", "sla opnieuw op")
    with pytest.raises(NotFound) as nf:
        run_caged(QUICK, fail_with, NotFound("x.missing", "weg", hint="zoek"))
    assert (nf.value.code, nf.value.hint, nf.value.status) == ("x.missing", "zoek", 404)
    assert isinstance(nf.value, BelfortError)


def test_an_unpicklable_exception_still_says_what_it_was() -> None:
    with pytest.raises(RuntimeError, match="Local: kapot"):
        run_caged(QUICK, raise_local)


def test_memory_beyond_the_limit_is_a_named_failure() -> None:
    start = time.monotonic()
    with pytest.raises(IngestError) as err:
        run_caged(Limits(memory_mb=400, cpu_seconds=10, wall_seconds=30), allocate, 2048)
    assert err.value.code == MEMORY_LIMIT and err.value.hint
    assert time.monotonic() - start < 10
    assert run_caged(QUICK, allocate, 64) == 64 << 20  # the next call has its full allowance


def test_cpu_time_beyond_the_limit_is_a_named_failure() -> None:
    start = time.monotonic()
    with pytest.raises(IngestError) as err:
        run_caged(Limits(memory_mb=512, cpu_seconds=1, wall_seconds=30), spin)
    assert err.value.code == TIMEOUT
    assert time.monotonic() - start < 10


def test_wall_clock_beyond_the_limit_kills_the_child() -> None:
    start = time.monotonic()
    with pytest.raises(IngestError) as err:
        run_caged(Limits(memory_mb=512, cpu_seconds=10, wall_seconds=1), sleep, 60)
    assert err.value.code == TIMEOUT
    assert time.monotonic() - start < 8


def test_a_child_killed_by_a_signal_is_a_named_failure() -> None:
    with pytest.raises(IngestError) as err:
        run_caged(QUICK, segfault)
    assert err.value.code == PARSER_CRASHED and "SIGSEGV" in err.value.message
    assert run_caged(QUICK, add, 1, 1)[0] == 2


def test_the_failure_codes_are_one_stable_list() -> None:
    assert FAILURE_CODES == {"ingest.too_complex", "ingest.memory_limit", "ingest.timeout",
                             "ingest.parser_crashed", "ocr.image_too_large"}


def test_the_doctor_reports_the_cage_and_warns_when_a_limit_is_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appliance.checks import check_cage
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings

    on = check_cage(open_appliance(make_settings(tmp_path / "a"), embedder=FakeEmbedder()))
    assert on.ok and "1536 MiB" in on.message
    off = check_cage(open_appliance(make_settings(tmp_path / "b", ingest={"cage_memory_mb": 0}),
                                    embedder=FakeEmbedder()))
    assert off.level == "warning" and "ingest.cage_memory_mb" in off.hint


def test_caged_pii_detection_finds_what_detection_in_process_finds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from appliance.context import open_appliance
    from appliance.privacy.caged import detect_pii_caged
    from appliance.privacy.pii import default_first_names, detect_pii
    from models.fakes import FakeEmbedder, FakeNerTagger
    from tests.conftest import make_settings

    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder())
    ner = FakeNerTagger({"Hilde Vermeersch": "PER", "Gent": "LOC"})
    app.engines.set("ner", ner)  # the engine seam: Frog tags in this process, detection runs caged
    texts = ["Mevrouw Hilde Vermeersch woont in de Kerkstraat 12, 9000 Gent; IBAN BE68 5390 0754 7034.",
             "Geen persoonsgegevens hier.", ""]
    caged = detect_pii_caged(app, texts)
    assert caged == [detect_pii(t, ner=ner, first_names=default_first_names()) for t in texts]
    assert {s.entity_type for s in caged[0]} >= {"PERSON", "IBAN"}
