"""The pilot dashboard (/admin/pilot): the pilot's KPIs per week as SVG charts, each with its table,
and as CSV. For administrators; counts only, no content."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Request, Response, get
from litestar.params import Parameter
from litestar.response import Template

from appliance import metrics
from appliance.access import Principal
from appliance.context import Appliance
from webui.pilot_panels import pilot_panels
from webui.web import page, require_role

WEEKS = Parameter(query="weeks", default=None, ge=1, le=104)


@get("/admin/pilot", sync_to_thread=True, include_in_schema=False)
def pilot(request: Request, appliance: Appliance, who: Principal, weeks: int | None = WEEKS) -> Template:
    require_role(who, "admin")
    rows = metrics.pilot_weeks(appliance, weeks=weeks)
    return page(request, "admin_pilot.html", who=who, panels=pilot_panels(rows), weeks=len(rows),
                pilot=appliance.settings.pilot)


@get("/admin/pilot.csv", sync_to_thread=True, include_in_schema=False)
def pilot_csv(appliance: Appliance, who: Principal, weeks: int | None = WEEKS) -> Response[str]:
    require_role(who, "admin")
    rows = metrics.pilot_weeks(appliance, weeks=weeks)
    name = f"pilot-{datetime.now(UTC):%Y-%m-%d}.csv"
    return Response(metrics.pilot_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


HANDLERS = [pilot, pilot_csv]
