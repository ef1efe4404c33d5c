"""HTML pages (and HTML-only mail bodies) to plain text with one line per block.

Scripts, styles, navigation and forms' option lists are dropped; the charset comes from the
page's own declaration when it fits the bytes, else BOM, else detection (pages saved from old
intranets often claim nothing and are windows-1252).
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.extract.common import clean_text, decode_bytes, looks_binary, title_from_stem, wrap_errors
from ingest.extract.html_tables import list_markers, table_text
from ingest.extract.tables import locate_headings
from ingest.types import Extracted, IngestError, Page

DROP = {
    "script", "style", "noscript", "template", "svg", "math", "nav", "iframe", "object", "embed",
    "canvas", "select", "datalist", "head", "button", "audio", "video", "map",
}
BLOCK = {
    "address", "article", "aside", "blockquote", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hgroup", "hr", "li", "main",
    "ol", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "ul", "caption",
    "legend", "body", "html", "center",
}
SECTION = {"h1", "h2", "h3", "h4", "h5", "h6", "p"}  # a blank line around them: good chunk boundaries
CELL = {"td", "th"}

_BREAK = "\ue000"  # private-use marker for "paragraph break", resolved after the walk
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")
_WS = re.compile(r"\s+")
# Whitespace runs are matched from their first character only (the lookbehinds): without them a
# long run with no line break was rescanned from each of its characters (quadratic time).
_LINE_GAP = re.compile(r"(?<![ \t])[ \t]*\n\s*")
_PARAGRAPH_GAP = re.compile(rf"(?<![\s{_BREAK}])\s*{_BREAK}[\s{_BREAK}]*")
# An HTML parser looks through the stack of open elements at each block start: nesting depth costs
# quadratic time (100,000 nested <div>, 1.1 MB, took 30-50 s). Real pages nest a few dozen deep.
MAX_BLOCK_NESTING = 2000
_BLOCK_TAG = re.compile(
    r"<(/?)(?:div|section|article|aside|blockquote|center|details|dialog|dir|dl|fieldset|figcaption|figure"
    r"|footer|header|hgroup|main|menu|nav|ol|ul|search|summary|address)(?=[\s/>])",
    re.IGNORECASE,
)


def declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    found = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    return found.group(1).decode("ascii") if found else None


def html_to_text(markup: str) -> tuple[str, str, str]:
    """Return (title, text, lang) for an HTML document given as str."""
    title, page, lang = html_to_page(markup)
    return title, page.text, lang


def html_to_page(markup: str) -> tuple[str, Page, str]:
    """Return (title, page with its headings, lang) for an HTML document given as str."""
    from selectolax.lexbor import LexborHTMLParser

    _check_nesting(markup)
    tree = LexborHTMLParser(markup)
    title_node = tree.css_first("title")
    title = " ".join(title_node.text().split()) if title_node is not None else ""
    if not title:
        heading = tree.css_first("h1") or tree.css_first("h2") or tree.css_first("h3")
        title = " ".join(heading.text().split()) if heading is not None else ""
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "") if html_node is not None else ""
    root = tree.body if tree.body is not None else tree.root
    headings: list[tuple[int, str]] = []
    text = _walk(root, headings) if root is not None else ""
    page = Page(number=1, text=text, headings=locate_headings(text, headings))
    return title, page, (lang or "").split("-")[0].lower()


def _check_nesting(markup: str) -> None:
    depth = deepest = 0
    for m in _BLOCK_TAG.finditer(markup):
        depth = max(0, depth - 1) if m.group(1) else depth + 1
        deepest = max(deepest, depth)
    if deepest > MAX_BLOCK_NESTING:
        from ingest.cage import too_complex

        raise too_complex(f"This HTML nests blocks {deepest} deep (at most {MAX_BLOCK_NESTING})")


def _walk(root, headings: list[tuple[int, str]]) -> str:  # type: ignore[no-untyped-def]
    """The text of the node, one line per block; headings (level, text) are noted in `headings`."""
    out: list[str] = []
    stack: list[object] = [root]
    markers: dict[int, str] = {}  # list item -> its marker ('- ', '3. ')
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        node = item
        tag = node.tag  # type: ignore[attr-defined]
        if tag == "-text":
            out.append(_WS.sub(" ", node.text_content or ""))  # type: ignore[attr-defined]
            continue
        if tag in DROP or tag.startswith(("-", "!")) or tag == "_comment":
            continue
        if tag == "br":
            out.append("\n")
            continue
        if tag == "pre":  # preformatted: its line breaks are content (plain-text mail in HTML, code)
            out.append("\n" + (node.text(deep=True) or "").replace("\t", "    ") + "\n")  # type: ignore[attr-defined]
            continue
        rendered = table_text(node) if tag == "table" else None
        if rendered is not None:  # a data table: row by row; a layout table is walked as blocks
            out.append(f"{_BREAK}{rendered}{_BREAK}")
            continue
        if tag in SECTION:
            if tag != "p":
                headings.append((int(tag[1]), node.text(deep=True) or ""))  # type: ignore[attr-defined]
            out.append(_BREAK)
            stack.append(_BREAK)
        elif tag in BLOCK:
            out.append("\n")
            stack.append("\n")
            if tag in ("ul", "ol"):
                markers.update(list_markers(node))
            elif tag == "li":
                out.append(markers.get(node.mem_id, "- "))  # type: ignore[attr-defined]
        elif tag in CELL:
            stack.append("\t")
        elif tag == "img":
            alt = (node.attributes.get("alt") or "").strip()  # type: ignore[attr-defined]
            if alt:
                out.append(f" {alt} ")
            continue
        children = list(node.iter(include_text=True))  # type: ignore[attr-defined]
        stack.extend(reversed(children))
    raw = "".join(out)
    raw = _LINE_GAP.sub("\n", raw)  # nested blocks: one line break, not a staircase
    raw = _PARAGRAPH_GAP.sub("\n\n", raw)
    return clean_text(raw)


def extract_html(path: Path, mime: str) -> Extracted:
    data = path.read_bytes()
    if looks_binary(data):
        raise IngestError("ingest.corrupt", "This HTML file contains binary data.",
                          hint="Save the page again from a browser (as 'HTML only') and drop it again.")
    markup, encoding = decode_bytes(data, declared_charset(data))
    with wrap_errors("HTML"):
        title, page, lang = html_to_page(markup)
    return Extracted(kind="html", mime=mime, title=title[:300] or title_from_stem(path),
                     pages=[page], meta={"encoding": encoding, "lang": lang})
