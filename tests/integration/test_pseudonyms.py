"""A collection set to pseudonymise indexes only pseudonymised text; the mapping is encrypted and only
an admin can reverse it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import select

from appliance.db.engine import read_session, write_session
from appliance.db.tables import Chunk, Collection, PseudonymMap
from appliance.errors import Forbidden
from appliance.services.access import SYSTEM, Principal
from appliance.services.documents import ensure_collection, ingest_file
from appliance.services.pseudonyms import SETTING, reveal
from appliance.services.search import search
from tests.filefactory import make_text

NN = "85.07.30-033.28"
IBAN = "BE68 5390 0754 7034"


def test_only_pseudonymised_text_is_indexed(appliance, tmp_path: Path) -> None:
    coll = ensure_collection(appliance, "sociaal", groups=("ocmw",))
    with write_session(appliance.db) as s:
        row = s.get(Collection, coll.id)
        row.settings_json = {SETTING: True}
        s.add(row)
    make_text(tmp_path / "a.txt", f"Dossier van mevrouw Hilde Vermeersch, rijksregisternummer {NN}, rekening {IBAN}.")
    make_text(tmp_path / "b.txt", f"Opvolging: mevrouw Hilde Vermeersch belde over rekening {IBAN}.")
    assert ingest_file(appliance, tmp_path / "a.txt", "sociaal").state == "ingested"
    assert ingest_file(appliance, tmp_path / "b.txt", "sociaal").state == "ingested"

    with read_session(appliance.db) as s:
        texts = " ".join(c.text for c in s.exec(select(Chunk)).all())
        cipher = s.exec(select(PseudonymMap)).one().ciphertext
    for secret in ("Vermeersch", NN, IBAN):
        assert secret not in texts
        assert secret.encode() not in cipher  # encrypted at rest
    assert "Persoon 1" in texts and "Rijksregisternummer 1" in texts
    assert texts.count("Rekeningnummer 1") >= 2 and "Rekeningnummer 2" not in texts  # one pseudonym across documents
    assert search(appliance, SYSTEM, "Vermeersch", mode="keyword").hits == []

    staff = Principal(user_id=9, username="sam", role="staff")
    with pytest.raises(Forbidden):
        reveal(appliance, staff, coll.id)
    mapping = reveal(appliance, SYSTEM, coll.id)
    assert any("vermeersch" in original for original in mapping.values())
