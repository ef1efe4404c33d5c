"""Hallucination guard: phantom phrases, no-speech, compression loops and repeats are dropped."""

from __future__ import annotations

import pytest

from appliance.recordings.asr_guard import (
    Guard,
    GuardConfig,
    guard_segments,
    is_phantom,
    normalise,
    reason_to_drop,
)
from models.base import Segment


def seg(text: str, start: float = 0.0, **kw: float) -> Segment:
    return Segment(start=start, end=start + 2.0, text=text, **kw)  # type: ignore[arg-type]


def test_normalise_folds_case_accents_and_punctuation() -> None:
    assert normalise("  Sous-titres RÉALISÉS   par… la communauté d'Amara.org! ") == \
        "sous titres realises par la communaute d amara org"


@pytest.mark.parametrize("text", [
    "Ondertitels ingediend door de Amara.org gemeenschap",
    "ondertitels ingediend door de amara.org-gemeenschap.",
    "Ondertiteling door TV Gelderland 2021",
    "Bedankt voor het kijken!",
    "Sous-titres réalisés par la communauté d'Amara.org",
    "Merci d'avoir regardé.",
    "MUZIEK.",
    "[Applaus]",
    "Thanks for watching!",
])
def test_known_phantom_phrases_are_recognised(text: str) -> None:
    assert is_phantom(text)
    assert reason_to_drop(seg(text)) == "phantom"


@pytest.mark.parametrize("text", [
    "De gemeenteraad keurt de begroting goed met twintig stemmen voor.",
    "Bedankt voor het kijken naar de plannen voor de nieuwe sporthal in de Kerkstraat en de parking.",
    "Muziekschool Brugge krijgt een extra subsidie.",
    "Merci à tous d'être venus ce soir.",
])
def test_real_meeting_text_is_kept(text: str) -> None:
    assert not is_phantom(text)
    assert reason_to_drop(seg(text, avg_logprob=-0.3, no_speech_prob=0.1, compression_ratio=1.2)) == ""


def test_no_speech_needs_both_high_no_speech_and_low_confidence() -> None:
    assert reason_to_drop(seg("ja", no_speech_prob=0.9, avg_logprob=-1.4)) == "no_speech"
    assert reason_to_drop(seg("ja", no_speech_prob=0.9, avg_logprob=-0.4)) == ""  # sure of its words
    assert reason_to_drop(seg("ja", no_speech_prob=0.2, avg_logprob=-1.4)) == ""  # sure there is speech


def test_compression_loop_is_dropped() -> None:
    loop = "het college het college het college het college het college het college"
    assert reason_to_drop(seg(loop, compression_ratio=3.1)) == "compression"


def test_the_same_line_a_third_time_in_a_row_is_dropped_and_counted() -> None:
    segs = [seg("Dank u.", 0), seg("Dank u!", 2), seg("dank u", 4), seg("Dank u.", 6), seg("Volgend punt.", 8),
            seg("Dank u.", 10)]
    g = Guard(GuardConfig(max_repeats=2))
    kept = list(g.filter(segs))
    assert [s.start for s in kept] == [0, 2, 8, 10]
    assert g.dropped == {"repeat": 2}


def test_phantom_segment_between_speech_is_dropped_and_speech_kept() -> None:
    segs = [seg("Punt drie: de heraanleg van de Markt.", 0),
            seg("Ondertitels ingediend door de Amara.org gemeenschap", 2),
            seg("", 4),
            seg("Goedgekeurd met eenparigheid.", 6)]
    assert [s.text for s in guard_segments(segs)] == [
        "Punt drie: de heraanleg van de Markt.", "Goedgekeurd met eenparigheid."]
