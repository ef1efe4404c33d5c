"""Corrections become labels, labels retrain the model (new version, previous kept), and the next
prediction follows the corrections."""

from __future__ import annotations

import random

import pytest
from sqlmodel import select

from appliance.access.principals import SYSTEM
from appliance.context import open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, JobOutcome, TriageItem, TriageLabel
from appliance.errors import BelfortError
from appliance.jobs import enqueue_retrain, queue_for
from appliance.jobs.tasks import run_retrain_job
from appliance.triage.learning import keep_training_rows, record_correction, retrain, rollback
from appliance.triage.model import TrainParams
from appliance.triage.store import ModelStore, load_classifier, models_root
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.unit.triage_data import TAXONOMY_YAML, items
from tests.unit.triage_items import add_item, use_taxonomy

FAST = [TrainParams(c=4.0, folds=3)]
# A kind of report the training rows never saw: street lights (words of no category).
LIGHTS = ["lantaarnpaal", "lamp", "donker", "kapot", "verlichting", "paal", "flikkert", "nacht"]


def lights(seed: int) -> str:
    rng = random.Random(seed)
    return " ".join(rng.sample(LIGHTS, 5))


@pytest.fixture
def app(tmp_path):
    app = open_appliance(make_settings(tmp_path), embedder=FakeEmbedder(dim=256))
    use_taxonomy(app, TAXONOMY_YAML, tmp_path)
    return app


def test_a_correction_stores_a_label_and_routes_the_item(app) -> None:
    item_id = add_item(app, "Container vol", "de container staat al weken vol", suggested="afval")
    label = record_correction(app, "anna", item_id, "wegen")
    with read_session(app.db) as s:
        stored = s.exec(select(TriageLabel)).all()
        item = s.get(TriageItem, item_id)
        actions = [e.action for e in s.exec(select(AuditEvent)).all()]
    assert [(x.category, x.previous, x.by, x.used_in_version) for x in stored] == [
        ("wegen", "afval", "anna", "")]
    assert label.category == "wegen"
    assert item.state == "routed" and item.category == "wegen" and item.routed_by == "anna"
    assert item.department == "omgeving"
    assert "triage.labelled" in actions and "triage.route" in actions


def test_an_unknown_category_is_refused_and_nothing_is_stored(app) -> None:
    item_id = add_item(app, "Iets", suggested="afval")
    with pytest.raises(BelfortError) as err:
        record_correction(app, "anna", item_id, "bestaat-niet")
    assert err.value.code == "triage.unknown_category"
    with read_session(app.db) as s:
        assert s.exec(select(TriageLabel)).all() == []
        assert s.get(TriageItem, item_id).state == "queued"


def test_retrain_is_skipped_with_a_reason_when_labels_are_too_few(app) -> None:
    record_correction(app, "anna", add_item(app, "put", "put in de stoep", suggested="afval"), "wegen")
    result = retrain(app, candidates=FAST)
    assert result.version is None and "too few labels" in result.reason
    assert result.counts == {"wegen": 1}
    assert ModelStore(models_root(app.settings)).versions() == []


def test_corrections_retrain_a_new_version_and_change_the_next_prediction(app) -> None:
    rows = items(6, seed=3)
    keep_training_rows(app.settings, [t for t, _ in rows], [lab for _, lab in rows])
    first = retrain(app, candidates=FAST)
    assert first.version and first.previous is None
    before = load_classifier(app.settings, app.embedder).classify(lights(100))
    target = next(k for k in ("dieren", "afval", "wegen") if k != before.suggestion)
    for seed in range(4):
        item_id = add_item(app, "Melding", lights(seed), suggested=before.suggestion)
        record_correction(app, "anna", item_id, target)

    second = retrain(app, candidates=FAST)
    store = ModelStore(models_root(app.settings))
    assert second.version and second.version != first.version and second.previous == first.version
    assert store.versions() == [second.version, first.version]  # the previous model is kept
    assert second.counts[target] >= 4
    with read_session(app.db) as s:
        assert {lab.used_in_version for lab in s.exec(select(TriageLabel)).all()} == {second.version}
    after = load_classifier(app.settings, app.embedder).classify(lights(100))
    assert after.suggestion == target and after.model_version == second.version

    assert rollback(app, SYSTEM) == first.version
    assert load_classifier(app.settings, app.embedder).classify(lights(100)).suggestion == before.suggestion


def test_retrain_jobs_are_debounced_to_one_waiting_at_a_time(app) -> None:
    huey = queue_for(app.settings, immediate=False)  # not immediate: the task waits in the queue file
    job = enqueue_retrain(app, huey)
    assert job is not None
    assert enqueue_retrain(app, huey) is None  # a second correction rides on the waiting job
    assert run_retrain_job(app, job) == "skipped"  # no labels yet: skipped, with the reason kept
    with read_session(app.db) as s:
        row = s.exec(select(JobOutcome).where(JobOutcome.job_id == job)).one()
    assert row.state == "done" and row.code == "triage.retrain_skipped" and "too few" in row.message
    assert enqueue_retrain(app, huey) not in (None, job)  # once it ran, the next correction queues again
