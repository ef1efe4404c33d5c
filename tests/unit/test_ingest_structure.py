"""Structure survives extraction: tables keep their headers, lists their markers, chunks their heading
path, and the anchors stay exact."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunk import chunk_pages
from ingest.extract import extract
from ingest.extract.tables import render_table
from ingest.types import Extracted

PRICES = [("", "Normale procedure", "Dringende procedure"),
          ("Reispas volwassene", "€ 85,00", "€ 270,00"),
          ("Reispas kind", "€ 41,00", "€ 226,00")]
ROW = "Reispas volwassene: Normale procedure € 85,00; Dringende procedure € 270,00"


def _anchors_exact(result: Extracted, size: int = 900, overlap: int = 120) -> list:  # type: ignore[type-arg]
    chunks = chunk_pages(result.pages, size=size, overlap=overlap, title=result.title)
    pages = {p.number: p.text for p in result.pages}
    assert chunks
    for c in chunks:
        assert pages[c.page][c.char_start:c.char_end] == c.text
    return chunks


def _html(path: Path, body: str, title: str = "Reispas") -> Path:
    path.write_text(f"<html lang='nl'><head><title>{title}</title></head><body>{body}</body></html>",
                    encoding="utf-8")
    return path


def _table_html(rows: list[tuple[str, ...]] | list[list[str]], head: bool = True) -> str:
    def tr(cells: tuple[str, ...] | list[str], tag: str) -> str:
        return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"

    first = tr(rows[0], "th" if head else "td")
    body = "".join(tr(r, "td") for r in rows[1:])
    return f"<table><thead>{first}</thead><tbody>{body}</tbody></table>"


# -- the rendering rule ---------------------------------------------------------------------------


def test_each_value_keeps_its_row_label_and_column_header() -> None:
    assert render_table(PRICES).splitlines() == [
        ROW, "Reispas kind: Normale procedure € 41,00; Dringende procedure € 226,00"]


def test_a_numeric_row_label_keeps_its_column_name_and_key_value_rows_stay_pairs() -> None:
    assert render_table([("Punt", "Besluit"), ("1", "Goedgekeurd")]) == "Punt 1: Besluit Goedgekeurd"
    assert render_table([("Adres", "Markt 1"), ("Open", "maandag tot vrijdag")]).splitlines() == [
        "Adres: Markt 1", "Open: maandag tot vrijdag"]  # no header row: 'Adres' is not a column name


def test_stacked_and_merged_header_cells_are_joined_and_empty_ones_tolerated() -> None:
    rows = [("Product", "Prijs", "Prijs", ""), ("", "normaal", "dringend", ""),
            ("Reispas", "€ 85", "€ 270", "zie loket")]
    assert render_table(rows, header_rows=2) == "Reispas: Prijs normaal € 85; Prijs dringend € 270; zie loket"


def test_title_row_above_a_table_stays_a_line_and_header_only_tables_are_content() -> None:
    rows = [("Tarieven 2026", "Tarieven 2026", "Tarieven 2026"), *PRICES]
    assert render_table(rows).splitlines()[:2] == ["Tarieven 2026", ROW]
    assert render_table([("Naam", "Functie", "Telefoon")], header_rows=1) == "Naam: Functie; Telefoon"
    assert render_table([]) == "" and render_table([("", ""), ("", "")]) == ""


def test_layout_tables_and_single_columns_keep_their_cells_in_order() -> None:
    long = "Dit is een lange alinea. " * 20
    assert render_table([("Menu", long)]).splitlines() == ["Menu", long.strip()]
    assert render_table([("één",), ("twee",)]).splitlines() == ["één", "twee"]


# -- every format ----------------------------------------------------------------------------------


def test_html_table_with_th_header_rowspan_colspan_and_empty_corner(tmp_path: Path) -> None:
    body = ("<h1>Reispas</h1><h2>Tarieven</h2><table><caption>Prijzen</caption>"
            "<tr><th></th><th>Normale procedure</th><th>Dringende procedure</th></tr>"
            "<tr><td>Reispas volwassene</td><td>€ 85,00</td><td>€ 270,00</td></tr>"
            "<tr><td rowspan='2'>Kind</td><td colspan='2'>gratis</td></tr>"
            "<tr><td>€ 5</td><td></td></tr></table>")
    result = extract(_html(tmp_path / "reispas.html", body))
    lines = result.pages[0].text.splitlines()
    assert "Prijzen" in lines and ROW in lines
    assert "Kind: Normale procedure gratis; Dringende procedure gratis" in lines
    assert "Kind: Normale procedure € 5" in lines  # the row label spans down
    _anchors_exact(result)


def test_html_layout_table_is_read_as_blocks(tmp_path: Path) -> None:
    body = ("<table><tr><td><h2>Nieuws</h2><p>De raad vergaderde.</p></td>"
            "<td><ul><li>Agenda</li></ul></td></tr></table>")
    text = extract(_html(tmp_path / "layout.html", body)).pages[0].text
    assert "Nieuws" in text.splitlines() and "- Agenda" in text.splitlines()


def test_docx_table_with_header_row_merged_and_empty_cells(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Tarieven", level=1)
    table = document.add_table(rows=4, cols=3)
    for r, row in enumerate([*PRICES, ("Identiteitskaart", "€ 20,00", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(3, 1).merge(table.cell(3, 2))  # one value over both procedures
    path = tmp_path / "tarieven.docx"
    document.save(str(path))
    result = extract(path)
    lines = result.pages[0].text.splitlines()
    assert ROW in lines
    assert "Identiteitskaart: Normale procedure € 20,00; Dringende procedure € 20,00" in lines
    assert [h.text for h in result.pages[0].headings] == ["Tarieven"]
    _anchors_exact(result)


def test_docx_repeated_header_rows_are_the_column_headers(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Dienst", "Telefoon"), ("Burgerzaken", "050 12 34 56")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    path = tmp_path / "diensten.docx"
    document.save(str(path))
    assert extract(path).pages[0].text == "Burgerzaken: Telefoon 050 12 34 56"


def _odt(path: Path, build) -> Path:  # type: ignore[no-untyped-def]
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    build(document)
    document.save(str(path))
    return path


def test_odt_table_with_header_rows_and_a_merged_cell(tmp_path: Path) -> None:
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableHeaderRows, TableRow
    from odf.text import H, P

    def cell(value: str, **kw: int) -> TableCell:
        c = TableCell(**kw)
        c.addElement(P(text=value))
        return c

    def build(document) -> None:  # type: ignore[no-untyped-def]
        document.text.addElement(H(outlinelevel=1, text="Tarieven"))
        table = Table(name="prijzen")
        table.addElement(TableColumn(numbercolumnsrepeated=3))
        head = TableHeaderRows()
        row = TableRow()
        for value in PRICES[0]:
            row.addElement(cell(value))
        head.addElement(row)
        table.addElement(head)
        for values in PRICES[1:]:
            row = TableRow()
            for value in values:
                row.addElement(cell(value))
            table.addElement(row)
        row = TableRow()
        row.addElement(cell("Kind onder 12"))
        row.addElement(cell("gratis", numbercolumnsspanned=2))
        row.addElement(CoveredTableCell())
        table.addElement(row)
        document.text.addElement(table)

    result = extract(_odt(tmp_path / "tarieven.odt", build))
    lines = result.pages[0].text.splitlines()
    assert ROW in lines
    assert "Kind onder 12: Normale procedure gratis; Dringende procedure gratis" in lines
    assert [(h.level, h.text) for h in result.pages[0].headings] == [(1, "Tarieven")]
    _anchors_exact(result)


def test_xlsx_cross_table_with_a_title_row_and_empty_cells(tmp_path: Path) -> None:
    from tests import filefactory as ff

    rows = [("Tarieven reisdocumenten", None, None), *PRICES, ("Reispas spoed", None, "€ 300,00")]
    result = extract(ff.make_xlsx(tmp_path / "tarieven.xlsx", {"Paspoorten": rows}))
    lines = result.pages[0].text.splitlines()
    assert lines[:3] == ["Paspoorten", "Tarieven reisdocumenten", ROW]
    assert "Reispas spoed: Dringende procedure € 300,00" in lines
    chunks = _anchors_exact(result)
    assert chunks[0].context == "tarieven > Paspoorten"  # the file stem is the title, then the sheet


@pytest.mark.parametrize("kind", ["html", "xlsx"])
def test_500_row_table_keeps_headers_in_every_chunk(tmp_path: Path, kind: str) -> None:
    from tests import filefactory as ff

    rows = [("Straat", "Ophaaldag", "Fractie")]
    rows += [(f"Straat {i}", f"dag {i % 5 + 1}", f"ronde {i}") for i in range(500)]
    if kind == "html":
        path = _html(tmp_path / "ophaling.html", "<h1>Ophaling</h1>" + _table_html(rows), title="Ophaling")
    else:
        path = ff.make_xlsx(tmp_path / "ophaling.xlsx", {"Ophaling": rows})
    result = extract(path)
    lines = [ln for ln in result.pages[0].text.splitlines() if ln.startswith("Straat ")]
    assert len(lines) == 500
    assert lines[499] == "Straat 499: Ophaaldag dag 5; Fractie ronde 499"
    chunks = _anchors_exact(result, size=400, overlap=80)
    text = result.pages[0].text
    for c in chunks[1:]:  # cut between rows, never inside one: every value keeps its label
        assert text[c.char_start - 1] == "\n" and c.text.split("\n")[0].count(":") == 1
        assert c.context.casefold() == "ophaling"  # title (the file stem for the sheet) and sheet name, once


def test_a_document_whose_only_content_is_a_table(tmp_path: Path) -> None:
    import docx

    html = extract(_html(tmp_path / "enkel.html", _table_html(PRICES, head=False), title=""))
    assert html.pages[0].text.splitlines()[0] == ROW
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(PRICES):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(str(tmp_path / "enkel.docx"))
    result = extract(tmp_path / "enkel.docx")
    assert result.pages[0].text.splitlines()[0] == ROW
    assert _anchors_exact(result)[0].context == "enkel"


# -- lists -----------------------------------------------------------------------------------------


def test_html_lists_keep_one_item_per_line_with_its_marker(tmp_path: Path) -> None:
    body = ("<p>Breng mee:</p><ul><li>uw identiteitskaart</li><li>een <b>pasfoto</b></li></ul>"
            "<ol start='3'><li>betalen</li><li>ophalen</li></ol>")
    lines = extract(_html(tmp_path / "lijst.html", body)).pages[0].text.splitlines()
    items = lines[lines.index("Breng mee:") + 2:]
    assert items == ["- uw identiteitskaart", "- een pasfoto", "3. betalen", "4. ophalen"]


def test_docx_and_odt_lists_keep_one_item_per_line(tmp_path: Path) -> None:
    import docx
    from odf.text import List, ListItem, P

    document = docx.Document()
    document.add_paragraph("Breng mee:")
    for item in ("uw identiteitskaart", "een pasfoto"):
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph("Daarna betaalt u.")
    document.save(str(tmp_path / "lijst.docx"))
    assert extract(tmp_path / "lijst.docx").pages[0].text == (
        "Breng mee:\n\n- uw identiteitskaart\n- een pasfoto\n\nDaarna betaalt u.")

    numbered = docx.Document()
    numbered.add_heading("Procedure", level=1)
    for item in ("afspraak maken", "betalen"):
        numbered.add_paragraph(item, style="List Number")
    numbered.save(str(tmp_path / "stappen.docx"))
    assert extract(tmp_path / "stappen.docx").pages[0].text == "Procedure\n\n1. afspraak maken\n2. betalen"

    def build(doc) -> None:  # type: ignore[no-untyped-def]
        items = List()
        for value in ("uw identiteitskaart", "een pasfoto"):
            item = ListItem()
            item.addElement(P(text=value))
            items.addElement(item)
        doc.text.addElement(P(text="Breng mee:"))
        doc.text.addElement(items)

    assert extract(_odt(tmp_path / "lijst.odt", build)).pages[0].text == (
        "Breng mee:\n\n- uw identiteitskaart\n- een pasfoto")


# -- heading path ----------------------------------------------------------------------------------


def test_every_chunk_carries_its_heading_path_and_anchors_stay_exact(tmp_path: Path) -> None:
    prose = "<p>" + "De aanvraag gebeurt aan het loket burgerzaken na afspraak. " * 12 + "</p>"
    body = (f"<h1>Reispas</h1>{prose}<h2>Tarieven</h2>{_table_html(list(PRICES))}"
            f"<h3>Kinderen</h3>{prose}<h2>Levertermijn</h2>{prose}")
    result = extract(_html(tmp_path / "reispas.html", body, title="Reispas aanvragen"))
    chunks = _anchors_exact(result, size=300, overlap=60)
    text = result.pages[0].text
    for c in chunks:
        assert "\n" not in c.context and c.context.startswith("Reispas aanvragen > Reispas")
        assert c.context not in c.text  # beside the text, never in it
    by_row = next(c for c in chunks if ROW in c.text)
    assert by_row.context.startswith("Reispas aanvragen > Reispas > Tarieven")
    last = chunks[-1]
    assert last.context == "Reispas aanvragen > Reispas > Levertermijn"  # 'Kinderen' (h3) ended with its h2
    assert text.index("Levertermijn") <= last.char_start


def test_a_title_equal_to_the_first_heading_is_not_repeated() -> None:
    from ingest.chunk import heading_path
    from ingest.types import Heading

    headings = [Heading(0, 1, "Reispas"), Heading(40, 2, "Tarieven"), Heading(90, 3, "Kinderen"),
                Heading(120, 2, "Termijn")]
    assert heading_path("reispas", headings, 0) == "reispas"
    assert heading_path("Reispas", headings, 95) == "Reispas > Tarieven > Kinderen"
    assert heading_path("", headings, 130) == "Reispas > Termijn"
    assert heading_path("Gemeente", [], 5) == "Gemeente"


# -- born-digital PDF ------------------------------------------------------------------------------


def _pdf(path: Path, rows: list[tuple[str, ...]], align: tuple[str, ...] | None = None,
         prose: str = "De aanvraag gebeurt aan het loket. Breng een pasfoto mee.") -> Path:
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 10, "Tarieven reisdocumenten", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, prose)
    with pdf.table(text_align=align or "LEFT") as table:
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(value)
    pdf.output(str(path))
    return path


PDF_PRICES = [("", "Normale procedure", "Dringende procedure"),
              ("Reispas volwassene", "EUR 85,00", "EUR 270,00"), ("Reispas kind", "EUR 41,00", "EUR 226,00")]


@pytest.mark.parametrize("align", [None, ("LEFT", "RIGHT", "RIGHT"), ("LEFT", "CENTER", "CENTER")])
def test_pdf_table_rows_keep_their_headers_whatever_the_alignment(tmp_path: Path,
                                                                  align: tuple[str, ...] | None) -> None:
    result = extract(_pdf(tmp_path / "tarieven.pdf", PDF_PRICES, align))
    lines = result.pages[0].text.splitlines()
    assert lines[:2] == ["Tarieven reisdocumenten",
                         "De aanvraag gebeurt aan het loket. Breng een pasfoto mee."]  # prose stays prose
    assert "Reispas volwassene: Normale procedure EUR 85,00; Dringende procedure EUR 270,00" in lines
    assert "Reispas kind: Normale procedure EUR 41,00; Dringende procedure EUR 226,00" in lines
    _anchors_exact(result)


def test_pdf_two_columns_of_words_are_not_a_table(tmp_path: Path) -> None:
    rows = [("Het college besliste", "over de heraanleg"), ("van de markt en", "de omliggende straten"),
            ("na overleg met", "de handelaars")]
    lines = extract(_pdf(tmp_path / "kolommen.pdf", rows)).pages[0].text.splitlines()
    assert "Het college besliste over de heraanleg" in lines and not any(":" in ln for ln in lines)


def test_markdown_pipe_tables_and_headings(tmp_path: Path) -> None:
    path = tmp_path / "loket.md"
    path.write_text("# Loket\n\nIntro.\n\n## Openingsuren\n\n| dag | Burgerzaken | Omgeving |\n|---|:---:|---|\n"
                    "| maandag | 8.30 – 12.00 | gesloten |\n| dinsdag | | 13.30 – 16.00 |\n\n- een item\n", encoding="utf-8")
    result = extract(path)
    lines = result.pages[0].text.splitlines()
    assert "maandag: Burgerzaken 8.30 – 12.00; Omgeving gesloten" in lines
    assert "dinsdag: Omgeving 13.30 – 16.00" in lines and "- een item" in lines
    assert result.title == "Loket"
    chunks = _anchors_exact(result, size=60, overlap=10)
    assert chunks[-1].context == "Loket > Openingsuren"


# -- hostile tables --------------------------------------------------------------------------------


def test_tables_nested_thousands_deep_and_span_bombs_stay_fast_and_bounded() -> None:
    import time

    from ingest.extract.html import html_to_page

    started = time.perf_counter()
    nested = html_to_page("<html><body>" + "<table><tr><td>x " * 4000 + "</td></tr></table>" * 4000)[1]
    assert nested.text.count("x") == 4000  # a layout table: its text, read as blocks
    bomb = "".join(f"<tr><td colspan=1000 rowspan=1000>c{i}</td></tr>" for i in range(5000))
    spans = html_to_page(f"<html><body><table>{bomb}</table></body></html>")[1]
    assert "c4999" in spans.text and len(spans.text) < 200_000
    assert time.perf_counter() - started < 5  # was quadratic: 6 s and 16 s before the limits


def test_odt_span_bomb_is_bounded(tmp_path: Path) -> None:
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    def build(document) -> None:  # type: ignore[no-untyped-def]
        table = Table(name="bom")
        for i in range(3000):
            row = TableRow(numberrowsrepeated=1000)
            cell = TableCell(numbercolumnsspanned=1000, numberrowsspanned=1000, numbercolumnsrepeated=1000)
            cell.addElement(P(text=f"c{i}"))
            row.addElement(cell)
            table.addElement(row)
        document.text.addElement(table)

    result = extract(_odt(tmp_path / "bom.odt", build))
    assert result.pages[0].text.startswith("c0") and len(result.pages[0].text) < 20_000_000
