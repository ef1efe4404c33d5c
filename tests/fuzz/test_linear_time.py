"""Found by the fuzz suite: patterns and parsers over untrusted text that took super-linear time.

Each test reproduces the attack on its own (the corpus and the properties find them too) and
asserts a bound that the fixed code meets with a wide margin on shared CI cores.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from ingest.types import IngestError
from tests.fuzz import hostile_media as hm
from tests.fuzz.support import hang_guard


def test_a_file_of_html_comments_is_detected_in_linear_time(tmp_path: Path) -> None:
    """`(<!--.*?-->\\s*)*` backtracked exponentially: 22 empty comments 0.6 s, 40 of them hours."""
    from ingest.detect import detect

    path = tmp_path / "pagina"
    path.write_bytes(b"<!---->" * 1000 + b"<zz>")
    with hang_guard(1) as took:
        kind, _ = detect(path)
    assert took["seconds"] < 0.2
    assert kind == "text"  # comments, then no HTML tag: plain text
    path.write_bytes(b"<!-- kop -->\n" * 500 + b"<html><p>Nieuws</p>")
    assert detect(path)[0] == "html"


def test_whitespace_between_inline_elements_is_collapsed_in_linear_time() -> None:
    """`[ \\t]*\\n\\s*` retried from every space of a run: 80,000 spaces took 12 s."""
    from ingest.extract.html import html_to_text

    with hang_guard(5) as took:
        _, text, _ = html_to_text("<p>begin" + "<span> </span>" * 100_000 + "einde</p><p>volgende</p>")
    assert took["seconds"] < 2
    assert text.startswith("begin") and text.endswith("einde\n\nvolgende")


def test_deeply_nested_blocks_are_refused_before_the_parser_runs() -> None:
    """An HTML parser checks the stack of open elements for every block start: 100,000 nested
    <div> (1.1 MB) cost 30-50 s of CPU. Such a page fails by name instead, at once."""
    from ingest.extract.html import html_to_text

    with hang_guard(5) as took, pytest.raises(IngestError) as err:
        html_to_text(hm.html_deep(100_000).decode())
    assert err.value.code == "ingest.too_complex" and err.value.hint
    assert took["seconds"] < 1
    _, text, _ = html_to_text("<div>" * 200 + "diep maar redelijk" + "</div>" * 200)
    assert text == "diep maar redelijk"


def test_a_long_display_name_does_not_stall_spoof_checks() -> None:
    """`[\\w.+-]+@` over a display name without '@' was quadratic: 40,000 letters took 5 s."""
    from appliance.triage.mail import spoof_signals

    message = EmailMessage()
    message["From"] = "x@belfort.example"
    with hang_guard(5) as took:
        spoof_signals(message, "x@belfort.example", "a" * 200_000)
        spoof_signals(message, "x@belfort.example", "a." * 100_000)
    assert took["seconds"] < 1
    shown = spoof_signals(message, "x@belfort.example", "Burgemeester jan.peeters@belfort.be")
    assert "address_in_display_name" in shown
