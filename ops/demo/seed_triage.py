"""Demo triage: the example taxonomy, the group `triage`, and a handful of fictional citizen mails.

The mails (ops/demo/corpus-triage/*.eml, written for this project) go through the real intake
(`receive_file`, as if dropped in <data>/inbox/_triage/), so they are stored, classified zero-shot and
decided like any incoming mail. Zero-shot routes only near-certain items: most wait in the queue,
which is what the demo is meant to show. Safe to run again: intake recognises a mail by Message-ID.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.db.engine import read_session
from appliance.db.tables import Group, User, UserGroup
from appliance.triage import TRIAGE_GROUP

if TYPE_CHECKING:
    from appliance.context import Appliance

HERE = Path(__file__).resolve().parent
TRIAGE_CORPUS = HERE / "corpus-triage"
TAXONOMY = HERE.parent.parent / "docs" / "examples" / "taxonomy-gemeente.yaml"


def ensure_taxonomy(app: Appliance, log: Callable[[str], None]) -> bool:
    """Import the example taxonomy when none is active (an admin's own taxonomy is never replaced)."""
    from appliance.triage import import_taxonomy, taxonomy_path

    if taxonomy_path(app.settings).exists():
        return False
    if not TAXONOMY.is_file():  # an install without the repository's docs/: mail waits untriaged
        log(f"demo: no triage taxonomy imported ({TAXONOMY.name} not found); see /admin/triage")
        return False
    taxonomy = import_taxonomy(app.settings, TAXONOMY)
    log(f"demo: triage taxonomy imported ({len(taxonomy.categories)} categories)")
    return True


def ensure_triage_group(app: Appliance, users: list[tuple[str, str, tuple[str, ...], str]]) -> list[str]:
    """Existing demo users listed with the group `triage` (a box seeded before triage existed) join it
    once: only while the group does not exist yet, so an admin's later removal is never undone."""
    from appliance.access import update_user

    with read_session(app.db) as s:
        if s.exec(select(Group.id).where(Group.name == TRIAGE_GROUP)).first() is not None:
            return []
        current: dict[str, list[str]] = {}
        for username, group in s.exec(select(User.username, Group.name)
                                      .join(UserGroup, UserGroup.user_id == User.id)  # type: ignore[arg-type]
                                      .join(Group, Group.id == UserGroup.group_id)).all():  # type: ignore[arg-type]
            current.setdefault(username, []).append(group)
        existing = set(s.exec(select(User.username)).all())
    added = []
    for username, _role, groups, _display in users:
        if TRIAGE_GROUP in groups and username in existing:
            update_user(app, username, groups=sorted(set(current.get(username, [])) | {TRIAGE_GROUP}),
                        actor="demo-seed")
            added.append(username)
    return added


def seed_triage_mail(app: Appliance, log: Callable[[str], None]) -> Counter[str]:
    """Each demo mail through intake; returns the items' states and reasons (e.g. queued, routed)."""
    from appliance.triage import receive_file

    staging = app.layout.staging / "demo-triage"
    staging.mkdir(parents=True, exist_ok=True)
    states: Counter[str] = Counter()
    failed = 0
    try:
        for src in sorted(TRIAGE_CORPUS.glob("*.eml")):
            copy = staging / src.name  # receive_file removes what it took in: never the corpus itself
            shutil.copyfile(src, copy)
            item_id = receive_file(app, copy)
            if item_id is None:
                failed += 1
                continue
            states[_state_of(app, item_id)] += 1
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"demo: {sum(states.values())} citizen mails in triage "
        f"({', '.join(f'{n} {s}' for s, n in sorted(states.items())) or 'none'})"
        + (f"; {failed} FAILED (see failed/)" if failed else ""))
    return states


def _state_of(app: Appliance, item_id: int) -> str:
    from appliance.db.tables import TriageItem

    with read_session(app.db) as s:
        item = s.get(TriageItem, item_id)
    return item.state if item is not None else "missing"


def seed_triage(app: Appliance, log: Callable[[str], None]) -> Counter[str]:
    """The taxonomy (when none is active), then the demo mails through intake."""
    ensure_taxonomy(app, log)
    return seed_triage_mail(app, log)
