"""`belfort mandates import FILE`: governing bodies and mandatarissen from a Mandatendatabank export.

IT downloads the export once (Turtle or JSON-LD; no network at run time) and drops it in. The file is
read whole and checked before anything changes; then the previous bodies and mandatarissen are
replaced in one transaction, so a malformed file keeps the previous mandates.

The model read (Mandatendatabank, OSLO Mandaten and Leidinggevenden): a `besluit:Bestuursorgaan` in a
bestuursperiode (`mandaat:isTijdspecialisatieVan` its lasting orgaan, whose `skos:prefLabel` and
`besluit:classificatie` it inherits) `org:hasPost` mandates; a `mandaat:Mandataris` `org:holds` one
mandate and `mandaat:isBestuurlijkeAliasVan` a person (`persoon:gebruikteVoornaam`,
`foaf:familyName`). Functionarissen (the algemeen directeur who acts as secretary) hold a
`lblodlg:Bestuursfunctie` that the orgaan `lblodlg:heeftBestuursfunctie`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef
from rdflib.term import Node

from appliance.errors import BelfortError
from appliance.mandates.vocab import BESLUIT, FOAF, LBLODLG, MANDAAT, ORG, PERSOON, SKOS

FORMATS = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld"}
MAX_BYTES = 64 * 1024 * 1024


@dataclass
class ParsedMandates:
    bodies: list[dict[str, str]] = field(default_factory=list)
    people: list[dict[str, str]] = field(default_factory=list)
    skipped: int = 0  # mandatarissen tied to no imported body


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise BelfortError("mandates.unknown_format", f"{path.name}: not a Turtle or JSON-LD file",
                           hint="export the Mandatendatabank as .ttl or .jsonld")
    return fmt


def _remote_contexts(value: Any) -> bool:
    """True when a JSON-LD document names a remote @context (parsing it would need the network)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "@context" and (isinstance(inner, str) or
                                      (isinstance(inner, list) and any(isinstance(c, str) for c in inner))):
                return True
            if _remote_contexts(inner):
                return True
    elif isinstance(value, list):
        return any(_remote_contexts(v) for v in value)
    return False


def load_graph(path: Path) -> Graph:
    fmt = _format_of(path)
    if not path.is_file():
        raise BelfortError("mandates.no_file", f"no file {path}")
    data = path.read_bytes()
    if len(data) > MAX_BYTES:
        raise BelfortError("mandates.too_large", f"{path.name} is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    graph = Graph()
    try:
        if fmt == "json-ld" and _remote_contexts(json.loads(data)):
            raise BelfortError("mandates.remote_context", f"{path.name} refers to a remote JSON-LD @context",
                                   hint="inline the @context, or export as Turtle (.ttl)")
        graph.parse(data=data, format=fmt)
    except BelfortError:
        raise
    except Exception as exc:  # every parser error is a malformed file to the person importing it
        raise BelfortError("mandates.malformed", f"{path.name} is not valid {fmt}: {str(exc)[:300]}",
                           hint="download the export again; the previous mandates were kept") from exc
    return graph


def _label(g: Graph, node: Node | None) -> str:
    if node is None:
        return ""
    value = g.value(node, SKOS.prefLabel)
    return str(value) if value is not None else ""


def _uri(node: Node, what: str) -> str:
    if not isinstance(node, URIRef) or not str(node).startswith(("http://", "https://")):
        raise BelfortError("mandates.no_uri", f"a {what} without an http URI ({node})",
                           hint="export the Mandatendatabank with its URIs")
    return str(node)


def _http(node: Node | None) -> str:
    """An http(s) URI, else "": published pages link to these, so nothing else (javascript:, data:) passes."""
    return str(node) if isinstance(node, URIRef) and str(node).startswith(("http://", "https://")) else ""


def _bodies(g: Graph) -> dict[str, dict[str, str]]:
    organs = set(g.subjects(RDF.type, BESLUIT.Bestuursorgaan))
    lasting = {g.value(o, MANDAAT.isTijdspecialisatieVan) for o in organs} - {None}
    bodies: dict[str, dict[str, str]] = {}
    for organ in organs:
        if organ in lasting:  # the orgaan in its bestuursperiode stands for it
            continue
        parent = g.value(organ, MANDAAT.isTijdspecialisatieVan)

        def own_or_parent(pred: URIRef, organ: Node = organ, parent: Node | None = parent) -> Node | None:
            value = g.value(organ, pred)
            return value if value is not None or parent is None else g.value(parent, pred)

        name = _label(g, organ) or _label(g, parent)
        unit = own_or_parent(BESLUIT.bestuurt)
        uri = _uri(organ, "bestuursorgaan")
        bodies[uri] = {"uri": uri, "name": name or uri, "classification": _http(own_or_parent(BESLUIT.classificatie)),
                       "unit_uri": _http(unit), "unit_name": _label(g, unit) if _http(unit) else ""}
    return bodies


def _person_name(g: Graph, holder: Node) -> tuple[str, str]:
    person = g.value(holder, MANDAAT.isBestuurlijkeAliasVan)
    source = person if person is not None else holder
    first = g.value(source, PERSOON.gebruikteVoornaam) or g.value(source, FOAF.givenName)
    family = g.value(source, FOAF.familyName)
    name = " ".join(str(p) for p in (first, family) if p) or str(g.value(source, FOAF.name) or "")
    return _http(person), name or _label(g, source)


def _date(node: Node | None) -> str:
    """The date part of mandaat:start / mandaat:einde (an xsd:dateTime or xsd:date), else ""."""
    text = str(node or "")[:10]
    return text if len(text) == 10 and text[4] == "-" and text[7] == "-" else ""


def _holders(g: Graph, kind: str) -> list[tuple[Node, Node]]:
    if kind == "mandataris":
        return [(h, post) for h in g.subjects(RDF.type, MANDAAT.Mandataris) for post in g.objects(h, ORG.holds)]
    return [(h, post) for h in g.subjects(RDF.type, LBLODLG.Functionaris) for post in g.objects(h, ORG.holds)]


def _people(g: Graph, bodies: dict[str, dict[str, str]], out: ParsedMandates) -> None:
    link = {"mandataris": ORG.hasPost, "functionaris": LBLODLG.heeftBestuursfunctie}
    seen: dict[str, str] = {}
    for kind, pred in link.items():
        for holder, post in _holders(g, kind):
            organs = {str(o) for o in g.subjects(pred, post)}
            uri = _uri(holder, kind)
            if uri in seen:
                organs.add(seen[uri])
            if len(organs) > 1:
                raise BelfortError("mandates.two_bodies", f"{kind} {uri} sits in two bodies: {', '.join(sorted(organs))}",
                                   hint="a mandataris holds one mandate of one body; fix the export")
            body = next(iter(organs), "")
            if body not in bodies:
                out.skipped += 1
                continue
            if uri in seen:
                continue
            seen[uri] = body
            person, name = _person_name(g, holder)
            role_node = g.value(post, ORG.role)
            role = _label(g, role_node) or (str(role_node) if role_node is not None else "")
            out.people.append({"uri": uri, "body_uri": body, "person_uri": person, "name": name or uri,
                               "role": role, "kind": kind, "start_date": _date(g.value(holder, MANDAAT.start)),
                               "end_date": _date(g.value(holder, MANDAAT.einde))})


def parse_mandates(path: Path) -> ParsedMandates:
    g = load_graph(path)
    bodies = _bodies(g)
    if not bodies:
        raise BelfortError("mandates.empty", f"{path.name} holds no besluit:Bestuursorgaan",
                           hint="export the bodies and mandatarissen of your bestuurseenheid")
    out = ParsedMandates(bodies=sorted(bodies.values(), key=lambda b: b["name"]))
    _people(g, bodies, out)
    out.people.sort(key=lambda p: (p["body_uri"], p["kind"], p["name"]))
    return out
