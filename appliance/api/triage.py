"""GET /api/v1/triage/items?state= and POST /api/v1/triage/items/{id}/route {category}.

For the group `triage` and administrators. Routing through the API is a person's decision like a click
in the queue: it is stored as a label, and a correction queues a (debounced) retrain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import get, post
from litestar.params import Parameter

from appliance.access import Principal
from appliance.api.schemas import NOT_BLANK
from appliance.context import Appliance
from appliance.ids import Id
from appliance.jobs import request_retrain
from appliance.triage import ITEM_STATES as STATES
from appliance.triage import get_item, items_in_state, route_item


@dataclass
class RouteIn:
    category: Annotated[str, Parameter(min_length=1, max_length=200, pattern=NOT_BLANK,
                                       description="A category key of the active taxonomy.")]


@get("/triage/items", sync_to_thread=True, summary="Triage items by state", tags=["triage"])
def triage_items(
    appliance: Appliance, who: Principal,
    item_state: str = Parameter(query="state", default="queued", schema_extra={"enum": list(STATES)}),
    limit: int = Parameter(default=100, ge=1, le=1000),
) -> list[dict[str, Any]]:
    return [row.as_dict() for row in items_in_state(appliance, who, item_state, limit=limit)]


@post("/triage/items/{item_id:int}/route", sync_to_thread=True, status_code=200,
      summary="Route a triage item to a category (a person's decision)", tags=["triage"],
      description="The category is a key of the active taxonomy, which administrators edit while the "
                  "appliance runs: a key it does not have (now) is 409 triage.unknown_category.")
def triage_route(appliance: Appliance, who: Principal, item_id: Id, data: RouteIn) -> dict[str, Any]:
    retrain = route_item(appliance, who, item_id, data.category, request_retrain)
    return {**get_item(appliance, item_id).as_dict(), "retrain_queued": retrain}


HANDLERS = [triage_items, triage_route]
