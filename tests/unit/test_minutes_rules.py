"""Votes said aloud become decisions by rule; drafting never leaves a part truncated."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from appliance.context import Appliance
from appliance.evaluation.council import dutch_number, notulen_case
from appliance.evaluation.minutes import store_transcript
from appliance.minutes.draft import draft_minutes
from appliance.minutes.review import get_minutes
from appliance.minutes.verify import copies_transcript
from appliance.minutes.votes import decisions_said, parse_vote, tokens_with_numbers
from models.base import ChatMessage
from models.fakes import FakeLLM


@pytest.mark.parametrize(("said", "counts"), [
    ("Stemming: twintig stemmen voor, drie tegen, twee onthoudingen.", {"for": 20, "against": 3, "abstain": 2}),
    ("Met 18 ja-stemmen en 5 neen-stemmen is het voorstel aangenomen.", {"for": 18, "against": 5}),
    ("drieëntwintig stemmen voor en één stem tegen", {"for": 23, "against": 1}),
    ("Voor: 20, tegen: 0, onthoudingen: 1.", {"for": 20, "against": 0, "abstain": 1}),
    ("Vingt et une voix pour, trois contre et deux abstentions.", {"for": 21, "against": 3, "abstain": 2}),
    ("soixante-dix-sept voix pour, quatre-vingt-douze contre", {"for": 77, "against": 92}),
    ("septante-deux pour; nonante contre", {"for": 72, "against": 90}),
    ("Stemming, twintig stemmen voor, drie tegen, twee omt houdingen.", {"for": 20, "against": 3, "abstain": 2}),
    ("Twintig stemmen vol, drie tegen, twee onthoudingen.", {"for": 20, "against": 3, "abstain": 2}),
    ("Het college stelt voor om 3 voor de begroting te bespreken.", {}),
    ("Er werden 25 stemmen uitgebracht.", {}),
    ("Er zijn 25 raadsleden aanwezig.", {}),
])
def test_vote_counts_in_digits_and_number_words(said: str, counts: dict[str, int]) -> None:
    assert parse_vote(said).counts == counts


def test_number_words_become_numbers() -> None:
    assert [t for t in tokens_with_numbers("vierenveertig, quatre-vingts, honderd en 7") if isinstance(t, int)] == \
        [44, 80, 100, 7]


@pytest.mark.parametrize("said", ["Het punt wordt eenparig goedgekeurd.", "De raad keurt dit unaniem goed.",
                                  "Adopté à l'unanimité.", "Goedgekeurd met algemene stemmen."])
def test_unanimity_is_a_vote(said: str) -> None:
    vote = parse_vote(said)
    assert vote.unanimous and vote.found


def test_a_vote_said_over_two_segments_is_one_decision() -> None:
    said = decisions_said(["Stemming: twintig stemmen voor,", "drie tegen en twee onthoudingen.",
                           "Het voorstel is verworpen.", "Punt drie: de bibliotheek."])
    assert len(said) == 1
    assert (said[0].first, said[0].last, said[0].outcome) == (0, 2, "rejected")
    assert said[0].vote.counts == {"for": 20, "against": 3, "abstain": 2}


MEETING = [
    {"start": 0.0, "end": 4.0, "text": "Goedenavond, ik open de zitting."},
    {"start": 4.0, "end": 8.0, "text": "Punt een: de notulen van de vorige zitting."},
    {"start": 8.0, "end": 12.0, "text": "Er zijn geen opmerkingen. De notulen worden eenparig goedgekeurd."},
    {"start": 12.0, "end": 16.0, "text": "Punt twee: de heraanleg van de Molenstraat."},
    {"start": 16.0, "end": 20.0, "text": "Het college stelt een fietspad voor."},
    {"start": 20.0, "end": 24.0, "text": "Stemming: twintig stemmen voor, drie tegen, twee onthoudingen."},
    {"start": 24.0, "end": 28.0, "text": "Punt drie: de openingsuren van de bibliotheek."},
    {"start": 28.0, "end": 32.0, "text": "De bibliotheek is voortaan ook op zaterdag open."},
]
AGENDA = "1. Notulen vorige zitting\n2. Heraanleg Molenstraat\n3. Openingsuren bibliotheek"


def test_rules_alone_draft_each_decision_said_with_its_counts(appliance: Appliance) -> None:
    rec = store_transcript(appliance, MEETING)
    minutes = draft_minutes(appliance, rec, agenda=AGENDA, use_model=False)
    _, items = get_minutes(appliance, minutes.id or 0)
    assert minutes.state == "draft" and minutes.error == ""
    assert [(i.kind, i.agenda_number, i.text, i.vote) for i in items] == [
        ("decision", 1, "Goedgekeurd: Notulen vorige zitting", {}),
        ("decision", 2, "Goedgekeurd: Heraanleg Molenstraat", {"for": 20, "against": 3, "abstain": 2}),
    ]
    assert all(i.supported and "from_rules" in i.flags for i in items)
    assert "unanimous" in items[0].flags
    assert (items[1].start, items[1].end) == (12.0, 24.0)  # the item's opening and the vote are cited


def test_an_item_opened_after_a_comma_inside_one_long_segment_gets_its_own_vote(appliance: Appliance) -> None:
    # Primed transcription writes commas where sentences end, and one segment runs over two items.
    rec = store_transcript(appliance, [
        {"start": 0.0, "end": 9.0, "text": "Goedenavond, agendapunt een, de notulen vorige zitting, eenparig goedgekeurd, "
                                          "arrenthapend rei, de heranleg van de molen straat, ik geef het woord"},
        {"start": 9.0, "end": 15.0, "text": "Twintig stemmen voor drie tegen twee onthoudingen, het voorstel is goedgekeurd."},
    ])
    minutes = draft_minutes(appliance, rec, agenda=AGENDA, use_model=False)
    _, items = get_minutes(appliance, minutes.id or 0)
    assert [(i.agenda_number, i.vote) for i in items] == [(1, {}), (2, {"for": 20, "against": 3, "abstain": 2})]


def test_the_models_decision_of_an_item_decided_by_rule_is_dropped(appliance: Appliance) -> None:
    rec = store_transcript(appliance, MEETING)

    def reply(messages: Sequence[ChatMessage]) -> str:
        if "2. Heraanleg" in messages[-1].content:
            return json.dumps({"summaries": [{"segments": [5], "text": "Het college wil een fietspad aanleggen."}],
                               "decisions": [{"segments": [6], "text": "Het fietspad wordt aangelegd.",
                                              "vote": {"for": 21}}], "actions": []})
        return json.dumps({"summaries": [], "decisions": [], "actions": []})

    minutes = draft_minutes(appliance, rec, agenda=AGENDA, llm=FakeLLM(reply))
    _, items = get_minutes(appliance, minutes.id or 0)
    decisions = [i for i in items if i.kind == "decision"]
    assert [(i.agenda_number, i.vote) for i in decisions] == [(1, {}), (2, {"for": 20, "against": 3, "abstain": 2})]
    assert [i.text for i in items if i.kind == "summary"] == ["Het college wil een fietspad aanleggen."]


class _NarrowLLM(FakeLLM):
    """Answers one summary per transcript line it is shown; more than `fits` lines overflow its
    context, and `max_tokens` word pieces cut the answer off (the fake's own limit)."""

    def __init__(self, fits: int) -> None:
        super().__init__(self._answer)
        self.fits = fits
        self.shown: list[int] = []

    def _answer(self, messages: Sequence[ChatMessage]) -> str:
        lines = re.findall(r"^\[S(\d+) [^\]]*\] (.*)$", messages[-1].content, re.MULTILINE)
        self.shown.append(len(lines))
        return json.dumps({"summaries": [{"segments": [int(n)], "text": f"Vraag over dossier {n}."} for n, _t in lines],
                           "decisions": [], "actions": []})

    def stream(self, messages: Sequence[ChatMessage], **options: Any) -> Iterator[str]:
        if len(re.findall(r"^\[S\d+ ", messages[-1].content, re.MULTILINE)) > self.fits:
            raise ValueError("Requested tokens (5000) exceed context window of 4096")
        return super().stream(messages, **options)


def test_drafting_halves_a_window_until_the_model_can_finish_it(appliance: Appliance) -> None:
    segs = [{"start": 4.0 * i, "end": 4.0 * i + 4, "text": f"Raadslid {i} vraagt naar de stand van dossier {i}."}
            for i in range(1, 9)]
    rec = store_transcript(appliance, segs)
    llm = _NarrowLLM(fits=4)
    minutes = draft_minutes(appliance, rec, llm=llm, max_tokens=24, rules=False)
    _, items = get_minutes(appliance, minutes.id or 0)
    assert minutes.state == "draft", (minutes.error, llm.shown)
    assert "truncated" not in minutes.error and "context" not in minutes.error
    assert sorted(int(i.text.split()[3].rstrip(".")) for i in items) == list(range(1, 9))  # every segment summarised
    # 8 lines overflowed the context (never answered); 4 were answered but cut off by 24 pieces; 2 fit
    assert llm.shown == [4, 2, 2, 4, 2, 2]


def test_a_summary_that_copies_the_transcript_is_not_kept() -> None:
    heard = ["de noduren morden goed gekeld en de heranrich van de morrenstraat"]
    assert copies_transcript("De noduren morden goed gekeld en de heranrich van de morrenstraat.", heard)
    assert not copies_transcript("Heraanleg van de Molenstraat besproken.", heard)


NOTULEN = """Gemeenteraad
Agendapunten
1. Reglement op de markten - goedkeuring
Het reglement wordt aangepast.
2. Mededelingen
De voorzitter deelt mee.
1. Reglement op de markten - goedkeuring
Het reglement wordt aangepast.
Het reglement wordt aangepast.
Pdf-versie
Stemming
Voor:
A. Janssens,
Totaal:
21
Tegen:
Totaal:
3
Onthoudingen:
Totaal:
0
Aanwezigen bij agendapunt
A. Janssens,
2. Mededelingen
De voorzitter deelt mee.
Pdf-versie
"""


def test_notulen_become_a_transcript_with_the_vote_said_aloud() -> None:
    case = notulen_case(NOTULEN, "x.txt")
    assert case is not None
    assert case["decisions"] == ["Reglement op de markten - goedkeuring"]
    assert case["votes"] == [{"for": 21, "against": 3, "abstain": 0}]
    texts = [t["text"] for t in case["transcript"]]
    assert texts == ["Agendapunt 1: Reglement op de markten - goedkeuring", "Het reglement wordt aangepast.",
                     "Stemming: eenentwintig stemmen voor, drie tegen, nul onthoudingen.",
                     "Agendapunt 2: Mededelingen", "De voorzitter deelt mee."]
    assert [dutch_number(n) for n in (0, 1, 23, 32, 40)] == ["nul", "één", "drieëntwintig", "tweeëndertig", "veertig"]
    assert notulen_case("Agenda zonder stemmingen\n1. Iets") is None


def test_every_decision_the_demo_meeting_reads_out_is_drafted_from_its_script(appliance: Appliance) -> None:
    from ops.demo import seed_minutes as demo

    rec = store_transcript(appliance, [{"start": 5.0 * i, "end": 5.0 * i + 5, "text": t}
                                       for i, (_, t) in enumerate(demo.MEETING)])
    minutes = draft_minutes(appliance, rec, agenda=demo.AGENDA, use_model=False)
    _, items = get_minutes(appliance, minutes.id or 0)
    assert [(i.agenda_number, i.text.split(":")[0], i.vote) for i in items if i.kind == "decision"] == [
        (1, "Goedgekeurd", {}),
        (2, "Goedgekeurd", {"for": 20, "against": 3, "abstain": 2}),
        (3, "Kennis genomen", {}),
        (4, "Goedgekeurd", {"for": 23, "against": 0, "abstain": 2}),
    ]
