"""A person's routing decision on a triage item, the same from the queue page and the API: stored as
a label, the item routed, and a correction (a category other than the model's) asks for a retrain.

The retrain is queued through a callback (appliance.jobs.request_retrain): features never import
the queue."""

from __future__ import annotations

from collections.abc import Callable

from appliance.access import Principal
from appliance.context import Appliance
from appliance.triage.learning import record_correction
from appliance.triage.queue import get_item, require_triage

Retrain = Callable[[Appliance], object]


def correct_and_learn(app: Appliance, who: Principal, item_id: int, category: str, retrain: Retrain) -> bool:
    """Label + route the item; queue a retrain when the person chose otherwise than the model.
    Returns whether a retrain was asked for."""
    label = record_correction(app, who, item_id, category)
    if label.category == label.previous:
        return False
    retrain(app)
    return True


def route_item(app: Appliance, who: Principal, item_id: int, category: str, retrain: Retrain) -> bool:
    """For the group `triage` and administrators; a missing item is 404 whatever the category says."""
    require_triage(app, who)
    get_item(app, item_id)
    return correct_and_learn(app, who, item_id, category.strip(), retrain)


def accept_suggestion(app: Appliance, who: Principal, item_id: int, retrain: Retrain) -> bool:
    """Route the item to the model's suggestion: a confirmed label."""
    require_triage(app, who)
    row = get_item(app, item_id)
    return correct_and_learn(app, who, item_id, row.item.suggested, retrain)
