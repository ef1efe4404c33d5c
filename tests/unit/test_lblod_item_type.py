"""The agenda item type is one of the LBLOD agendapunt type concepts (picked, not typed): a known
concept is kept and published as besluit:Agendapunt.type; any other value is refused."""

from __future__ import annotations

import pytest
from rdflib import URIRef

from appliance.access import SYSTEM
from appliance.errors import BelfortError
from appliance.mandates.vocab import BESLUIT
from appliance.minutes.lblod import AGENDA_ITEM_TYPES, build_graph, load_record, save_agenda_item
from tests.lblod_support import lblod_world


def test_a_known_type_is_kept_and_published(appliance):
    draft = lblod_world(appliance)["lblod_draft"]
    spoed = AGENDA_ITEM_TYPES["spoedeisend"]
    save_agenda_item(appliance, SYSTEM, draft, 2, public=True, item_type=spoed)
    record = load_record(appliance, draft)
    assert record.item_record(2).item_type == spoed
    g = build_graph(record, "https://www.belveld.be/", "notulen")
    assert list(g.objects(None, BESLUIT["Agendapunt.type"])) == [URIRef(spoed)]
    save_agenda_item(appliance, SYSTEM, draft, 2, public=True, item_type="")  # cleared
    assert load_record(appliance, draft).item_record(2).item_type == ""


@pytest.mark.parametrize("value", ["https://example.org/concepts/zelfverzonnen", "gepland", "javascript:x"])
def test_any_other_type_is_refused(appliance, value):
    draft = lblod_world(appliance)["lblod_draft"]
    with pytest.raises(BelfortError) as err:
        save_agenda_item(appliance, SYSTEM, draft, 2, public=True, item_type=value)
    assert err.value.code == "lblod.bad_type"
    assert load_record(appliance, draft).item_record(2).item_type == ""


def test_the_concepts_are_http_uris_and_distinct():
    assert len(set(AGENDA_ITEM_TYPES.values())) == 3
    assert all(uri.startswith("http://lblod.data.gift/concepts/") for uri in AGENDA_ITEM_TYPES.values())
