"""The per-page OCR choice ("auto"): which pages RapidOCR reads as well, and which text is kept. The
decision is tested on the engines' result type with scripted engines; the image evidence on rendered
pages; one test runs the real engines on a small faded page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.base import OcrPage
from models.fakes import FakeOcr
from models.ocr_choice import (
    CLEAN_PAGE,
    AutoOcr,
    PageLook,
    choose,
    page_look,
    second_opinion_reasons,
    text_evidence,
)
from tests.scanfactory import layout_lines, render_page

PROSE = (
    "Het college van burgemeester en schepenen keurt de aanvraag goed voor de heraanleg van de "
    "Kerkstraat. De werken beginnen op 3 juni 2024 en duren tot het einde van het jaar. Les travaux "
    "de la place du marché commencent en septembre et la commune informe les riverains par courrier."
)
# The same text as a reader that lost spaces, case and letters would give it.
RUN_TOGETHER = (
    "Hetcollege vanburgemeester enschepenen keurtde aanvraaggoed voordeheraanleg vandeKerkstraat. "
    "Dewerken beginnenop 3juni 2024 en durentot heteinde vanhetjaar. Lestravaux delaplace dumarché "
    "commencenten septembre etla communeinforme lesriverains parcourrier."
)
GARBAGE = "x7#q ]]k %%z9 @@ qqq1 zz&8 ;;; 0x1f ~~ |l| ¥3 ,,' 'ii\\ rn1"
FADED = PageLook(contrast=0.25, uneven=0.0, grain=0.0)


def _page(text: str, engine: str, confidence: float = 0.9) -> OcrPage:
    return OcrPage(1, text, confidence, engine)


def test_text_evidence_tells_words_from_garbage_and_words_run_together() -> None:
    prose, run, junk = text_evidence(PROSE), text_evidence(RUN_TOGETHER), text_evidence(GARBAGE)
    assert prose.wordlike > 0.95 and junk.wordlike < 0.3
    assert prose.score > run.score > junk.score
    assert prose.function_words > 2 * run.function_words
    assert text_evidence("").wordlike == 0.0 and text_evidence("").score == 0.0


def test_a_word_list_tells_misread_words_and_specks_from_the_real_ones() -> None:
    lexicon = frozenset(w.strip(".,:").lower() for w in PROSE.split())
    misread = PROSE.replace("burgemeester", "burgémeestcr").replace("aanvraag", "aanvraäg") + " • … * :"
    assert text_evidence(misread).known == text_evidence(PROSE).known  # by shape alone: the same words
    assert text_evidence(misread, lexicon).known == text_evidence(PROSE, lexicon).known - 2
    assert text_evidence(misread, lexicon).stray == 4
    assert text_evidence(PROSE + " |~ ¥3", lexicon).known == text_evidence(PROSE, lexicon).known  # garbage
    assert choose(_page(misread, "tesseract"), _page(PROSE, "rapidocr"), lexicon=lexicon).page.engine == "rapidocr"


def test_a_clean_page_with_good_text_is_left_to_the_first_engine() -> None:
    assert second_opinion_reasons(_page(PROSE, "tesseract"), CLEAN_PAGE, word_confidence=True) == []


def test_a_faded_or_photographed_page_or_weak_text_gets_a_second_reading() -> None:
    good = _page(PROSE, "tesseract")
    assert second_opinion_reasons(good, FADED, word_confidence=True) == ["low contrast"]
    photo = PageLook(contrast=0.8, uneven=0.2, grain=0.06)
    assert second_opinion_reasons(good, photo, word_confidence=True) == ["photo-like"]
    assert second_opinion_reasons(_page(GARBAGE, "tesseract"), CLEAN_PAGE,
                                  word_confidence=False) == ["few word-like tokens"]
    unsure = _page(PROSE, "tesseract", confidence=0.5)
    assert second_opinion_reasons(unsure, CLEAN_PAGE, word_confidence=True) == ["low word confidence"]
    # a confidence estimated from the text is not the engine's own: it is not counted twice
    assert second_opinion_reasons(unsure, CLEAN_PAGE, word_confidence=False) == []


def test_the_better_scored_reading_is_kept_and_a_tie_stays_with_the_first_engine() -> None:
    first_weak = choose(_page(GARBAGE, "tesseract"), _page(PROSE, "rapidocr"), ["low contrast"])
    assert first_weak.page.engine == "rapidocr" and "low contrast" in first_weak.reason
    second_weak = choose(_page(PROSE, "tesseract"), _page(RUN_TOGETHER, "rapidocr"), ["photo-like"])
    assert second_weak.page.engine == "tesseract"
    tie = choose(_page(PROSE, "tesseract"), _page(PROSE, "rapidocr"))
    assert tie.page.engine == "tesseract"
    alone = choose(_page(PROSE, "tesseract"), None)
    assert alone.page.engine == "tesseract" and alone.reason == "tesseract: strong evidence"


def _write(path: Path, **style: object) -> Path:
    render_page(layout_lines(PROSE), seed=3, **style).save(path)  # type: ignore[arg-type]
    return path


def test_page_look_sees_faded_copies_and_photos_but_not_office_scans(tmp_path: Path) -> None:
    from PIL import Image

    looks = {}
    for name, style in {"clean": {}, "faded": {"ink": 115, "paper": 185, "blur": 1.1},
                        "photo": {"photo": 0.9, "blur": 1.0}}.items():
        with Image.open(_write(tmp_path / f"{name}.png", **style)) as img:
            looks[name] = page_look(img)
    assert looks["clean"].reasons == [], looks["clean"]
    assert looks["faded"].reasons == ["low contrast"], looks["faded"]
    assert looks["photo"].reasons == ["photo-like"], looks["photo"]


def test_auto_engine_asks_the_second_engine_only_when_needed(tmp_path: Path) -> None:
    clean, faded = _write(tmp_path / "clean.png"), _write(tmp_path / "faded.png", ink=115, paper=185)
    first, second = FakeOcr(PROSE, 0.93, name="tesseract"), FakeOcr(RUN_TOGETHER, 0.97, name="rapidocr")
    auto = AutoOcr(first, lambda: second)
    page = auto.ocr_image(clean)
    assert page.engine == "tesseract" and second.calls == [] and "strong evidence" in auto.last_reason
    page = auto.ocr_image(faded)  # read twice; the second reading lost its spaces: the first stays
    assert second.calls == [faded] and page.engine == "tesseract" and page.text == PROSE
    first.text = GARBAGE
    page = auto.ocr_image(faded)
    assert page.engine == "rapidocr" and page.text == RUN_TOGETHER and len(first.calls) == 3


def test_auto_engine_without_the_second_engine_keeps_the_first_reading(tmp_path: Path) -> None:
    from models.base import ModelError

    def missing() -> FakeOcr:
        raise ModelError("ocr.missing_engine", "rapidocr is not installed")

    auto = AutoOcr(FakeOcr(GARBAGE, 0.4, name="tesseract"), missing)
    page = auto.ocr_image(_write(tmp_path / "faded.png", ink=115, paper=185))
    assert page.engine == "tesseract" and page.text == GARBAGE and auto.second() is None


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_real_engines_on_a_faded_page_record_who_read_it(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr")
    from appliance.evaluation.ocr import cer
    from appliance.ocr import ocr_file
    from tests.conftest import make_settings

    lines = layout_lines(PROSE)[:4]
    render_page(lines, seed=1, ink=115, paper=185, blur=1.1).save(tmp_path / "faded.png", dpi=(300, 300))
    result = ocr_file(tmp_path / "faded.png", make_settings(tmp_path), engine="auto")
    page = result.pages[0]
    assert result.engine == "auto" and page.source == "ocr" and page.engine in ("tesseract", "rapidocr")
    assert "low contrast" in page.choice and "scored" in page.choice  # both engines read it
    errors, chars = cer("\n".join(lines), page.text)
    assert errors / chars < 0.05, page.text


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")
def test_eval_ocr_reports_which_engine_read_each_page(tmp_path: Path) -> None:
    from appliance.evaluation.ocr import evaluate_ocr
    from tests.conftest import make_settings

    (tmp_path / "set").mkdir()
    lines = layout_lines(PROSE)[:4]
    render_page(lines, seed=2).save(tmp_path / "set" / "brief.png", dpi=(300, 300))
    (tmp_path / "set" / "brief.txt").write_text("\n".join(lines), "utf-8")
    out = evaluate_ocr(tmp_path / "set", make_settings(tmp_path), engine="auto", baseline=False)
    assert out["belfort"]["engine"] == "auto" and out["belfort"]["cer"] < 0.02 and out["ocrmypdf"] is None
    assert out["page_engines"] == {"tesseract": 1}  # an office scan with good text: no second reading
    [row] = out["per_file"]
    assert row["file"] == "brief.png" and row["choices"] == ["tesseract: strong evidence"] and row["look"]
