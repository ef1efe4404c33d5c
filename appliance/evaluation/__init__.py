"""The evaluation feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.evaluation.answers import run_answers_eval
from appliance.evaluation.asr import evaluate_asr
from appliance.evaluation.council import council_cases
from appliance.evaluation.embed_cache import CachedEmbedder
from appliance.evaluation.minutes import run_minutes_eval
from appliance.evaluation.ocr import evaluate_ocr
from appliance.evaluation.pii import evaluate_pii
from appliance.evaluation.pii_spans import LabelledText, SpanScores, read_labelled, span_detector
from appliance.evaluation.retrieval import run_retrieval_eval
from appliance.evaluation.triage import labelled as labelled_triage_rows
from appliance.evaluation.triage import read_rows as read_triage_rows
from appliance.evaluation.triage import run as run_triage_eval

__all__ = [
    "CachedEmbedder",
    "LabelledText",
    "SpanScores",
    "council_cases",
    "evaluate_asr",
    "evaluate_ocr",
    "evaluate_pii",
    "labelled_triage_rows",
    "read_labelled",
    "read_triage_rows",
    "run_answers_eval",
    "run_minutes_eval",
    "run_retrieval_eval",
    "run_triage_eval",
    "span_detector",
]
