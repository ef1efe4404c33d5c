"""Governing bodies and their mandatarissen (issue 12): imported from the Mandatendatabank, read by
the minutes' publication to pick a meeting's body, attendees, chair and secretary."""

from appliance.mandates.edit import end_mandatary, save_body, save_mandatary
from appliance.mandates.importer import ParsedMandates, parse_mandates
from appliance.mandates.service import (
    Body,
    Person,
    current_names,
    import_mandates,
    list_bodies,
    people_of,
    person_names,
)

__all__ = ["Body", "ParsedMandates", "Person", "current_names", "end_mandatary", "import_mandates", "list_bodies",
           "parse_mandates", "people_of", "person_names", "save_body", "save_mandatary"]
