"""The privacy feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.privacy.addresses import places, street_addresses
from appliance.privacy.detection import MAX_PII_TEXT, find_in_text
from appliance.privacy.detection import detector as pii_detector
from appliance.privacy.name_data import NameLists, default_name_lists, load_name_lists
from appliance.privacy.pii import (
    ENTITY_TYPES,
    PSEUDONYM_LABELS,
    PiiSpan,
    budgeted_ner,
    default_first_names,
    detect_pii,
    load_first_names,
)
from appliance.privacy.pseudonyms import SETTING as PSEUDONYMISE_SETTING
from appliance.privacy.pseudonyms import all_maps as pseudonym_maps
from appliance.privacy.pseudonyms import (
    collection_pseudonymises,
    original_allowed,
    pseudonymise_name,
    pseudonymise_pages,
    shown_name,
)
from appliance.privacy.pseudonyms import forget_values as forget_pseudonyms
from appliance.privacy.pseudonyms import reveal as reveal_pseudonyms
from appliance.privacy.redaction import (
    Box,
    PageText,
    Proposal,
    as_pdf,
    boxes_for,
    export_redacted,
    page_texts,
    proposals_json,
)
from appliance.privacy.redaction import propose as propose_redactions
from appliance.privacy.rules import DETECTORS

__all__ = [
    "DETECTORS",
    "ENTITY_TYPES",
    "MAX_PII_TEXT",
    "PSEUDONYMISE_SETTING",
    "PSEUDONYM_LABELS",
    "Box",
    "NameLists",
    "PageText",
    "PiiSpan",
    "Proposal",
    "as_pdf",
    "boxes_for",
    "budgeted_ner",
    "collection_pseudonymises",
    "default_first_names",
    "default_name_lists",
    "detect_pii",
    "export_redacted",
    "find_in_text",
    "forget_pseudonyms",
    "load_first_names",
    "load_name_lists",
    "original_allowed",
    "page_texts",
    "pii_detector",
    "places",
    "proposals_json",
    "propose_redactions",
    "pseudonym_maps",
    "pseudonymise_name",
    "pseudonymise_pages",
    "reveal_pseudonyms",
    "shown_name",
    "street_addresses",
]
