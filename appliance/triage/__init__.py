"""The triage feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.triage.classifier import ZERO_SHOT_MIN_CONFIDENCE
from appliance.triage.decisions import accept_suggestion, route_item
from appliance.triage.editor import (
    CategoryInUse,
    add_category,
    check_removals,
    export_yaml,
    import_yaml,
    remove_category,
    save_department,
    update_category,
    waiting_items,
)
from appliance.triage.features import Tfidf, embed_items
from appliance.triage.forms import MAX_FIELDS, FormSubmission, submit_form
from appliance.triage.imap import poll_mailbox, watch_mailbox
from appliance.triage.intake import receive as receive_message
from appliance.triage.intake import receive_file
from appliance.triage.learning import (
    keep_training_rows,
    last_retrain,
    model_history,
    retrain,
    rollback,
    unused_label_count,
)
from appliance.triage.missing import approve_and_send, field_label, may_answer, request_language
from appliance.triage.missing import assess as assess_missing
from appliance.triage.model import TrainParams, train_auto
from appliance.triage.queue import STATES as ITEM_STATES
from appliance.triage.queue import (
    TRIAGE_GROUP,
    close_item,
    department_items,
    get_item,
    items_in_state,
    list_items,
    may_triage,
    require_triage,
    send_reminders,
)
from appliance.triage.routing import export_csv
from appliance.triage.stats import compute as triage_stats
from appliance.triage.store import (
    ModelStore,
    active_taxonomy,
    import_taxonomy,
    load_classifier,
    models_root,
    taxonomy_path,
)
from appliance.triage.taxonomy import Taxonomy, load_taxonomy
from appliance.triage.zero_shot import ZeroShotModel

__all__ = [
    "ITEM_STATES",
    "MAX_FIELDS",
    "TRIAGE_GROUP",
    "ZERO_SHOT_MIN_CONFIDENCE",
    "CategoryInUse",
    "FormSubmission",
    "ModelStore",
    "Taxonomy",
    "Tfidf",
    "TrainParams",
    "ZeroShotModel",
    "accept_suggestion",
    "active_taxonomy",
    "add_category",
    "approve_and_send",
    "assess_missing",
    "check_removals",
    "close_item",
    "department_items",
    "embed_items",
    "export_csv",
    "export_yaml",
    "field_label",
    "get_item",
    "import_taxonomy",
    "import_yaml",
    "items_in_state",
    "keep_training_rows",
    "last_retrain",
    "list_items",
    "load_classifier",
    "load_taxonomy",
    "may_answer",
    "may_triage",
    "model_history",
    "models_root",
    "poll_mailbox",
    "receive_file",
    "receive_message",
    "remove_category",
    "request_language",
    "require_triage",
    "retrain",
    "rollback",
    "route_item",
    "save_department",
    "send_reminders",
    "submit_form",
    "taxonomy_path",
    "train_auto",
    "triage_stats",
    "unused_label_count",
    "update_category",
    "waiting_items",
    "watch_mailbox",
]
