"""The AI label every export made with a model carries, in its content and in its metadata (EU AI Act
art. 50: people must be able to tell AI-made text). One place defines the words and where they go:
DOCX core properties, ODT meta.xml, a Markdown comment, a CSV column, mail headers, PDF document info.
The AI register (`belfort ai-register export`) names the same systems."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from appliance.i18n import t

AI_HEADER = "X-Belfort-AI"  # mail header: "<system>; model=<model>; reviewed=yes|no"
KEYWORD = "AI-generated"


@dataclass(frozen=True)
class AiLabel:
    system: str  # ask | minutes | document-ai | triage | plain | compare (the AI register's ids)
    model: str
    reviewed: bool
    text: str  # the sentence shown in the document, in its language

    def metadata(self) -> dict[str, str]:
        return {"ai-generated": "true", "ai-system": self.system, "ai-model": self.model,
                "ai-reviewed": "yes" if self.reviewed else "no", "ai-label": self.text}

    def header(self) -> str:
        return f"{self.system}; model={_clean(self.model)}; reviewed={'yes' if self.reviewed else 'no'}"


def _clean(text: str) -> str:
    return " ".join(str(text).replace(";", ",").split())[:200] or "?"


def ai_label(lang: str, system: str, model: str, *, reviewed: bool) -> AiLabel:
    model = _clean(model)
    text = t(lang, "ai_label.reviewed" if reviewed else "ai_label.unreviewed",
             system=t(lang, f"ai_label.system.{system}"), model=model)
    return AiLabel(system, model, reviewed, text)


def mark_docx(doc: Any, label: AiLabel) -> None:
    """DOCX core properties (docProps/core.xml): keyword, category, content status, the model as version
    and the label as subject (comments stay the exporter's own)."""
    props = doc.core_properties
    keywords = [k.strip() for k in (props.keywords or "").split(";") if k.strip()]
    props.keywords = "; ".join(dict.fromkeys([*keywords, KEYWORD]))
    props.category = KEYWORD
    props.content_status = "reviewed" if label.reviewed else "draft"
    props.subject = label.text[:250]
    props.version = label.model[:250]


def mark_odt(doc: Any, label: AiLabel) -> None:
    """ODT meta.xml: a keyword, the label as description and one user-defined field per metadata key."""
    from odf import dc, meta

    doc.meta.addElement(meta.Keyword(text=KEYWORD))
    doc.meta.addElement(dc.Description(text=label.text))
    for name, value in label.metadata().items():
        doc.meta.addElement(meta.UserDefined(name=name, valuetype="string", text=value))


def markdown_comment(label: AiLabel) -> str:
    """Metadata a Markdown renderer does not show (an HTML comment; no '--' can end it early)."""
    pairs = "; ".join(f"{k}: {v}" for k, v in label.metadata().items())
    return f"<!-- {pairs.replace('--', '- -').replace('>', ')')} -->"


def mail_footer(label: AiLabel) -> str:
    return f"\n-- \n{label.text}\n"
