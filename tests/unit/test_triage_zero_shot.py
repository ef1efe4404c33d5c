"""Zero-shot triage with the fake embedder: prototypes, the lexical signal, calibration, the cache and
bad input (one category, no text). The real e5 embedder on the demo mails: tests/integration."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import yaml

from appliance.evaluation.triage import evaluate
from appliance.triage.classifier import REASON_NO_TEXT, ZERO_SHOT_MIN_CONFIDENCE, TriageClassifier
from appliance.triage.lexical import CategoryBm25, relative, terms
from appliance.triage.prototypes import category_prototypes, description_phrases, taxonomy_prototypes
from appliance.triage.taxonomy import Category, Taxonomy, taxonomy_from_dict
from appliance.triage.zero_shot import ONE_CATEGORY_CONFIDENCE, ZeroShotModel, subject_of
from models.fakes import FakeEmbedder
from tests.unit.triage_data import TAXONOMY_YAML

# Generic categories with examples, written for these tests (a taxonomy rich enough to calibrate).
RICH = {
    "departments": [{"key": "omgeving", "name": "Dienst Omgeving"}, {"key": "burgerzaken"}],
    "categories": [
        {"key": "afval", "department": "omgeving",
         "description": "Zwerfvuil, sluikstort, volle glasbak, ophaling van grofvuil",
         "examples": ["De glasbak op het plein is vol", "Iemand dumpte vuilniszakken in de gracht",
                      "Wanneer wordt het grofvuil opgehaald?"]},
        {"key": "wegen", "department": "omgeving",
         "description": "Put in het wegdek, losse stoeptegel, kapotte straatlamp, verzakt fietspad",
         "examples": ["Er zit een put in het asfalt", "De straatlamp brandt niet",
                      "Een tegel van de stoep ligt los"]},
        {"key": "documenten", "department": "burgerzaken",
         "description": "Identiteitskaart, rijbewijs, paspoort, adreswijziging",
         "examples": ["Mijn identiteitskaart vervalt", "Ik verhuis en geef mijn adres door",
                      "Rijbewijs verloren, wat nu?"]},
    ],
}


class Counting(FakeEmbedder):
    """The fake embedder, counting the texts it embeds (the cache must spare them)."""

    def __init__(self) -> None:
        super().__init__(dim=256)
        self.embedded = 0

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed_passages(texts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded += len(texts)
        return super().embed_queries(texts)


@pytest.fixture(scope="module")
def rich() -> Taxonomy:
    return taxonomy_from_dict(RICH)


def test_description_lists_become_phrases_and_each_example_a_prototype(rich: Taxonomy) -> None:
    assert description_phrases("Leefloon, financiële steun, schuldbemiddeling en huurwaarborg.") == [
        "Leefloon", "financiële steun", "schuldbemiddeling", "huurwaarborg"]
    protos = category_prototypes(rich.categories[0], "Dienst Omgeving")
    assert protos[0].role == "profile" and protos[0].text.startswith("afval (Dienst Omgeving): Zwerfvuil")
    assert [p.text for p in protos if p.role == "example"] == list(rich.categories[0].examples)
    phrases = [p for p in protos if p.role == "phrase"]
    assert [p.probe for p in phrases] == ["Zwerfvuil", "sluikstort", "volle glasbak", "ophaling van grofvuil"]
    assert all(p.text == f"afval: {p.probe}" for p in phrases)  # held out without the category's name
    one = Category(key="x", department="d", description="Eén zin zonder lijst")
    assert [p.role for p in category_prototypes(one)] == ["profile"]


def test_lexical_signal_meets_inflections_and_other_languages() -> None:
    assert set(terms("energiefacturen")) & set(terms("energiefactuur"))
    assert set(terms("Les déchets")) & set(terms("dechets"))
    assert terms("de het een 12") == []
    bm25 = CategoryBm25([["grofvuil glasbak zwerfvuil"], ["put fietspad stoeptegel"]])
    scores = bm25.scores(["Er zit een put in het fietspad", "Goedemiddag"])
    assert scores[0, 1] > scores[0, 0] == 0.0
    rel = relative(scores)
    assert rel[0].tolist() == [0.0, 1.0] and rel[1].tolist() == [0.0, 0.0]  # no shared word: no signal


def test_zero_shot_picks_categories_from_examples_and_calibrates(rich: Taxonomy) -> None:
    clf = TriageClassifier(rich, FakeEmbedder(dim=256))
    scorer = clf.scorer
    assert isinstance(scorer, ZeroShotModel) and scorer.calibrated
    assert scorer.calibration.rows >= 8 and 0.0 < scorer.temperature
    cases = {"Sluikstort: vuilniszakken gedumpt naast de glasbak": "afval",
             "Losse stoeptegel\nvoor ons huis ligt een stoeptegel los": "wegen",
             "Mijn paspoort en identiteitskaart zijn verlopen": "documenten"}
    decisions = clf.classify_many(list(cases))
    assert [d.suggestion for d in decisions] == list(cases.values())
    for d in decisions:  # calibrated: held against the category's own threshold, no zero-shot floor
        assert d.threshold == rich.get(d.suggestion).threshold  # type: ignore[union-attr]
        assert 1.0 / len(rich.keys) < d.confidence <= 1.0


def test_thin_taxonomy_stays_uncalibrated_and_routes_only_near_certain_items() -> None:
    thin = taxonomy_from_dict(yaml.safe_load(TAXONOMY_YAML))  # one-line descriptions, no examples
    clf = TriageClassifier(thin, FakeEmbedder(dim=256))
    assert isinstance(clf.scorer, ZeroShotModel) and not clf.scorer.calibrated
    d = clf.classify("ratten duiven meeuwen")
    assert d.suggestion == "dieren" and d.threshold == ZERO_SHOT_MIN_CONFIDENCE


def test_one_category_taxonomy_suggests_it_but_a_person_confirms() -> None:
    only = taxonomy_from_dict({"categories": [
        {"key": "algemeen", "department": "onthaal", "description": "Alle vragen van burgers",
         "examples": ["Wanneer is het gemeentehuis open?", "Waar kan ik parkeren?"]}]})
    clf = TriageClassifier(only, FakeEmbedder())
    d = clf.classify("Mag ik een vraag stellen over de openingsuren?")
    assert d.suggestion == "algemeen" and d.confidence == ONE_CATEGORY_CONFIDENCE
    assert d.abstain and d.reason == "below_threshold" and d.route is None
    rows = [{"t": "Waar is het containerpark?", "l": "algemeen"}, {"t": "Iets anders", "l": "ander"}]
    result = evaluate([], rows, text_field="t", label_field="l", embedder=FakeEmbedder(), zero_shot=True,
                      taxonomy=only)
    assert result["belfort"]["accuracy"] == 0.5 and result["calibration"]["calibrated"] is False


def test_an_item_without_text_is_never_routed(rich: Taxonomy) -> None:
    clf = TriageClassifier(rich, FakeEmbedder(dim=256))
    for text in ("", "   ", "\n-\n"):
        d = clf.classify(text)
        assert d.abstain and d.reason == REASON_NO_TEXT and d.route is None


def test_subject_is_a_short_first_line_above_a_body() -> None:
    assert subject_of("Put in fietspad\nBeste, in de Molenstraat ...") == "Put in fietspad"
    assert subject_of("Alleen een zin zonder onderwerp") == ""
    assert subject_of("x" * 200 + "\nrest") == ""


def test_prototype_vectors_are_cached_by_taxonomy_content(tmp_path: Path, rich: Taxonomy) -> None:
    first = Counting()
    a = ZeroShotModel.build(rich, first, cache_dir=tmp_path)
    assert first.embedded > 0 and len(list(tmp_path.glob("prototypes-*.npz"))) == 1
    again = Counting()
    b = ZeroShotModel.build(rich, again, cache_dir=tmp_path)
    assert again.embedded == 0 and a.version == b.version
    assert np.allclose(a.passages, b.passages)
    changed = taxonomy_from_dict({**RICH, "categories": [
        {**RICH["categories"][0], "examples": ["Overal zwerfvuil op het speelplein"]}, *RICH["categories"][1:]]})
    third = Counting()
    c = ZeroShotModel.build(changed, third, cache_dir=tmp_path)
    assert third.embedded > 0 and c.version != a.version
    assert len(list(tmp_path.glob("prototypes-*.npz"))) == 2
    (next(tmp_path.glob("prototypes-*.npz"))).write_bytes(b"not a zip")  # corrupt: embedded again
    assert ZeroShotModel.build(rich, Counting(), cache_dir=tmp_path).version == a.version


def test_prototypes_follow_the_taxonomy_order(rich: Taxonomy) -> None:
    groups = taxonomy_prototypes(rich)
    assert len(groups) == len(rich.categories) and all(g[0].role == "profile" for g in groups)


def test_zero_shot_eval_reports_accuracy_macro_f1_calibration_and_routing(rich: Taxonomy) -> None:
    rows = [{"text": "Sluikstort\nVuilniszakken gedumpt naast de glasbak", "label": "afval"},
            {"text": "De straatlamp in onze straat brandt niet", "label": "wegen"},
            {"text": "Mijn paspoort is verlopen", "label": "documenten"},
            {"text": "Een put in het asfalt van het fietspad", "label": "wegen"}]
    result = evaluate([], rows, text_field="text", label_field="label", embedder=FakeEmbedder(dim=256),
                      zero_shot=True, taxonomy=rich)
    assert {"accuracy", "macro_f1"} <= set(result["belfort"]) and result["n_test"] == 4
    assert result["belfort"]["accuracy"] == 1.0 and result["belfort"]["macro_f1"] == 1.0
    assert result["calibration"]["calibrated"] is True and 0.0 <= result["calibration"]["ece"] <= 1.0
    assert 0.0 <= result["routed"]["share"] <= 1.0
