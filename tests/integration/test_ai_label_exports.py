"""Every export made with a model carries the AI label in its content and in its metadata: minutes
(DOCX core properties, ODT meta.xml, Markdown, CSV), comparisons (Markdown, DOCX), mails (reply to a
citizen, routed triage mail) and the redacted PDF (document info)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from sqlmodel import select

from appliance.ai_label import AI_HEADER, KEYWORD, ai_label
from appliance.compare import summarise, to_docx, to_markdown
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import OutboxMessage
from appliance.mail.outbox import build_mail
from appliance.minutes.export.formats import export_minutes
from appliance.privacy.redaction import export_redacted, page_texts, propose
from appliance.triage.routing import export_csv, route
from models.fakes import FakeLLM
from tests.filefactory import make_pdf
from tests.minutes_support import make_minutes
from tests.unit.test_compare_export import _changed
from tests.unit.triage_items import add_item, use_taxonomy


def _label(appliance: Appliance, minutes_id: int, lang: str, approved: bool) -> str:
    from appliance.db.tables import Minutes

    with read_session(appliance.db) as s:
        model = s.get(Minutes, minutes_id).model  # type: ignore[union-attr]
    return ai_label(lang, "minutes", model, reviewed=approved).text


@pytest.mark.parametrize("approved", [False, True])
def test_minutes_exports_carry_the_label_in_content_and_metadata(appliance: Appliance, approved: bool) -> None:
    from docx import Document
    from odf.opendocument import load

    ids = make_minutes(appliance, approved=approved)
    label = _label(appliance, ids["minutes"], "nl", approved)
    assert ("door een mens nagekeken" in label) == approved and "Gemaakt met AI" in label

    docx = Document(io.BytesIO(export_minutes(appliance, ids["minutes"], "docx", lang="nl")[0]))
    assert label in [p.text for p in docx.paragraphs]
    props = docx.core_properties
    assert KEYWORD in props.keywords and props.category == KEYWORD and props.subject == label
    assert props.content_status == ("reviewed" if approved else "draft")

    raw = export_minutes(appliance, ids["minutes"], "odt", lang="nl")[0]
    meta = zipfile.ZipFile(io.BytesIO(raw)).read("meta.xml").decode()
    assert f"<meta:keyword>{KEYWORD}</meta:keyword>" in meta and 'meta:name="ai-generated"' in meta
    assert f'meta:name="ai-reviewed" meta:value-type="string">{"yes" if approved else "no"}' in meta
    odt = load(io.BytesIO(raw))
    assert label in str(odt.text)

    md = export_minutes(appliance, ids["minutes"], "md", lang="nl")[0].decode()
    assert md.startswith("<!-- ai-generated: true; ai-system: minutes;") and f"> {label}" in md.replace("\\", "")

    rows = list(csv.DictReader(io.StringIO(
        export_minutes(appliance, ids["minutes"], "actions.csv", lang="nl")[0].decode("utf-8-sig"))))
    assert rows and all(r["ai_label"] == label for r in rows)

    from icalendar import Calendar

    cal = Calendar.from_ical(export_minutes(appliance, ids["minutes"], "actions.ics", lang="nl")[0])
    assert str(cal["x-belfort-ai"]).startswith("minutes; model=")
    assert all(label in str(todo["description"]) for todo in cal.walk("VTODO"))


def test_a_comparison_with_an_ai_summary_is_labelled_and_one_without_is_not() -> None:
    from docx import Document

    c = _changed()
    summary = summarise(FakeLLM("Het bedrag stijgt van 250 euro naar 300 euro [1]."), c, "nl", 5.0)
    assert summary.statements
    md = to_markdown(c, "nl", summary)
    assert md.startswith("<!-- ai-generated: true; ai-system: compare;") and "Gemaakt met AI" in md
    doc = Document(io.BytesIO(to_docx(c, "nl", summary)))
    assert KEYWORD in doc.core_properties.keywords and "Gemaakt met AI" in doc.core_properties.subject
    assert any("Gemaakt met AI" in p.text for p in doc.paragraphs)
    plain = Document(io.BytesIO(to_docx(c, "nl", None)))  # the change list alone is plain diffing
    assert KEYWORD not in (plain.core_properties.keywords or "") and "ai-generated" not in to_markdown(c, "nl")


TAXONOMY = """
departments:
  - {key: omgeving, name: Dienst Omgeving, mailbox: omgeving@gemeente.example}
categories:
  - key: wegschade
    department: omgeving
    description: Schade aan wegen en voetpaden.
    required_fields: [address]
"""


def test_a_routed_mail_says_the_category_came_from_ai(appliance: Appliance, tmp_path: Path) -> None:
    use_taxonomy(appliance, TAXONOMY, tmp_path)
    suggested = add_item(appliance, "Put in de weg", "Er zit een put in de Kerkstraat.", suggested="wegschade",
                         confidence=0.97)
    by_hand = add_item(appliance, "Put", "Nog een put.")
    route(appliance, suggested, "wegschade", by="auto")
    route(appliance, by_hand, "wegschade", by="anna")
    with read_session(appliance.db) as s:
        rows = {r.ref: r for r in s.exec(select(OutboxMessage)).all()}
    mail = build_mail(appliance, rows[f"triage:{suggested}"])
    assert mail[AI_HEADER] == "triage; model=test; reviewed=no"
    assert ai_label("nl", "triage", "test", reviewed=False).text in mail.get_content()
    manual = build_mail(appliance, rows[f"triage:{by_hand}"])
    assert manual[AI_HEADER] is None and "Gemaakt met AI" not in manual.get_content()
    exported = {int(r["id"]): r for r in csv.DictReader(io.StringIO(export_csv(appliance)))}
    assert exported[suggested]["ai_label"] == ai_label("nl", "triage", "test", reviewed=False).text
    assert exported[by_hand]["ai_label"] == ""


def test_a_request_for_missing_information_is_labelled(appliance: Appliance, tmp_path: Path) -> None:
    from appliance.access.principals import Principal
    from appliance.triage.missing import approve_and_send, assess

    use_taxonomy(appliance, TAXONOMY, tmp_path)
    item = add_item(appliance, "Put", "Er zit een put in onze straat.", suggested="wegschade", language="nl")
    _, draft = assess(appliance, item)
    approve_and_send(appliance, Principal(user_id=1, username="anna", role="staff"), item,
                     subject=draft.subject, body=draft.body)
    with read_session(appliance.db) as s:
        [row] = s.exec(select(OutboxMessage)).all()
    assert build_mail(appliance, row)[AI_HEADER] == "triage; model=test; reviewed=yes"


def test_the_redacted_pdf_names_the_ai_in_its_document_info(tmp_path: Path) -> None:
    source = tmp_path / "brief.pdf"
    make_pdf(source, ["Geachte, het rijksregisternummer 85.07.30-033.61 staat in het dossier."], title="Dossier")
    from appliance.privacy.pii import detect_pii

    proposals = propose(page_texts(source), lambda text: detect_pii(text, entities=["BE_NATIONAL_NUMBER"]),
                        min_score=0.0)
    label = ai_label("nl", "document-ai", "rules", reviewed=True)
    export_redacted(source, proposals, tmp_path / "out.pdf", actor="archivaris", ai=label)
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
    assert info["/Keywords"] == KEYWORD and info["/Subject"] == label.text
    assert info[f"/{AI_HEADER}"] == "document-ai; model=rules; reviewed=yes"
    assert "Dossier" not in "".join(info.values())  # the source's own metadata is still gone
