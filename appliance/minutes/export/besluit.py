"""Decisions as OSLO Besluit JSON-LD (the LBLOD publication model of Flemish local government).

A meeting is a `besluit:Zitting` that `besluit:behandelt` its `besluit:Agendapunt`s; each agenda item
with accepted decisions gets one `besluit:BehandelingVanAgendapunt` (`dct:subject` the agenda item,
`prov:generated` its `besluit:Besluit`s (a draft's decisions are only `prov:Entity`s), `besluit:heeftStemming` the votes as `besluit:Stemming`),
in the order they were treated (`besluit:gebeurtNa`). The @context is inline: a consumer (and our
tests) never fetches a remote context. Ids are stable: the same minutes export the same ids.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from appliance.minutes.export.data import ExportData, group_title, one_line, status_line

if TYPE_CHECKING:
    from appliance.db.tables import MinutesItem

CONTEXT: dict[str, Any] = {
    "besluit": "http://data.vlaanderen.be/ns/besluit#",
    "mandaat": "http://data.vlaanderen.be/ns/mandaat#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "schema": "http://schema.org/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Zitting": "besluit:Zitting",
    "Agendapunt": "besluit:Agendapunt",
    "BehandelingVanAgendapunt": "besluit:BehandelingVanAgendapunt",
    "Besluit": "besluit:Besluit",
    "Stemming": "besluit:Stemming",
    "behandelt": {"@id": "besluit:behandelt", "@type": "@id", "@container": "@set"},
    "geplandeStart": {"@id": "besluit:geplandeStart", "@type": "xsd:dateTime"},
    "startedAtTime": {"@id": "prov:startedAtTime", "@type": "xsd:dateTime"},
    "title": "dct:title",
    "description": "dct:description",
    "position": {"@id": "schema:position", "@type": "xsd:integer"},
    "geplandOpenbaar": {"@id": "besluit:geplandOpenbaar", "@type": "xsd:boolean"},
    "subject": {"@id": "dct:subject", "@type": "@id"},
    "openbaar": {"@id": "besluit:openbaar", "@type": "xsd:boolean"},
    "gebeurtNa": {"@id": "besluit:gebeurtNa", "@type": "@id"},
    "generated": {"@id": "prov:generated", "@type": "@id", "@container": "@set"},
    "heeftStemming": {"@id": "besluit:heeftStemming", "@type": "@id", "@container": "@set"},
    "eliTitle": "eli:title",
    "eliDescription": "eli:description",
    "value": "prov:value",
    "language": {"@id": "eli:language", "@type": "@id"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "onderwerp": "besluit:onderwerp",
    "aantalVoorstanders": {"@id": "besluit:aantalVoorstanders", "@type": "xsd:integer"},
    "aantalTegenstanders": {"@id": "besluit:aantalTegenstanders", "@type": "xsd:integer"},
    "aantalOnthouders": {"@id": "besluit:aantalOnthouders", "@type": "xsd:integer"},
    "comment": "rdfs:comment",
    "dateAccepted": {"@id": "dct:dateAccepted", "@type": "xsd:dateTime"},
}
# EU publications office language authority, as LBLOD's eli:language uses it.
LANGUAGE_URIS = {"nl": "http://publications.europa.eu/resource/authority/language/NLD",
                 "fr": "http://publications.europa.eu/resource/authority/language/FRA",
                 "en": "http://publications.europa.eu/resource/authority/language/ENG",
                 "de": "http://publications.europa.eu/resource/authority/language/DEU"}


def node_id(base: str, kind: str, key: object) -> str:
    """`urn:belfort:zitting:12` under a URN base, `https://x/id/zitting/12` under an http(s) base."""
    base = base or "urn:belfort:"
    if base.endswith(("/", "#", ":")):
        sep = ":" if base.endswith(":") else "/"
        return f"{base}{kind}{sep}{key}"
    return f"{base}/{kind}/{key}"


def _stemming(base: str, item: MinutesItem) -> dict[str, Any] | None:
    vote = item.vote or {}
    if not any(k in vote for k in ("for", "against", "abstain")):
        return None
    return {"@id": node_id(base, "stemming", item.id), "@type": "Stemming", "onderwerp": item.text,
            "aantalVoorstanders": int(vote.get("for", 0) or 0),
            "aantalTegenstanders": int(vote.get("against", 0) or 0),
            "aantalOnthouders": int(vote.get("abstain", 0) or 0)}


def to_jsonld(data: ExportData, labels: dict[str, str], base: str) -> bytes:
    m = data.minutes
    zitting_id = node_id(base, "zitting", m.id)
    agenda = {int(a.get("number", 0) or 0): str(a.get("title", "")) for a in m.agenda or []}
    decisions = [i for i in data.items if i.kind == "decision"]
    for item in decisions:
        agenda.setdefault(item.agenda_number, item.agenda_title)
    graph: list[dict[str, Any]] = []
    punten: dict[int, str] = {}
    for position, number in enumerate(sorted(agenda, key=lambda n: (n == 0, n)), start=1):
        punten[number] = node_id(base, "agendapunt", f"{m.id}-{number}")
        graph.append({"@id": punten[number], "@type": "Agendapunt", "position": position,
                      "title": one_line(group_title(number, agenda[number], labels))})
    zitting: dict[str, Any] = {"@id": zitting_id, "@type": "Zitting", "title": one_line(m.title),
                               "behandelt": [punten[n] for n in punten],
                               "comment": status_line(data, labels)}
    if m.meeting_date:
        day = m.meeting_date
        zitting["geplandeStart"] = day if "T" in day else f"{day[:10]}T00:00:00"
    if m.approved_at is not None and data.approved:
        zitting["dateAccepted"] = m.approved_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    graph.insert(0, zitting)
    previous = ""
    for number, punt_id in punten.items():
        generated = [i for i in decisions if i.agenda_number == number]
        if not generated:
            continue
        bvap_id = node_id(base, "behandeling", f"{m.id}-{number}")
        # Council items are treated in public unless the secretary says otherwise (not recorded yet).
        bvap: dict[str, Any] = {"@id": bvap_id, "@type": "BehandelingVanAgendapunt",
                                "subject": punt_id, "openbaar": True, "generated": [],
                                "heeftStemming": []}
        if previous:
            bvap["gebeurtNa"] = previous
        for item in generated:
            title = one_line(item.agenda_title or agenda.get(number, "")) or one_line(item.text)[:120]
            # An unapproved AI draft is never typed as a Besluit: a harvester would take it for a real
            # decision. It stays a prov:Entity that says, in its own comment, what it is.
            besluit: dict[str, Any] = {"@id": node_id(base, "besluit", item.id),
                                       "@type": "Besluit" if data.approved else "prov:Entity",
                                       "eliTitle": title, "eliDescription": one_line(item.text),
                                       "value": one_line(item.text), "wasDerivedFrom": zitting_id}
            if not data.approved:
                besluit["comment"] = status_line(data, labels)
            if data.language in LANGUAGE_URIS:
                besluit["language"] = LANGUAGE_URIS[data.language]
            graph.append(besluit)
            bvap["generated"].append(besluit["@id"])
            stemming = _stemming(base, item)
            if stemming is not None:
                graph.append(stemming)
                bvap["heeftStemming"].append(stemming["@id"])
        if not bvap["heeftStemming"]:
            del bvap["heeftStemming"]
        graph.append(bvap)
        previous = bvap_id
    doc = {"@context": CONTEXT, "@graph": graph}
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
