"""The AI register (`belfort ai-register export`) and the figures of evaluations it reports."""

from appliance.ai_register.evaluations import latest_evaluations, record_evaluation
from appliance.ai_register.register import STANDARD, build_register
from appliance.ai_register.render import to_csv, to_markdown

__all__ = ["STANDARD", "build_register", "latest_evaluations", "record_evaluation", "to_csv", "to_markdown"]
