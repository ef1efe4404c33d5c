"""Mail: body text, HTML-only bodies, attachments as children (a corrupt one included), MSG."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from ingest.extract import extract
from ingest.extract.mail import extracted_from_msg, safe_attachment_name
from ingest.types import IngestError
from tests import filefactory as ff
from tests.filefactory_raw import pdf_bytes


def test_eml_body_meta_and_attachments(tmp_path: Path) -> None:
    agenda = pdf_bytes(["Agenda van de gemeenteraad."])
    path = ff.make_eml(tmp_path / "uitnodiging.eml", "Uitnodiging: raad van 13 mei", "Beste raadsleden,\n\nTot maandag.",
                       [("agenda.pdf", agenda), ("kapot.pdf", b"%PDF-1.4 garbage")])
    result = extract(path)
    assert result.kind == "eml" and result.title == "Uitnodiging: raad van 13 mei"
    assert result.pages[0].text == "Beste raadsleden,\n\nTot maandag."
    assert result.meta["sender"] == "Zoë Peeters <zoe.peeters@belfort.example>"
    assert result.meta["date"] == "2024-05-13T09:30:00+00:00"
    assert [(c.name, c.data) for c in result.children] == [("agenda.pdf", agenda), ("kapot.pdf", b"%PDF-1.4 garbage")]


def test_corrupt_attachment_does_not_fail_the_mail_but_fails_on_its_own(tmp_path: Path) -> None:
    path = ff.make_eml(tmp_path / "m.eml", attachments=[("kapot.pdf", b"%PDF-1.4\n\x00\x01garbage")])
    result = extract(path)
    assert result.kind == "eml"
    child = tmp_path / result.children[0].name
    child.write_bytes(result.children[0].data)
    with pytest.raises(IngestError) as err:
        extract(child)
    assert err.value.code == "ingest.corrupt"


def test_html_only_mail_becomes_text_without_remote_content(tmp_path: Path) -> None:
    html = ("<html><body><p>Geachte,</p><p>De <b>vergadering</b> is verplaatst.</p>"
            "<img src='https://tracker.invalid/pixel.gif'><script>alert(1)</script></body></html>")
    result = extract(ff.make_eml(tmp_path / "html.eml", "Verplaatst", "", html_body=html))
    assert result.pages[0].text == "Geachte,\n\nDe vergadering is verplaatst."
    assert result.children == []


def test_plain_part_preferred_over_html_alternative(tmp_path: Path) -> None:
    result = extract(ff.make_eml(tmp_path / "alt.eml", "Alt", "Platte tekst.", html_body="<p>HTML tekst.</p>"))
    assert result.pages[0].text == "Platte tekst."
    assert result.children == []  # the HTML alternative is not an attachment


def test_forwarded_mail_is_a_child(tmp_path: Path) -> None:
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    inner_bytes = ff.eml_bytes("Oorspronkelijk bericht", "Binnenste tekst.", [("binnen.txt", b"binnenste bijlage")])
    inner = message_from_bytes(inner_bytes, policy=policy.default)
    outer = EmailMessage()
    outer["Subject"] = "Fwd: Oorspronkelijk bericht"
    outer["From"] = "a@belfort.example"
    outer.set_content("Zie hieronder.")
    outer.add_attachment(inner)
    result = extract(ff._write(tmp_path / "fwd.eml", outer.as_bytes()))
    assert len(result.children) == 1  # the inner attachment travels inside the forwarded mail
    child = ff._write(tmp_path / result.children[0].name, result.children[0].data)
    assert child.suffix == ".eml"
    forwarded = extract(child)
    assert forwarded.pages[0].text == "Binnenste tekst."
    assert [(c.name, c.data) for c in forwarded.children] == [("binnen.txt", b"binnenste bijlage")]


def test_mail_with_unknown_charset_label_still_decodes(tmp_path: Path) -> None:
    raw = (b"From: a@belfort.example\r\nSubject: Test\r\nContent-Type: text/plain; charset=x-onbekend\r\n\r\n"
           b"R\xe8glement caf\xe9\r\n")
    result = extract(ff._write(tmp_path / "vreemd.eml", raw))
    assert result.pages[0].text == "Règlement café"


def test_binary_eml_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        extract(ff._write(tmp_path / "kapot.eml", b"\x00\x01\x02" * 100))
    assert err.value.code == "ingest.corrupt"


def test_attachment_names_are_made_safe() -> None:
    assert safe_attachment_name("../../etc/passwd", 1) == "passwd"
    assert safe_attachment_name("C:\\Users\\zoe\\nota.docx", 1) == "nota.docx"
    assert safe_attachment_name("", 3, "application/pdf") == "attachment-3.pdf"
    assert safe_attachment_name("Zoe\u0301\x00.txt", 1) == "Zoé.txt"


def test_msg_with_attachment(tmp_path: Path) -> None:
    path = ff.make_msg(tmp_path / "bericht.msg", "Vraag over de fietsenstalling", "Beste,\r\nKan dit één keer?",
                       attachments=[("nota é.txt", b"Nota voor het college.")])
    result = extract(path)
    assert result.kind == "msg" and result.title == "Vraag over de fietsenstalling"
    assert result.pages[0].text == "Beste,\nKan dit één keer?"
    assert result.meta["date"].startswith("2024-05-13T09:30")
    assert [(c.name, c.data) for c in result.children] == [("nota é.txt", b"Nota voor het college.")]


def test_corrupt_msg(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        extract(ff._write(tmp_path / "kapot.msg", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 600))
    assert err.value.code == "ingest.corrupt"


class _Msg:
    """What extract-msg hands us for an HTML-only message (no fixture writer sets an HTML body)."""

    subject = "Alleen HTML"
    sender = "b@belfort.example"
    to = "c@belfort.example"
    date = None
    body = ""
    htmlBody = b"<p>Hallo <i>raad</i></p>"

    class _Web:
        data = None
        longFilename = "link.url"

    attachments: ClassVar[list[object]] = [_Web()]


def test_msg_html_only_body_and_attachment_without_bytes() -> None:
    result = extracted_from_msg(_Msg(), Path("x.msg"))
    assert result.pages[0].text == "Hallo raad"
    assert result.children == [] and result.meta["attachments_skipped"] == 1


def test_msg_with_forwarded_outlook_item_becomes_a_msg_child(tmp_path: Path) -> None:
    path = ff.make_msg(tmp_path / "fwd.msg", attachments=[("a.txt", b"abc")],
                       embedded=[("Doorgestuurd: vraag", "Binnenste bericht.")])
    result = extract(path)
    assert [c.name for c in result.children] == ["a.txt", "Doorgestuurd_ vraag.msg"]
    child = ff._write(tmp_path / "child.msg", result.children[1].data)
    inner = extract(child)
    assert inner.kind == "msg" and inner.title == "Doorgestuurd: vraag" and inner.text == "Binnenste bericht."


def test_a_mail_with_too_many_attachments_is_too_complex_not_a_flood_of_jobs(tmp_path: Path) -> None:
    from ingest.extract.mail import MAX_ATTACHMENTS

    fine = ff.make_eml(tmp_path / "ok.eml", attachments=[(f"a{i}.txt", b"x") for i in range(MAX_ATTACHMENTS)])
    assert len(extract(fine).children) == MAX_ATTACHMENTS
    flood = ff.make_eml(tmp_path / "flood.eml",
                        attachments=[(f"a{i}.txt", b"x") for i in range(MAX_ATTACHMENTS + 1)])
    with pytest.raises(IngestError) as err:
        extract(flood)
    assert err.value.code == "ingest.too_complex"


def test_an_outlook_message_with_too_many_attachments_is_too_complex() -> None:
    from ingest.extract.mail import MAX_ATTACHMENTS

    class Att:
        def __init__(self, i: int) -> None:
            self.data, self.longFilename = b"x", f"a{i}.txt"

    class Msg:
        body, subject, sender, to, date, htmlBody = "tekst", "veel", "a@b.be", "", None, None
        attachments: ClassVar[list[Att]] = [Att(i) for i in range(MAX_ATTACHMENTS + 1)]

    with pytest.raises(IngestError) as err:
        extracted_from_msg(Msg(), Path("veel.msg"))
    assert err.value.code == "ingest.too_complex"
