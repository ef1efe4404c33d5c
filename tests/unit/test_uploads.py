"""Upload acceptance (appliance.documents.uploads): file names are kept readable but never paths."""

import pytest

from appliance.documents.uploads import sanitize_filename
from appliance.errors import BelfortError


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\Verslag raad.pdf", "Verslag raad.pdf"),
        (".htaccess", "htaccess"),
        ("Notulen – Café Zoe\u0301 ☕.txt", "Notulen – Café Zoé ☕.txt"),
        ("a\x00b:c*?.txt", "a_b_c_.txt"),
    ],
)
def test_sanitize_filename_keeps_names_readable_but_never_paths(name, expected):
    assert sanitize_filename(name) == expected


@pytest.mark.parametrize("name", ["", "..", "/", "   ", "../.."])
def test_unusable_names_are_refused(name):
    with pytest.raises(BelfortError) as exc:
        sanitize_filename(name)
    assert exc.value.code == "upload.bad_name"
