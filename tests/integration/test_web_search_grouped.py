"""The search page lists documents, not loose passages, and says when nothing is about the query."""

from __future__ import annotations

import re


def test_search_page_groups_passages_under_their_document(world, signed_in):
    c = signed_in("anna")
    html = c.get("/", params={"q": "omgevingsvergunning sporthal"}).text
    doc = world.docs["bouw"]
    assert html.count('class="result-title"') == 1 and "Documenten gevonden: 1" in html
    assert html.count(f'href="/documents/{doc}?page=2&amp;') >= 1  # the best passage (page 2) leads
    titles = re.findall(r'class="result-title"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == ["Sporthal Vaartstraat"]
    more = html.split('<details class="more-passages">', 1)
    assert len(more) == 2 and "Meer passages in dit document: 1" in more[1]
    assert f'href="/documents/{doc}?page=1&amp;' in more[1]  # the other passage, behind the best one
    best = more[0]
    assert "<mark>omgevingsvergunning</mark>" in best and f'href="/documents/{doc}/original#page=2"' in best


def test_search_page_says_nothing_is_relevant_instead_of_listing_passages(world, signed_in):
    c = signed_in("anna")
    html = c.get("/", params={"q": "hondenbelasting"}).text
    assert "Geen enkele passage gaat over uw zoekvraag" in html
    assert 'class="result-title"' not in html and "Sporthal" not in html
    link = re.search(r'href="(/\?[^"]*closest=1[^"]*)"', html)
    assert link, html
    nearest = c.get(link.group(1).replace("&amp;", "&")).text  # the nearest passages, on request
    assert "Sporthal Vaartstraat" in nearest and "Geen enkele passage" not in nearest
    assert "Dit zijn de dichtstbijzijnde passages" in nearest


def test_nearest_passages_keep_the_permission_filter(world, signed_in):
    c = signed_in("wout")
    for params in ({"q": "hondenbelasting"}, {"q": "hondenbelasting", "closest": "1"},
                   {"q": "sporthal Vaartstraat stadhuis markt", "closest": "1"}):
        html = c.get("/", params=params).text
        assert "Sporthal" not in html and "Vaartstraat" not in html.replace(params["q"], ""), params
        assert "stadhuis" not in html.replace(params["q"], "")


def test_api_says_whether_a_hit_is_relevant(world, client):
    from tests.integration.web_support import bearer

    headers = bearer(world, "anna")
    body = client.get("/api/v1/search", params={"q": "omgevingsvergunning sporthal"}, headers=headers).json()
    assert body["relevant"] is True and body["hits"][0]["relevant"] is True
    assert body["hits"][0]["coverage"] == 1.0
    body = client.get("/api/v1/search", params={"q": "hondenbelasting"}, headers=headers).json()
    assert body["relevant"] is False and body["hits"]  # the nearest hits stay, marked as not relevant
    assert not any(h["relevant"] for h in body["hits"])
