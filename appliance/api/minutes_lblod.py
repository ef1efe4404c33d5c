"""LBLOD publication over the API: the maturity check of minutes, and publishing approved minutes.

Archivists and admins only (drafts are theirs to read); a draft is refused with lblod.not_approved.
Publishing writes to the configured publication folder (minutes.lblod_publish_dir) on the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import get, post
from litestar.params import Parameter

from appliance.access import Principal
from appliance.api.schemas import SPACE_CLASS
from appliance.context import Appliance
from appliance.errors import Forbidden
from appliance.ids import Id
from appliance.minutes import MAX_BASE_CHARS, check_minutes, is_reviewer, load_minutes, publish_minutes

_NOT_IN_URI = f'{SPACE_CLASS}\\u0000-\\u001f<>"{{}}|\\\\^`'
BASE_URI = f"^(https?://[^/{_NOT_IN_URI}][^{_NOT_IN_URI}]*)?$"  # what check_base accepts; "" for the setting


@dataclass
class PublishIn:
    base_uri: Annotated[str, Parameter(max_length=MAX_BASE_CHARS, pattern=BASE_URI)] = ""


def _reviewer(appliance: Appliance, who: Principal, minutes_id: int) -> None:
    load_minutes(appliance, minutes_id, who)  # not found: hidden, or a draft for staff
    if not is_reviewer(who):
        raise Forbidden("auth.forbidden", "publication needs the role archivist")


@get("/minutes/{minutes_id:int}/lblod-check", sync_to_thread=True, tags=["minutes"],
     summary="LBLOD maturity (Niveau 1-3) of the notulen and besluitenlijst, with each missing property")
def lblod_check(appliance: Appliance, who: Principal, minutes_id: Id) -> list[dict[str, Any]]:
    _reviewer(appliance, who, minutes_id)
    return [r.as_dict() for r in check_minutes(appliance, minutes_id)]


@post("/minutes/{minutes_id:int}/publish", sync_to_thread=True, tags=["minutes"], status_code=200,
      summary="Publish approved minutes (besluitenlijst, notulen, agenda) for LBLOD; drafts are refused",
      description="409: the minutes are a draft (lblod.not_approved), or no base_uri is given and the server "
                  "has none configured (lblod.no_base_uri). Writes to minutes.lblod_publish_dir.")
def lblod_publish(appliance: Appliance, who: Principal, minutes_id: Id, data: PublishIn) -> dict[str, Any]:
    _reviewer(appliance, who, minutes_id)
    return publish_minutes(appliance, who, minutes_id, base=data.base_uri or None).as_dict()


HANDLERS = [lblod_check, lblod_publish]
