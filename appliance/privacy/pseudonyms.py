"""Pseudonymisation per collection: personal data in the text is replaced consistently ("Persoon 1",
"Rijksregisternummer 1", ...) before chunking, so the pseudonymised text is the only text indexed.
The mapping is stored encrypted (Fernet, key file in the data folder) and only an admin can read it
back, which is audited."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TypeVar

from sqlmodel import select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Collection, PseudonymMap, utcnow
from appliance.errors import Forbidden
from ingest.types import Page

SETTING = "pseudonymise"  # Collection.settings_json flag
log = logging.getLogger(__name__)
T = TypeVar("T")


def _key_file(app: Appliance) -> Path:
    return app.layout.pseudonym_key


def _fernet(app: Appliance):  # type: ignore[no-untyped-def]
    from cryptography.fernet import Fernet

    path = _key_file(app)
    if not path.exists():
        key = Fernet.generate_key()
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # back it up with the database
        with os.fdopen(fd, "wb") as fh:
            fh.write(key)
    return Fernet(path.read_bytes().strip())


def collection_pseudonymises(app: Appliance, collection: int | str) -> bool:
    """Whether the collection (by id, or by name as a queued job knows it) is set to pseudonymise."""
    with read_session(app.db) as s:
        if isinstance(collection, str):
            coll = s.exec(select(Collection).where(Collection.name == collection)).first()
        else:
            coll = s.get(Collection, collection)
    return bool(coll and (coll.settings_json or {}).get(SETTING))


def _decrypt(app: Appliance, row: PseudonymMap | None) -> dict[str, str]:
    if row is None or not row.ciphertext:
        return {}
    return dict(json.loads(_fernet(app).decrypt(row.ciphertext)))


def _load(app: Appliance, scope: str) -> dict[str, str]:
    with read_session(app.db) as s:
        return _decrypt(app, s.exec(select(PseudonymMap).where(PseudonymMap.scope == scope)).first())


def _extend(app: Appliance, scope: str, apply: Callable[[dict[str, str]], tuple[T, dict[str, str]]]) -> T:
    """Read, extend and save a scope's mapping in one write transaction: two ingests into one collection
    at once (the worker runs two threads) must not each number "Persoon 3" for another person, or lose
    the other's entries. `apply` only substitutes (detection runs before, outside the lock)."""
    with write_session(app.db) as s:
        row = s.exec(select(PseudonymMap).where(PseudonymMap.scope == scope)).first()
        known = _decrypt(app, row)
        result, mapping = apply(dict(known))
        if mapping != known:
            row = row or PseudonymMap(scope=scope)
            row.ciphertext = _fernet(app).encrypt(json.dumps(mapping, ensure_ascii=False).encode())
            row.updated_at = utcnow()
            s.add(row)
    return result


def pseudonymise_pages(app: Appliance, collection_id: int, pages: list[Page]) -> list[Page]:
    """The pages with personal data replaced, the collection's mapping extended and saved encrypted."""
    from appliance.privacy.caged import detect_pii_caged
    from appliance.privacy.pii import pseudonymise

    # Detection reads untrusted text: it runs caged (memory, CPU and time limits), as extraction does.
    found = detect_pii_caged(app, [page.text for page in pages])

    def apply(mapping: dict[str, str]) -> tuple[list[Page], dict[str, str]]:
        out = []
        for page, spans in zip(pages, found):
            text, mapping = pseudonymise(page.text, spans, mapping)
            out.append(Page(number=page.number, text=text))
        return out, mapping

    return _extend(app, f"collection:{collection_id}", apply)


_SEPARATORS = re.compile(r"[-_.+]+")


def pseudonymise_name(app: Appliance, collection_id: int, source_name: str) -> str:
    """A document's relative name with personal data replaced by the collection's pseudonyms, part
    by part ("ontslag-Hilde-Vermeersch.docx" -> "ontslag Persoon 1.docx"): a file name is shown as
    the title and in lists. The same name always gives the same result (one mapping per collection),
    so a new version of a file still finds its document. Parts without personal data stay as they are."""
    from appliance.privacy.pii import default_first_names, detect_pii, pseudonymise

    parts = PurePosixPath(source_name).parts
    found = []  # (part, spaced stem, suffix, spans), detected before the mapping is locked
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        stem, suffix = (PurePosixPath(part).stem, PurePosixPath(part).suffix) if last else (part, "")
        spaced = _SEPARATORS.sub(" ", stem).strip()
        found.append((part, spaced, suffix, detect_pii(spaced, ner=app.ner, first_names=default_first_names())))

    def apply(mapping: dict[str, str]) -> tuple[str, dict[str, str]]:
        out = []
        for part, spaced, suffix, spans in found:
            if spans:
                spaced, mapping = pseudonymise(spaced, spans, mapping)
                out.append(spaced + suffix)
            else:
                out.append(part)
        return "/".join(out), mapping

    return _extend(app, f"collection:{collection_id}", apply)


def shown_name(app: Appliance, collection_id: int, source_name: str) -> str:
    """A file's name as jobs and failed files show it. In a pseudonymised collection the name often
    names the citizen ("leefloon-Marieke-Vandenbroucke-....txt"): lists get the pseudonymised name,
    the same as the document's; the real name stays on disk (failed/ and its reason file) for IT."""
    if not collection_pseudonymises(app, collection_id):
        return source_name
    try:
        return pseudonymise_name(app, collection_id, source_name)
    except Exception:  # the name tagger failed: hide the name rather than lose the failure
        log.exception("a file name could not be pseudonymised; it is shown hidden")
        return "***" + PurePosixPath(source_name).suffix[:16]


def original_allowed(app: Appliance, who: Principal, collection_id: int) -> bool:
    """In a pseudonymised collection the original file holds the real names: only those who may
    reverse the pseudonyms (admins, as `reveal`) download it."""
    return who.is_admin or not collection_pseudonymises(app, collection_id)


def reveal(app: Appliance, who: Principal, collection_id: int) -> dict[str, str]:
    """pseudonym -> original value; admins only (the role that may reverse it), and audited."""
    if not who.is_admin:
        raise Forbidden("pseudonyms.forbidden", "only an administrator can reverse pseudonyms",
                        hint="ask the data protection officer")
    mapping = _load(app, f"collection:{collection_id}")
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=who.username, action="pseudonyms.revealed", target=f"collection:{collection_id}",
                         detail={"entries": len(mapping)}))
    return {pseudo: original for original, pseudo in mapping.items()}


def all_maps(app: Appliance) -> list[tuple[int, str, dict[str, str]]]:
    """(row id, scope, normalised value -> pseudonym) of every map, decrypted: for data-subject requests
    (appliance.governance), which audit their own reads."""
    with read_session(app.db) as s:
        rows = list(s.exec(select(PseudonymMap)).all())
    return [(int(r.id or 0), r.scope, _decrypt(app, r)) for r in rows]


def forget_values(app: Appliance, scope: str, keys: set[str]) -> int:
    """Drop entries (by normalised value) from a scope's map (art. 17): the pseudonymised text stays,
    the way back to the person goes. Returns how many went."""
    def apply(mapping: dict[str, str]) -> tuple[int, dict[str, str]]:
        kept = {k: v for k, v in mapping.items() if k not in keys}
        return len(mapping) - len(kept), kept

    return _extend(app, scope, apply)
