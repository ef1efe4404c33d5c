"""Insight pages: themes and trends of the intake, and the weekly capacity forecast (chart, table, CSV).

For the group `triage` and administrators, like the triage dashboard. What a theme shows is built
from the entries the viewer may read (appliance.insight.sources). Charts are SVG drawn here from
numbers; every text in them goes through Jinja's autoescape, and a table beside each chart holds the
same figures for screen readers and keyboards.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.params import Parameter
from litestar.response import Template

from appliance import insight, triage
from appliance.access import Principal
from appliance.context import Appliance
from appliance.errors import BelfortError
from appliance.triage import Taxonomy, active_taxonomy
from webui.charts import bar_chart, line_chart
from webui.web import page

HISTORY_SHOWN = 26  # weeks of history drawn before the forecast


def _taxonomy(appliance: Appliance) -> Taxonomy | None:
    try:
        return active_taxonomy(appliance.settings)
    except BelfortError:
        return None


@get("/insight", sync_to_thread=True, include_in_schema=False)
def themes(request: Request, appliance: Appliance, who: Principal,
           period: str = Parameter(query="period", default="week", pattern="^(week|month)$"),
           periods: int = Parameter(query="periods", default=8, ge=2, le=52)) -> Template:
    triage.require_triage(appliance, who)
    taxonomy = _taxonomy(appliance)
    report = insight.build_themes(appliance, who, period=period, periods=periods, taxonomy=taxonomy)
    charts = {t.key: bar_chart(report.periods, [float(v) for v in t.volume]) for t in report.themes}
    return page(request, "insight_themes.html", who=who, report=report, charts=charts, period=period,
                periods=periods, taxonomy=taxonomy, rising=[t for t in report.themes if t.rising])


def _forecast(appliance: Appliance, who: Principal, series: str) -> tuple[insight.Forecast, Taxonomy | None]:
    taxonomy = _taxonomy(appliance)
    return insight.intake_forecast(appliance, who, series, taxonomy=taxonomy), taxonomy


@get("/insight/forecast", sync_to_thread=True, include_in_schema=False)
def forecast(request: Request, appliance: Appliance, who: Principal,
             series: str = Parameter(query="series", default="total", max_length=200)) -> Template:
    triage.require_triage(appliance, who)
    result, taxonomy = _forecast(appliance, who, series)
    shown = result.history[-HISTORY_SHOWN:]
    chart: Any = None
    if result.status == "ok":
        chart = line_chart([(w, float(c)) for w, c in shown], result.weeks, result.mean, result.lower,
                           result.upper)
    return page(request, "insight_forecast.html", who=who, result=result, chart=chart, shown=shown,
                series=series, names=insight.series_names(appliance, who, taxonomy), taxonomy=taxonomy,
                weekdays=range(7))


@get("/insight/forecast.csv", sync_to_thread=True, include_in_schema=False)
def forecast_csv(appliance: Appliance, who: Principal,
                 series: str = Parameter(query="series", default="total", max_length=200)) -> Response[str]:
    triage.require_triage(appliance, who)
    result, _taxonomy_used = _forecast(appliance, who, series)
    if result.status != "ok":
        raise BelfortError("insight.too_little_history",
                           f"{result.history_weeks} complete weeks of history; a forecast needs {result.needed_weeks}",
                           hint="wait until more weeks of intake are recorded", status=409)
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in series)[:60]
    return Response(insight.csv_text(result), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="forecast-{safe}.csv"'})


HANDLERS = [themes, forecast, forecast_csv]
