"""Pure pieces of issue 13: SID text, nested-group closure with loops, the NTFS DACL parser, and the
FTS scope expression for document readers (run against a real FTS5 table in memory)."""

from __future__ import annotations

import sqlite3
import struct

import pytest

from appliance.access.ldap import DirectoryGroupEntry, memberships, norm_dn, sid_text
from appliance.index.acl import ReadScope, scope_match, scope_text
from appliance.shares.smb import parse_dacl


def _sid(text: str) -> bytes:
    parts = [int(p) for p in text.split("-")[1:]]
    return bytes([parts[0], len(parts) - 2]) + parts[1].to_bytes(6, "big") + b"".join(struct.pack("<I", p) for p in parts[2:])


def _sd(aces: list[tuple[int, int, int, str]], dacl: bool = True) -> bytes:
    blobs = [bytes([kind, flags]) + struct.pack("<HI", 8 + len(_sid(s)), mask) + _sid(s) for kind, flags, mask, s in aces]
    body = b"".join(blobs)
    acl = bytes([2, 0]) + struct.pack("<HHH", 8 + len(body), len(aces), 0) + body
    control = 0x8000 | (0x0004 if dacl else 0)
    return bytes([1, 0]) + struct.pack("<HIIII", control, 0, 0, 0, 20 if dacl else 0) + (acl if dacl else b"")


def test_sid_text_reads_binary_and_text_sids() -> None:
    assert sid_text(_sid("S-1-5-21-1000-2000-3000-1105")) == "S-1-5-21-1000-2000-3000-1105"
    assert sid_text([b"S-1-5-32-544"]) == "" and sid_text("S-1-1-0") == "S-1-1-0"
    assert sid_text(b"\x01\x05") == ""  # truncated: no SID rather than garbage


def test_nested_groups_resolve_through_loops_and_long_chains() -> None:
    g = [DirectoryGroupEntry("cn=A,ou=g", "A", "", frozenset({norm_dn("cn=B,ou=g"), "cn=u1,ou=p"})),
         DirectoryGroupEntry("cn=B,ou=g", "B", "", frozenset({norm_dn("cn=A,ou=g")})),
         DirectoryGroupEntry("cn=C,ou=g", "C", "", frozenset({norm_dn("cn=A,ou=g")}))]
    chain = [DirectoryGroupEntry(f"cn=L{i},ou=g", f"L{i}", "", frozenset({norm_dn(f"cn=L{i - 1},ou=g") if i else "cn=u2,ou=p"}))
             for i in range(3000)]
    up = memberships(g + chain)
    assert up["cn=u1,ou=p"] == {"cn=a,ou=g", "cn=b,ou=g", "cn=c,ou=g"}
    assert len(up["cn=u2,ou=p"]) == 3000


def test_dacl_parser_keeps_read_entries_for_the_file_itself() -> None:
    aces = [(1, 0, 0x120089, "S-1-5-21-1-2-3-2004"), (0, 0, 0x120089, "S-1-5-21-1-2-3-2001"),
            (0, 0x08, 0x120089, "S-1-5-21-1-2-3-2002"),  # inherit-only: not for this file
            (0, 0, 0x00100000, "S-1-5-21-1-2-3-2003")]  # SYNCHRONIZE only: does not read
    parsed = parse_dacl(_sd(aces))
    assert parsed is not None
    assert [(a.deny, a.sid, a.reads) for a in parsed] == [
        (True, "S-1-5-21-1-2-3-2004", True), (False, "S-1-5-21-1-2-3-2001", True), (False, "S-1-5-21-1-2-3-2003", False)]
    assert parse_dacl(_sd([], dacl=False)) is None  # a null DACL lets everyone in
    assert parse_dacl(_sd([])) == []  # an empty DACL lets nobody in
    with pytest.raises(ValueError):
        parse_dacl(b"\x01\x00")


def test_scope_expression_filters_inside_the_match() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, scope)")
    rows = {1: scope_text(1, None), 2: scope_text(1, [("g5", False)]), 3: scope_text(1, [("g5", False), ("g7", True)]),
            4: scope_text(2, None), 5: scope_text(1, [("a0", False), ("g7", True)]), 6: scope_text(1, [])}
    db.executemany("INSERT INTO t (rowid, terms, scope) VALUES (?, 'sporthal', ?)", rows.items())

    def found(scope: ReadScope) -> set[int]:
        return {r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (f"terms : sporthal AND {scope_match(scope)}",))}

    assert found(ReadScope((1,), ("a0", "u1", "g5"))) == {1, 2, 3, 5}
    assert found(ReadScope((1,), ("a0", "u1", "g5", "g7"))) == {1, 2}  # deny wins
    assert found(ReadScope((1,), ("a0", "u2"))) == {1, 5}
    assert found(ReadScope((1, 2), None)) == {1, 2, 3, 4, 5, 6}  # admins
    assert found(ReadScope((1,), ("a0", *(f"g{i}" for i in range(2000))))) == {1, 2}  # a user in 2,000 groups
    assert found(ReadScope((2,), ("a0", "g5"))) == {4}
    with pytest.raises(ValueError):
        ReadScope((1,), ('g1" OR "c2',))  # keys are validated: never FTS syntax
