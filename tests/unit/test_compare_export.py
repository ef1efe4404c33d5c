"""Exports of a comparison (Markdown, DOCX with revision marks) and its summaries: the plain list
without a model, the AI summary whose statements pass the claim check and cite their article."""

from __future__ import annotations

import io
import zipfile

from appliance.compare import change_list, compare_pages, summarise, to_docx, to_markdown
from models.fakes import FakeLLM
from tests.unit.test_compare_align import ARTICLES, numbered, reg

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _changed():  # type: ignore[no-untyped-def]
    texts = list(ARTICLES)
    texts[1] = texts[1].replace("250 euro", "300 euro")
    texts.append("Een premie wordt teruggevorderd als de put binnen vijf jaar wordt verwijderd.")
    return compare_pages(reg(numbered()), reg(numbered(texts)), old_title="versie 2025", new_title="versie 2026")


def test_plain_list_of_changes_without_a_model():
    c = _changed()
    assert change_list(c, "nl") == ["Artikel 2 gewijzigd: „250” wordt „300”.", "Artikel 6 toegevoegd."]
    assert change_list(c, "en")[1] == "Artikel 6 added."
    assert summarise(None, c, "nl", 5.0).mode == "none"


def test_markdown_marks_insertions_and_deletions_and_escapes_document_text():
    texts = list(ARTICLES)
    texts[1] = texts[1].replace("250 euro", "<script>alert(1)</script> euro")
    c = compare_pages(reg(numbered()), reg(numbered(texts)))
    md = to_markdown(c, "nl")
    assert "~~250~~ **\\<script\\>alert(1)\\</script\\>**" in md
    assert "<script>" not in md
    assert "## Wijzigingen" in md and "### Artikel 2 — gewijzigd" in md


def test_docx_carries_real_revision_marks():
    data = to_docx(_changed(), "nl", author="anna")
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    from lxml import etree

    root = etree.fromstring(xml.encode())
    inserted = ["".join(el.itertext()) for el in root.iter(f"{W}ins")]
    deleted = ["".join(el.itertext()) for el in root.iter(f"{W}del")]
    assert any(s.strip() == "300" for s in inserted) and any(s.strip() == "250" for s in deleted)
    assert any("teruggevorderd" in s for s in inserted)  # the added article is one insertion
    assert all(el.get(f"{W}author") == "anna" for el in root.iter(f"{W}ins"))
    import docx

    assert "versie 2026" in "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_docx_of_identical_versions_says_no_changes():
    c = compare_pages(reg(numbered()), reg(numbered()))
    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(to_docx(c, "nl"))).paragraphs)
    assert "Geen wijzigingen" in text


def test_ai_summary_keeps_supported_statements_with_their_article_and_drops_the_rest():
    c = _changed()
    reply = ("De premie bedraagt 300 euro per woning en wordt eenmaal per adres toegekend [2]. "
             "De premie wordt voortaan jaarlijks verdubbeld voor alle inwoners [2]. "
             "Een premie wordt teruggevorderd als de put binnen vijf jaar wordt verwijderd [3].")
    llm = FakeLLM(reply)
    s = summarise(llm, c, "nl", 5.0)
    assert s.mode == "free" and s.dropped == 1
    assert [(st.cites, "300" in st.text) for st in s.statements] == [(("Artikel 2",), True), (("Artikel 6",), False)]
    assert "verdubbeld" not in " ".join(st.text for st in s.statements)
    prompt = llm.last_prompt
    assert '<bron nummer="1" titel="Artikel 2 (Oude versie)">' in prompt
    assert '<bron nummer="2" titel="Artikel 2 (Nieuwe versie)">' in prompt


def test_ai_summary_falls_back_to_quoting_the_new_wording_when_nothing_passes():
    c = _changed()
    s = summarise(FakeLLM("Alles wordt duurder en strenger voor iedereen [1]."), c, "nl", 5.0)
    assert s.mode == "composed" and s.statements
    assert s.statements[0].cites == ("Artikel 2",) and "300 euro" in s.statements[0].text
    assert s.checks["free_dropped"] == 1


def test_no_summary_for_identical_or_unrelated_texts():
    same = compare_pages(reg(numbered()), reg(numbered()))
    llm = FakeLLM("iets")
    assert summarise(llm, same, "nl", 5.0).mode == "empty" and llm.calls == []


def test_composed_statements_say_what_happened_and_moves_are_not_summarised():
    texts = list(ARTICLES)
    texts[1] = texts[1].replace("250 euro", "300 euro")
    c = compare_pages(reg(numbered()), reg(numbered(texts[:4])))  # article 5 removed
    s = summarise(FakeLLM("[1] [2] [3]"), c, "nl", 5.0)
    assert s.mode == "composed"
    assert [(st.kind, st.cites) for st in s.statements] == [("changed", ("Artikel 2",)), ("removed", ("Artikel 5 (Oude versie)",))]
    assert "(geschrapt) Dit reglement treedt in werking" in to_markdown(c, "nl", s)
    order = [ARTICLES[k] for k in (0, 2, 1, 3, 4)]  # only a move: nothing substantive to summarise
    moved = compare_pages(reg(numbered()), reg([(f"Artikel {k}", x) for k, x in zip((1, 3, 2, 4, 5), order)]))
    llm = FakeLLM("iets")
    assert summarise(llm, moved, "nl", 5.0).mode == "empty" and llm.calls == []


def test_ai_statements_must_be_about_the_change_and_old_wording_says_so():
    c = _changed()
    reply = ("[1] De premie bedraagt 250 euro per woning. [2] De premie wordt eenmaal per adres toegekend. "
             "[2] De premie bedraagt 300 euro per woning.")
    s = summarise(FakeLLM(reply), c, "nl", 5.0)
    assert [(st.text, st.cites) for st in s.statements] == [
        ("De premie bedraagt 250 euro per woning.", ("Artikel 2 (Oude versie)",)),
        ("De premie bedraagt 300 euro per woning.", ("Artikel 2",))]
    assert s.dropped == 1  # true, but unchanged wording: nothing about what changed
