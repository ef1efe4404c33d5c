"""The AI register: one entry per AI system this appliance runs, in the fields of the Dutch
Algoritmeregister publication standard (Publicatiestandaard, "Informatievelden": Algemene informatie,
Verantwoord gebruik, Werking), with the AI Act role and risk assessment, the models with version and
sha256, and the date and figures of the last evaluation.

Texts come from systems.toml (defaults) < the organisation's <data_dir>/governance/ai-register.toml.
"""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.ai_register.engines import engine_rows
from appliance.ai_register.evaluations import latest_evaluations
from appliance.errors import BelfortError

if TYPE_CHECKING:
    from appliance.context import Appliance

DEFAULTS = Path(__file__).with_name("systems.toml")
STANDARD = "Algoritmeregister publicatiestandaard 1.0 (MinBZK)"
AI_ACT_ROLES = {"deployer": "gebruiksverantwoordelijke (deployer, AI-verordening art. 3 lid 4)",
                "provider": "aanbieder (provider, AI-verordening art. 3 lid 3)"}
# Fields an organisation may set, per system or under [defaults] (the rest comes from the appliance).
TEXT_FIELDS = (
    "name", "description_short", "organization", "theme", "status", "begin_date", "end_date", "contact",
    "public_page", "publication_category", "source_registration", "goal_and_impact", "considerations",
    "human_intervention", "risk_management", "legal_basis", "legal_basis_link", "impact_assessments",
    "processing_register_link", "data", "data_sources_link", "technical_operation", "provider",
    "source_code_link", "ai_act_role", "ai_act_risk", "ai_act_assessment",
)
ORGANISATION_FIELDS = ("name", "contact", "public_page", "source_registration", "processing_register_link")


def _load(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BelfortError("ai_register.bad_file", f"{path} cannot be read: {exc}",
                           hint="fix the TOML syntax (see README 'AI register')") from None


def _check_keys(where: str, table: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise BelfortError("ai_register.unknown_field", f"unknown field {unknown[0]!r} in {where}",
                           hint="fields: " + ", ".join(allowed))


def organisation_overrides(path: Path) -> dict[str, Any]:
    data = _load(path)
    _check_keys(f"{path}", data, ("organisation", "defaults", "systems"))
    _check_keys(f"{path} [organisation]", data.get("organisation", {}), ORGANISATION_FIELDS)
    _check_keys(f"{path} [defaults]", data.get("defaults", {}), TEXT_FIELDS)
    known = _load(DEFAULTS)["systems"]
    for key, table in data.get("systems", {}).items():
        if key not in known:
            raise BelfortError("ai_register.unknown_system", f"unknown AI system {key!r} in {path}",
                               hint="systems: " + ", ".join(known))
        _check_keys(f"{path} [systems.{key}]", table, TEXT_FIELDS + ("in_use",))
    return data


def _evaluation(kinds: list[str], latest: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    runs = [latest[k] for k in kinds if k in latest]
    if not runs:
        return None
    return {"date": max(r["at"] for r in runs)[:10], "runs": runs}


def _entry(key: str, base: dict[str, Any], org: dict[str, Any], engines: dict[str, Any],
           latest: dict[str, dict[str, Any]]) -> dict[str, Any]:
    organisation = org.get("organisation", {})
    merged = {**base, **org.get("defaults", {}), **org.get("systems", {}).get(key, {})}
    role = str(merged.get("ai_act_role", "deployer"))
    return {
        "id": key, "name": merged["name"], "description_short": merged["description_short"],
        "organization": organisation.get("name", ""), "theme": list(merged.get("theme", [])),
        "status": merged.get("status", "In gebruik"), "begin_date": str(merged.get("begin_date", "")),
        "end_date": str(merged.get("end_date", "")),
        "contact": str(merged.get("contact") or organisation.get("contact", "")),
        "public_page": str(merged.get("public_page") or organisation.get("public_page", "")),
        "publication_category": merged["publication_category"],
        "source_registration": str(merged.get("source_registration") or organisation.get("source_registration", "")),
        "goal_and_impact": merged["goal_and_impact"], "considerations": merged["considerations"],
        "human_intervention": merged["human_intervention"], "risk_management": merged["risk_management"],
        "legal_basis": merged["legal_basis"], "legal_basis_link": str(merged.get("legal_basis_link", "")),
        "impact_assessments": list(merged.get("impact_assessments", [])),
        "processing_register_link": str(merged.get("processing_register_link")
                                        or organisation.get("processing_register_link", "")),
        "data": merged["data"], "data_sources_link": str(merged.get("data_sources_link", "")),
        "technical_operation": merged["technical_operation"], "provider": merged["provider"],
        "source_code_link": str(merged.get("source_code_link", "")),
        "ai_act": {"role": role, "role_label": AI_ACT_ROLES.get(role, role),
                   "risk_class": merged["ai_act_risk"], "risk_assessment": merged["ai_act_assessment"]},
        "models": [row for kind in merged.get("models", []) if (row := engines.get(kind)) is not None],
        "last_evaluation": _evaluation(list(merged.get("evaluations", [])), latest),
    }


def build_register(app: Appliance, org_file: Path | None = None) -> dict[str, Any]:
    """{"systems": [...], "standard", "generated_at", "warnings"}; systems an organisation marked
    `in_use = false` are left out."""
    defaults = _load(DEFAULTS)
    org = organisation_overrides(org_file or app.layout.ai_register_file)
    organisation = org.setdefault("organisation", {})
    organisation["name"] = organisation.get("name") or app.settings.minutes.organisation
    engines, latest = engine_rows(app), latest_evaluations(app.settings)
    systems, warnings = [], []
    for key, table in defaults["systems"].items():
        if org.get("systems", {}).get(key, {}).get("in_use", True) is False:
            continue
        entry = _entry(key, {**defaults["defaults"], **table}, org, engines, latest)
        warnings += [f"{field} is empty: set it under [organisation] in {app.layout.ai_register_file.name}"
                     for field in ("contact", "organization") if not entry[field]]
        systems.append(entry)
    return {"standard": STANDARD, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "systems": systems, "warnings": sorted(set(warnings))}
