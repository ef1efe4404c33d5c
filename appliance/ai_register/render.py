"""The AI register as Markdown (to publish on the organisation's site) and as CSV (one row per system,
for the Algoritmeregister's spreadsheet import). Field names are the standard's Dutch ones."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from appliance.storage.csv_safe import formula_safe

# (key, label in the Algoritmeregister publication standard), per section of the standard.
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Algemene informatie", (
        ("name", "Naam"), ("description_short", "Korte omschrijving"), ("organization", "Organisatie"),
        ("theme", "Thema"), ("status", "Status"), ("begin_date", "Begindatum"), ("end_date", "Einddatum"),
        ("contact", "Contactgegevens"), ("public_page", "Link naar publiekspagina"),
        ("publication_category", "Publicatiecategorie"), ("source_registration", "Link naar bronregistratie"))),
    ("Verantwoord gebruik", (
        ("goal_and_impact", "Doel en impact"), ("considerations", "Afwegingen"),
        ("human_intervention", "Menselijke tussenkomst"), ("risk_management", "Risicobeheer"),
        ("legal_basis", "Wettelijke basis"), ("legal_basis_link", "Link naar wettelijke basis"),
        ("impact_assessments", "Impacttoetsen"), ("processing_register_link", "Link naar verwerkingsregister"))),
    ("Werking", (
        ("data", "Gegevens"), ("data_sources_link", "Link naar gegevensbronnen"),
        ("technical_operation", "Technische werking"), ("provider", "Leverancier"),
        ("source_code_link", "Link naar broncode"))),
)
_MD = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md(text: Any) -> str:
    if isinstance(text, list):
        text = ", ".join(str(t) for t in text)
    return _MD.sub(r"\\\1", " ".join(str(text).split())) or "—"


def model_line(m: dict[str, Any]) -> str:
    parts = [m["name"], m["version"], f"sha256 {m['sha256']}" if m["sha256"] else ""]
    return f"{m['kind']}: " + ", ".join(p for p in parts if p)


def evaluation_line(ev: dict[str, Any] | None) -> str:
    if not ev:
        return "nog niet geëvalueerd (belfort eval)"
    runs = []
    for run in ev["runs"]:
        figures = ", ".join(f"{k} {v:g}" for k, v in list(run["figures"].items())[:12])
        runs.append(f"{run['kind']} {run['at'][:10]}" + (f" ({run['dataset']})" if run["dataset"] else "")
                    + f": {figures}")
    return f"{ev['date']}: " + "; ".join(runs)


def to_markdown(register: dict[str, Any]) -> str:
    out = ["# Algoritmeregister: AI-systemen van Belfort", "",
           f"Volgens de {_md(register['standard'])}. Gemaakt op {register['generated_at'][:10]}.", ""]
    for s in register["systems"]:
        out += [f"## {_md(s['name'])}", ""]
        for section, fields in SECTIONS:
            out += [f"### {section}", ""]
            out += [f"- **{label}**: {_md(s[key])}" for key, label in fields]
            out.append("")
        ai = s["ai_act"]
        out += ["### AI-verordening", "", f"- **Rol**: {_md(ai['role_label'])}",
                f"- **Risicoklasse**: {_md(ai['risk_class'])}", f"- **Risicobeoordeling**: {_md(ai['risk_assessment'])}",
                "", "### Modellen", ""]
        out += [f"- {_md(model_line(m))}" for m in s["models"]] or ["- —"]
        out += ["", "### Laatste evaluatie", "", f"- {_md(evaluation_line(s['last_evaluation']))}", ""]
    return "\n".join(out)


CSV_COLUMNS = ("id",) + tuple(key for _, fields in SECTIONS for key, _ in fields) + (
    "ai_act_role", "ai_act_risk_class", "ai_act_risk_assessment", "models", "last_evaluation_date",
    "last_evaluation")


def to_csv(register: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in register["systems"]:
        ev = s["last_evaluation"]
        row = [s["id"]] + [", ".join(s[k]) if isinstance(s[k], list) else s[k]
                           for _, fields in SECTIONS for k, _ in fields]
        row += [s["ai_act"]["role"], s["ai_act"]["risk_class"], s["ai_act"]["risk_assessment"],
                "; ".join(model_line(m) for m in s["models"]), ev["date"] if ev else "", evaluation_line(ev)]
        writer.writerow([formula_safe(" ".join(str(v).split())) for v in row])
    return buf.getvalue()
