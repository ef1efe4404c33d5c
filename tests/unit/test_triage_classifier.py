from pathlib import Path

import numpy as np
import pytest

from appliance.errors import BelfortError
from appliance.triage.classifier import TriageClassifier, detect_language, detect_urgency
from appliance.triage.model import TrainParams, TriageModel, fit_temperature, train, train_auto
from appliance.triage.store import ModelStore
from appliance.triage.taxonomy import Taxonomy, taxonomy_from_dict
from models.fakes import FakeEmbedder
from tests.unit.triage_data import TAXONOMY_YAML, items

FAST = TrainParams(c=4.0, folds=3)


@pytest.fixture(scope="module")
def embedder() -> FakeEmbedder:
    return FakeEmbedder(dim=256)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    import yaml

    return taxonomy_from_dict(yaml.safe_load(TAXONOMY_YAML))


@pytest.fixture(scope="module")
def model(embedder: FakeEmbedder) -> TriageModel:
    data = items(25, seed=1)
    return train(embedder, [t for t, _ in data], [lab for _, lab in data], FAST)


def _with(taxonomy: Taxonomy, key: str, **changes: object) -> Taxonomy:
    from dataclasses import replace

    cats = tuple(replace(c, **changes) if c.key == key else c for c in taxonomy.categories)  # type: ignore[arg-type]
    return Taxonomy(cats, taxonomy.departments, taxonomy.default_threshold)


def test_trained_model_routes_clear_items_and_is_calibrated(embedder, taxonomy, model) -> None:
    clf = TriageClassifier(taxonomy, embedder, model)
    test = items(10, seed=2)
    decisions = clf.classify_many([t for t, _ in test])
    assert np.mean([d.suggestion == lab for d, (_, lab) in zip(decisions, test)]) >= 0.95
    routed = [d for d in decisions if not d.abstain]
    assert routed and all(d.route == d.suggestion and d.reason == "auto" for d in routed)
    assert all(d.department == "omgeving" for d in routed)
    assert all(0.0 < d.confidence <= 1.0 for d in decisions)
    assert model.temperature > 0 and model.version and model.n_train == 100


def test_human_only_is_never_auto_routed_whatever_the_confidence(embedder, taxonomy, model) -> None:
    # even with a threshold of 0 (everything else would route), human_only waits for a person
    tax = _with(taxonomy, "sociaal", threshold=0.0)
    clf = TriageClassifier(tax, embedder, model)
    text = "leefloon ocmw schulden uitkering steun armoede budget huur"
    d = clf.classify(text)
    assert d.suggestion == "sociaal" and d.confidence > 0.9
    assert d.route is None and d.abstain and d.reason == "human_only"
    assert d.department == "welzijn" and d.deadline_days == 30  # the suggestion is kept for the person
    # and at probability exactly 1 fed straight into the decision rule
    labels = model.labels
    for p in (1.0, 0.99, 0.5, 0.2):
        row = np.full(len(labels), (1.0 - p) / (len(labels) - 1))
        row[labels.index("sociaal")] = p
        d = clf.decide(row, text)
        assert d.route is None and d.abstain


def test_below_threshold_abstains_and_at_threshold_routes(embedder, taxonomy, model) -> None:
    text = "put wegdek container vuilniszak graag"  # half road damage, half waste: a doubtful item
    probe = TriageClassifier(taxonomy, embedder, model).classify(text)
    key = probe.suggestion
    assert key in ("wegen", "afval") and 0.3 < probe.confidence < 0.95

    def decide(threshold: float):
        return TriageClassifier(_with(taxonomy, key, threshold=threshold), embedder, model).classify(text)

    strict = decide(0.97)
    assert strict.abstain and strict.route is None and strict.reason == "below_threshold"
    assert strict.threshold == 0.97 and strict.suggestion == key and strict.candidates[0][0] == key
    assert decide(0.0).route == key and not decide(0.0).abstain
    # the decision follows the calibrated confidence exactly
    assert decide(probe.confidence).route == key
    assert decide(probe.confidence + 1e-6).abstain


def test_category_removed_from_taxonomy_abstains(embedder, taxonomy, model) -> None:
    tax = Taxonomy(tuple(c for c in taxonomy.categories if c.key != "dieren"), taxonomy.departments)
    d = TriageClassifier(tax, embedder, model).classify("ratten duiven hond poep meeuwen")
    assert d.suggestion == "dieren" and d.abstain and d.reason == "unknown_category"


def test_zero_shot_picks_the_obvious_category(embedder, taxonomy) -> None:
    clf = TriageClassifier(taxonomy, embedder)  # no labels yet: descriptions only
    assert clf.scorer.kind == "zero_shot"
    cases = {
        "de container is vol en er ligt zwerfvuil en grofvuil": "afval",
        "een diepe put in het wegdek van het fietspad": "wegen",
        "overal ratten en duiven en meeuwen": "dieren",
        "ik heb schulden en vraag een leefloon bij het ocmw": "sociaal",
    }
    decisions = clf.classify_many(list(cases))
    assert [d.suggestion for d in decisions] == list(cases.values())
    assert decisions[3].abstain and decisions[3].reason == "human_only"
    assert all(d.model_kind == "zero_shot" for d in decisions)


def test_save_load_round_trip_keeps_predictions(tmp_path: Path, embedder, taxonomy) -> None:
    data = items(20, seed=3)
    texts, labels = [t for t, _ in data], [lab for _, lab in data]
    model = train(embedder, texts, labels, TrainParams(c=4.0, folds=3, tfidf=True))
    loaded = TriageModel.load(model.save(tmp_path / "m"))
    probe = [t for t, _ in items(5, seed=4)]
    assert loaded.version == model.version and loaded.labels == model.labels
    assert np.allclose(loaded.proba(embedder, probe), model.proba(embedder, probe))
    assert not list((tmp_path / "m").glob("*.pkl"))


def test_store_keeps_previous_model_for_rollback(tmp_path: Path, embedder) -> None:
    store = ModelStore(tmp_path / "models")
    first_rows = items(15, seed=5)
    second_rows = [*first_rows, ("container afval vol", "wegen")]  # a correction changes the labels
    first = train(embedder, [t for t, _ in first_rows], [lab for _, lab in first_rows], FAST)
    second = train(embedder, [t for t, _ in second_rows], [lab for _, lab in second_rows], FAST)
    assert first.version != second.version
    store.save(first)
    store.save(second)
    assert store.versions() == [second.version, first.version]
    assert store.load_active().version == second.version  # type: ignore[union-attr]
    assert store.rollback() == first.version
    assert store.load_active().version == first.version  # type: ignore[union-attr]
    with pytest.raises(BelfortError) as err:
        store.rollback()
    assert err.value.code == "triage.no_previous_model"


def test_version_depends_on_embedder_and_mismatch_is_refused(embedder, taxonomy, model) -> None:
    other = FakeEmbedder(dim=128)
    with pytest.raises(BelfortError) as err:
        TriageClassifier(taxonomy, other, model)
    assert err.value.code == "triage.embedder_mismatch"
    data = items(10, seed=1)
    again = train(other, [t for t, _ in data], [lab for _, lab in data], FAST)
    assert again.version != model.version


def test_training_needs_two_labels(embedder) -> None:
    with pytest.raises(BelfortError) as err:
        train(embedder, ["a b", "c d"], ["x", "x"], FAST)
    assert err.value.code == "triage.too_few_labels"


def test_auto_selection_uses_training_rows_only(embedder) -> None:
    data = items(15, seed=6)
    model, results = train_auto(
        embedder,
        [t for t, _ in data],
        [lab for _, lab in data],
        [TrainParams(c=1.0, folds=3), TrainParams(c=4.0, folds=3, tfidf=True)],
    )
    assert len(results) == 2 and model.cv_macro_f1 == max(r["cv_macro_f1"] for r in results)


def test_temperature_scaling_follows_the_out_of_fold_evidence() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    logits = rng.normal(size=(300, 3)) * 10  # confident noise: right only by chance
    assert fit_temperature(logits, y) > 5
    timid = np.eye(3)[y]  # right by a margin of 1 on 290 of 300 rows: sharper is better calibrated
    timid[:10] = np.eye(3)[(y[:10] + 1) % 3]
    assert fit_temperature(timid, y) < 0.5
    assert fit_temperature(np.eye(3)[y] * 5, y) == 1.0  # all right: nothing to calibrate on


def test_urgency_and_language() -> None:
    assert detect_urgency("Dringend: er is een GASLEK in de straat!") == ("dringend", "gaslek")
    assert detect_urgency("Il y a une fuite de gaz, c'est urgent") == ("fuite de gaz", "urgent")
    assert detect_urgency("There is a gas leak, please come immediately") == ("gas leak", "immediately")
    assert detect_urgency("De brandweerkazerne organiseert een opendeurdag") == ()  # whole words only
    assert detect_language("De vuilnisbak in onze straat wordt al twee weken niet geleegd.") == "nl"
    assert detect_language("La poubelle de notre rue n'a pas été vidée depuis deux semaines.") == "fr"
    assert detect_language("The bin in our street has not been emptied for two weeks.") == "en"
    assert detect_language("ok") == ""


def test_zero_shot_routes_only_near_certain_items(embedder, taxonomy, model) -> None:
    """Zero-shot scores are not calibrated on the organisation's items: a confidence that a trained
    model may route on (above the category's threshold) still waits for a person in zero-shot mode."""
    from appliance.triage.classifier import ZERO_SHOT_MIN_CONFIDENCE

    text = "een diepe put in het wegdek van het fietspad"
    zero = TriageClassifier(taxonomy, embedder)
    trained = TriageClassifier(taxonomy, embedder, model)
    for clf in (zero, trained):
        labels = clf.scorer.labels
        row = np.full(len(labels), 0.2 / (len(labels) - 1))
        row[labels.index("wegen")] = 0.8
        d = clf.decide(row, text)
        if clf is zero:
            assert d.abstain and d.reason == "below_threshold" and d.threshold == ZERO_SHOT_MIN_CONFIDENCE
        else:
            assert taxonomy.get("wegen").threshold <= 0.8
            assert d.route == "wegen" and d.reason == "auto"
        row[labels.index("wegen")] = 0.95
        assert clf.decide(row, text).route == "wegen"
