"""`belfort triage ...`: import the taxonomy, classify a text, train from labelled rows, roll back."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from appliance.evaluation import labelled_triage_rows as labelled
from appliance.evaluation import read_triage_rows as read_rows
from appliance.triage import (
    ModelStore,
    check_removals,
    import_taxonomy,
    keep_training_rows,
    load_classifier,
    load_taxonomy,
    models_root,
    train_auto,
)
from ops.commands._common import appliance_from


def _import(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    check_removals(app, load_taxonomy(Path(args.file)))  # no item may be left in a removed category
    taxonomy = import_taxonomy(app.settings, Path(args.file))
    human = [c.key for c in taxonomy.categories if c.human_only]
    print(
        f"taxonomy imported: {len(taxonomy.categories)} categories"
        + (f"; never auto-routed: {', '.join(human)}" if human else "")
    )
    return 0


def _classify(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    decision = load_classifier(app.settings, app.embedder).classify(args.text)
    if args.json:
        print(json.dumps(decision.as_dict(), ensure_ascii=False))
        return 0
    where = decision.route or f"human queue ({decision.reason})"
    print(
        f"{where}: suggestion {decision.suggestion} at {decision.confidence:.2f} "
        f"(threshold {decision.threshold:.2f}, model {decision.model_kind} {decision.model_version})"
    )
    if decision.urgent:
        print("urgent: " + ", ".join(decision.urgency_terms))
    return 0


def _train(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    texts, labels = labelled(read_rows(Path(args.file)), args.text, args.label)
    model, _selection = train_auto(app.embedder, texts, labels)
    version = ModelStore(models_root(app.settings)).save(model)
    keep_training_rows(app.settings, texts, labels)  # retrains from queue corrections build on these rows
    print(
        f"model {version} active: {model.n_train} rows, {len(model.labels)} categories, "
        f"cross-validated macro-F1 {model.cv_macro_f1:.3f}"
    )
    return 0


def _rollback(args: argparse.Namespace) -> int:
    app = appliance_from(args)
    print("active model: " + ModelStore(models_root(app.settings)).rollback())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("triage", help="triage of incoming items: taxonomy, classify, train, rollback")
    cmds = parser.add_subparsers(dest="triage_command", metavar="ACTION", required=True)
    p = cmds.add_parser("import-taxonomy", help="validate a taxonomy YAML file and make it active")
    p.add_argument("file")
    p.set_defaults(func=_import)
    p = cmds.add_parser("classify", help="classify one text with the active model (zero-shot without one)")
    p.add_argument("text")
    p.add_argument("--json", action="store_true", help="print the decision as one JSON object")
    p.set_defaults(func=_classify)
    p = cmds.add_parser("train", help="train a new model version from labelled rows (JSONL or CSV)")
    p.add_argument("file")
    p.add_argument("--text", required=True, help="field holding the item's text")
    p.add_argument("--label", required=True, help="field holding the category key")
    p.set_defaults(func=_train)
    p = cmds.add_parser("rollback", help="make the previous model version active again")
    p.set_defaults(func=_rollback)
    from ops.commands.triage_intake import register_intake

    register_intake(cmds)  # poll, deliver, export, outbox, retry, receive
