"""Search results a person reads: passages grouped per document (best first, the rest behind it),
the permission filter kept, and "nothing relevant" said instead of listing unrelated passages."""

from __future__ import annotations

from appliance.access.principals import SYSTEM
from appliance.context import Appliance
from appliance.search import group_by_document, readable_result, search
from tests.integration.test_search_service import add_doc, make_user


def _corpus(app: Appliance) -> None:
    add_doc(app, "bouwen", "Parkeerreglement", [
        "De gemeenteraad keurt het reglement op de parkeervergunningen voor bewoners goed.",
        "Een bewonerskaart kost 25 euro per jaar; de parkeervergunning geldt voor één wagen.",
        "Een tweede parkeervergunning voor bewoners kost 50 euro.",
    ], groups=("ruimte",))
    add_doc(app, "bouwen", "Sporthal", ["De nieuwe sporthal opent in september aan de Vaartstraat."],
            groups=("ruimte",))
    add_doc(app, "personeel", "Ontslag", [
        "Vertrouwelijk: ontslag van het diensthoofd wegens fraude met de parkeervergunning voor bewoners.",
        "Het diensthoofd tekende beroep aan tegen het ontslag; de parkeervergunning werd ingetrokken.",
    ], groups=("hr",))


def test_passages_are_grouped_per_document_best_first(appliance: Appliance) -> None:
    _corpus(appliance)
    result = search(appliance, SYSTEM, "parkeervergunning bewoners", limit=50, mode="keyword")
    groups = group_by_document(result.hits, max_groups=10)
    by_title = {g.best.title: g for g in groups}
    assert len(groups) == len(by_title)  # one entry per document
    parking = by_title["Parkeerreglement"]
    assert len(parking.more) == 2 and {h.document_id for h in parking.more} == {parking.document_id}
    ranked = [h.chunk_id for h in result.hits if h.document_id == parking.document_id]
    assert [parking.best.chunk_id] + [h.chunk_id for h in parking.more] == ranked  # best passage first
    assert len(group_by_document(result.hits, max_groups=1)) == 1


def test_a_grouped_result_never_shows_a_passage_of_an_unreadable_collection(appliance: Appliance) -> None:
    _corpus(appliance)
    staff = make_user(appliance, "an", ("ruimte",))
    for mode in ("hybrid", "keyword", "vector"):
        result = search(appliance, staff, "parkeervergunning bewoners diensthoofd ontslag", limit=50, mode=mode)
        for closest in (False, True):
            grouped = readable_result(result.hits, max_groups=10, closest=closest)
            shown = [h for g in grouped.groups for h in (g.best, *g.more)]
            assert shown and all(h.collection == "bouwen" for h in shown), (mode, closest)
            assert not any("diensthoofd" in h.text or "Ontslag" in h.title for h in shown), (mode, closest)
    # the HR reader sees the HR document grouped with both its passages
    hr = make_user(appliance, "hilde", ("hr",))
    grouped = readable_result(search(appliance, hr, "ontslag diensthoofd", limit=50).hits, max_groups=10)
    assert [g.best.title for g in grouped.groups] == ["Ontslag"] and len(grouped.groups[0].more) == 1


def test_a_query_without_relevant_hit_says_so(appliance: Appliance) -> None:
    _corpus(appliance)
    result = search(appliance, SYSTEM, "hondenbelasting tarief", limit=50)
    assert result.hits  # the vector ranker always returns the nearest passages
    assert result.relevant is False and not any(h.relevant for h in result.hits)
    grouped = readable_result(result.hits, max_groups=10)
    assert grouped.state == "none" and grouped.groups == [] and grouped.hidden > 0
    nearest = readable_result(result.hits, max_groups=10, closest=True)  # on request, the nearest ones
    assert nearest.state == "none" and nearest.groups


def test_relevance_weighs_rare_words(appliance: Appliance) -> None:
    _corpus(appliance)
    # 'sporthal' is rare, 'kost' is common: a passage with 'kost' only is not about a sporthal's cost
    result = search(appliance, SYSTEM, "sporthal kost", limit=50)
    assert result.relevant
    costs = [h for h in result.hits if "kost" in h.text]
    assert costs and not any(h.relevant for h in costs)
    grouped = readable_result(result.hits, max_groups=10)
    assert grouped.state == "relevant" and [g.best.title for g in grouped.groups] == ["Sporthal"]
    assert grouped.hidden >= 1  # the parking and HR documents are left out, and counted
    partial = readable_result(search(appliance, SYSTEM, "sporthal zwembad sauna", limit=50).hits,
                              max_groups=10)
    assert partial.state == "partial" and [g.best.title for g in partial.groups] == ["Sporthal"]
