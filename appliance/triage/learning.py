"""Learning from the queue: a person's category becomes a label, labels retrain the model.

A correction (or an accepted suggestion) is stored as a `TriageLabel` and the item is routed through
`triage.routing.route`, the one function that routes. Retraining runs in the job queue: its rows are
the imported training file kept by `belfort triage train`, every item's latest person label, and one
seed row per category (its description and examples) so that a category nobody has corrected yet is
still known to the model. The new model is saved as a new version; the previous one stays for rollback.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, JobOutcome, TriageItem, TriageLabel
from appliance.errors import BelfortError, NotFound
from appliance.settings import Settings
from appliance.storage.files import atomic_writer
from appliance.storage.layout import DataLayout
from appliance.triage.classifier import item_text
from appliance.triage.model import TrainParams, train_auto
from appliance.triage.routing import route
from appliance.triage.store import ModelStore, active_taxonomy, models_root
from appliance.triage.taxonomy import Taxonomy

log = logging.getLogger(__name__)

# A category needs this many person-made rows (labels + imported rows) before a retrain trusts them;
# a model trained on one or two examples per category is worse than the zero-shot scorer it replaces.
MIN_ROWS_PER_CATEGORY = 3
MIN_CATEGORIES = 2
MAX_TEXT_CHARS = 4000


# --- the imported training file, kept so that a retrain never forgets it --------------------


def training_file(settings: Settings) -> Path:
    return DataLayout.of(settings).triage_training


def keep_training_rows(settings: Settings, texts: Sequence[str], labels: Sequence[str]) -> Path:
    """Store the rows `belfort triage train` learnt from (replacing earlier ones, atomically)."""
    path = training_file(settings)
    with atomic_writer(path) as fh:
        for text, label in zip(texts, labels):
            fh.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    return path


def imported_rows(settings: Settings) -> list[tuple[str, str]]:
    path = training_file(settings)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((str(row["text"]), str(row["label"])))
    return rows


# --- corrections ------------------------------------------------------------------------------


def record_correction(app: Appliance, who: Principal | str, item_id: int, category: str) -> TriageLabel:
    """Store a person's category for an item as a label, then route the item there.

    Accepting the suggestion is the same call with the suggested category: a confirmed label."""
    username = who if isinstance(who, str) else who.username
    taxonomy = active_taxonomy(app.settings)
    if taxonomy.get(category) is None:
        raise BelfortError(
            "triage.unknown_category",
            f"there is no category '{category}' in the active taxonomy",
            hint="choose one of: " + ", ".join(taxonomy.keys),
            status=409,  # well-formed, but not in the taxonomy as it is now (admins edit it at run time)
        )
    with write_session(app.db) as s:
        item = s.get(TriageItem, item_id)
        if item is None:
            raise NotFound("triage.not_found", f"no triage item {item_id}")
        label = TriageLabel(item_id=item_id, category=category, previous=item.suggested, by=username)
        s.add(label)
        s.add(AuditEvent(actor=username, action="triage.labelled", target=f"triage:{item_id}", detail={
            "category": category, "suggestion": item.suggested, "confidence": round(item.confidence, 4),
            "model_version": item.model_version, "accepted": category == item.suggested,
        }))
        s.flush()
    route(app, item_id, category, by=username)
    return label


def latest_labels(app: Appliance) -> list[tuple[TriageLabel, TriageItem]]:
    """Every labelled item once, with its newest label (a second correction overrides the first)."""
    with read_session(app.db) as s:
        rows = s.exec(
            select(TriageLabel, TriageItem)
            .join(TriageItem, col(TriageItem.id) == col(TriageLabel.item_id))
            .order_by(col(TriageLabel.id))
        ).all()
    newest: dict[int, tuple[TriageLabel, TriageItem]] = {}
    for label, item in rows:
        newest[label.item_id] = (label, item)
    return list(newest.values())


# --- retraining -------------------------------------------------------------------------------


@dataclass
class RetrainResult:
    version: str | None  # the new active version, None when skipped
    previous: str | None
    reason: str = ""  # why it was skipped ("" when trained)
    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # person-made rows per category
    cv_macro_f1: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "previous": self.previous, "reason": self.reason,
                "rows": self.rows, "counts": self.counts, "cv_macro_f1": round(self.cv_macro_f1, 4)}


def seed_rows(taxonomy: Taxonomy) -> list[tuple[str, str]]:
    return [(text, c.key) for c in taxonomy.categories for text in (c.profile_text(), *c.examples)]


def training_rows(app: Appliance, taxonomy: Taxonomy) -> tuple[list[tuple[str, str]], Counter[str]]:
    """(rows, person-made rows per category); only categories of the active taxonomy are kept."""
    known = set(taxonomy.keys)
    person = [(t, lab) for t, lab in imported_rows(app.settings) if lab in known]
    person += [(item_text(item)[:MAX_TEXT_CHARS], label.category) for label, item in latest_labels(app)
               if label.category in known]
    counts = Counter(lab for _, lab in person)
    return person + seed_rows(taxonomy), counts


def retrain(app: Appliance, *, candidates: Sequence[TrainParams] | None = None,
            actor: str = "system") -> RetrainResult:
    """Train a new model version from the labelled history; skip (with the reason) when too thin."""
    taxonomy = active_taxonomy(app.settings)
    store = ModelStore(models_root(app.settings))
    previous = store.active_version()
    rows, counts = training_rows(app, taxonomy)
    enough = sorted(k for k, n in counts.items() if n >= MIN_ROWS_PER_CATEGORY)
    if len(enough) < MIN_CATEGORIES:
        reason = (f"too few labels: {MIN_CATEGORIES} categories need {MIN_ROWS_PER_CATEGORY} labelled "
                  f"items each; now {dict(sorted(counts.items())) or 'none'}")
        _audit(app, actor, "triage.retrain_skipped", {"reason": reason, "previous": previous})
        return RetrainResult(None, previous, reason, len(rows), dict(counts))
    texts, labels = [t for t, _ in rows], [lab for _, lab in rows]
    model, _selection = train_auto(app.embedder, texts, labels, candidates)
    version = store.save(model)
    with write_session(app.db) as s:
        for label in s.exec(select(TriageLabel).where(TriageLabel.used_in_version == "")).all():
            label.used_in_version = version
            s.add(label)
    result = RetrainResult(version, previous, "", len(rows), dict(counts), model.cv_macro_f1)
    _audit(app, actor, "triage.retrained", {**result.as_dict(), "embedder": model.embedder_id})
    log.info("triage model %s trained on %d rows (previous %s)", version, len(rows), previous)
    return result


def rollback(app: Appliance, who: Principal) -> str:
    """Make the previous model active again (admin console button and CLI share this)."""
    store = ModelStore(models_root(app.settings))
    dropped = store.active_version()
    active = store.rollback()
    _audit(app, who.username, "triage.rolled_back", {"dropped": dropped, "active": active})
    return active


def model_history(app: Appliance) -> list[dict[str, Any]]:
    """Active version first: version, rows, categories, cross-validated macro-F1, created."""
    store = ModelStore(models_root(app.settings))
    out = []
    for version in store.versions():
        try:
            meta = json.loads((store.root / version / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        out.append({"version": version, "rows": meta.get("n_train", 0),
                    "categories": len(meta.get("labels", [])),
                    "cv_macro_f1": round(float(meta.get("cv_macro_f1", 0.0)), 3),
                    "created": float(meta.get("created", 0.0))})
    return out


def last_retrain(app: Appliance) -> JobOutcome | None:
    """The newest retrain job: the admin console says whether it ran, and why it was skipped."""
    with read_session(app.db) as s:
        return s.exec(select(JobOutcome).where(JobOutcome.kind == "triage_retrain")
                      .order_by(col(JobOutcome.id).desc()).limit(1)).first()


def unused_label_count(app: Appliance) -> int:
    with read_session(app.db) as s:
        return len(s.exec(select(TriageLabel.id).where(TriageLabel.used_in_version == "")).all())


def _audit(app: Appliance, actor: str, action: str, detail: dict[str, Any]) -> None:
    with write_session(app.db) as s:
        s.add(AuditEvent(actor=actor, action=action, target="triage:model", detail=detail))
