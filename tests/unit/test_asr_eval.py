"""ASR evaluation: normalisation, WER/CER, the manifest, and the fillets manifest builder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.evaluation.asr import cer, evaluate_asr, normalise_text, read_manifest, wer
from models.base import Segment
from models.fakes import FakeTranscriber
from tests.conftest import REPO


def test_normalise_keeps_accents_and_numbers() -> None:
    assert normalise_text("  Één, twéé... en 737 ZEE! ") == "één twéé en 737 zee"


def test_wer_and_cer_on_known_edits() -> None:
    assert wer("de raad keurt het goed", "De raad keurt het goed.") == 0.0
    assert wer("de raad keurt het goed", "de raad keurde het") == pytest.approx(2 / 5)  # 1 sub + 1 del
    assert cer("abcd", "abed") == pytest.approx(1 / 4)
    assert wer("twee woorden", "") == 1.0


def test_manifest_paths_are_relative_to_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "m.tsv").write_text("# comment\na.ogg\tEen zin.\n\n/abs/b.ogg\tTwee\n", "utf-8")
    assert read_manifest(tmp_path / "m.tsv") == [(tmp_path / "a.ogg", "Een zin."), (Path("/abs/b.ogg"), "Twee")]
    assert len(read_manifest(tmp_path / "m.tsv", limit=1)) == 1
    (tmp_path / "bad.tsv").write_text("a.ogg Een zin zonder tab\n", "utf-8")
    with pytest.raises(BelfortError) as err:
        read_manifest(tmp_path / "bad.tsv")
    assert err.value.code == "eval.bad_manifest"


def test_evaluate_scores_both_systems_on_the_same_clips(tmp_path: Path) -> None:
    (tmp_path / "m.tsv").write_text("a.wav\tWelkom in de mooiste stad.\nb.wav\tEr is geen direct gevaar.\n", "utf-8")
    fake = FakeTranscriber([Segment(0.0, 2.0, "Welkom in de mooiste stad."),
                            Segment(2.5, 3.0, "Ondertitels ingediend door de Amara.org gemeenschap")])
    raw_texts = {"a.wav": "Welkom in de mooiste stad. Ondertitels ingediend door de Amara.org gemeenschap",
                 "b.wav": "Er is geen gevaar."}
    result = evaluate_asr(tmp_path / "m.tsv", transcriber=fake, raw=lambda p: raw_texts[p.name],
                          durations=lambda p: 3.0)
    assert result["n"] == 2 and result["audio_seconds"] == 6.0
    assert set(result["belfort"]) >= {"wer", "cer", "rtf"} and set(result["raw"]) >= {"wer", "cer", "rtf"}
    # Belfort: clip a perfect (phantom dropped), clip b gets the same script: 5 edits on 5 words.
    assert result["belfort"]["wer"] == pytest.approx((0 + 5) / 10)
    # Raw: 7 inserted phantom words on clip a, one deleted word on clip b.
    assert result["raw"]["wer"] == pytest.approx((7 + 1) / 10)
    assert result["guard_dropped"] == {"phantom": 2}
    assert isinstance(result["rtf_overhead_median_clip"], float)


def _builder():  # bench/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("make_asr_set", REPO / "bench" / "make_asr_set.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fillets_manifest_pairs_clips_to_lines_by_dialog_id(tmp_path: Path) -> None:
    root = tmp_path / "fillets"
    for level, lines in {"city": [("vit-a", 'Welkom in \\"onze\\" stad.'), ("vit-b", "Er is geen gevaar.")],
                         "reactor": [("rea-c", "Wat is dit?")]}.items():
        (root / "script" / level).mkdir(parents=True)
        (root / "sound" / level / "nl").mkdir(parents=True)
        (root / "script" / level / "dialogs_nl.lua").write_text("".join(
            f'\ndialogId("{i}", "font_small", "English.")\ndialogStr("{t}")\n\n' for i, t in lines), "utf-8")
        for i, _t in lines:
            (root / "sound" / level / "nl" / f"{i}.ogg").write_bytes(b"x")
    (root / "sound" / "city" / "nl" / "vit-zonder-tekst.ogg").write_bytes(b"x")
    mod = _builder()
    assert [(p.stem, t) for p, t in mod.pairs(root)] == [
        ("vit-a", 'Welkom in "onze" stad.'), ("vit-b", "Er is geen gevaar."), ("rea-c", "Wat is dit?")]
    out = tmp_path / "set.tsv"
    assert mod.main([str(out), "--n", "2", "--root", str(root)]) == 0
    lines = out.read_text("utf-8").splitlines()
    assert len(lines) == 2 and lines == out.read_text("utf-8").splitlines()  # fixed, not random
    assert mod.sample(list(range(10)), 5) == [0, 2, 4, 6, 8]
