"""The published HTML pages (notulen, besluitenlijst, agenda) with their graph as RDFa 1.1.

The harvester of the Flemish Agency for Home Affairs reads RDFa inside HTML, not standalone files.
The page is written from the graph itself, one section per resource and one element per triple
(typed literals with @datatype and @content, language strings with @lang, links with @property and
@href), so the RDFa parses to exactly the triples of the Turtle file. Everything is escaped: texts
come from a meeting transcript and the people who edited it.

The labels are the Dutch names of the OSLO Besluit publicatie profile: the documents are Dutch legal
publications, whatever language the person publishing them reads Belfort in.
"""

from __future__ import annotations

from html import escape

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from appliance.mandates.vocab import BESLUIT, DCT, FOAF, PROV, SCHEMA, SKOS

CLASS_LABELS = {
    "Document": "Document", "Zitting": "Zitting", "Agendapunt": "Agendapunt",
    "BehandelingVanAgendapunt": "Behandeling van het agendapunt", "Besluit": "Besluit", "Stemming": "Stemming",
    "Bestuursorgaan": "Bestuursorgaan", "Bestuurseenheid": "Bestuurseenheid", "Mandataris": "Mandataris",
    "Functionaris": "Functionaris", "Concept": "Begrip",
}
PROPERTY_LABELS = {
    "title": "Titel", "date_publication": "Publicatiedatum", "heeftNotulen": "Notulen",
    "heeftBesluitenlijst": "Besluitenlijst", "heeftAgenda": "Agenda", "isGehoudenDoor": "Gehouden door",
    "geplandeStart": "Geplande start", "startedAtTime": "Start", "endedAtTime": "Einde", "atLocation": "Locatie",
    "heeftAanwezigeBijStart": "Aanwezig bij de start", "heeftAfwezigeBijStart": "Afwezig bij de start",
    "heeftVoorzitter": "Voorzitter", "heeftSecretaris": "Secretaris", "behandelt": "Behandelt",
    "position": "Volgorde", "geplandOpenbaar": "Gepland openbaar", "aangebrachtNa": "Na agendapunt",
    "Agendapunt.type": "Type", "subject": "Agendapunt", "openbaar": "Openbaar", "gebeurtNa": "Na behandeling",
    "heeftAanwezige": "Aanwezig", "generated": "Besluit", "heeftStemming": "Stemming", "language": "Taal",
    "wasGeneratedBy": "Volgt uit", "description": "Beschrijving", "value": "Besluit (beschikkend gedeelte)",
    "motivering": "Motivering", "onderwerp": "Onderwerp", "aantalVoorstanders": "Voor",
    "aantalTegenstanders": "Tegen", "aantalOnthouders": "Onthoudingen", "geheim": "Geheim", "gevolg": "Gevolg",
    "heeftVoorstander": "Stemde voor", "heeftTegenstander": "Stemde tegen", "heeftOnthouder": "Onthield zich",
    "heeftStemmer": "Stemmer", "prefLabel": "Naam", "classificatie": "Classificatie", "bestuurt": "Bestuurt",
    "isBestuurlijkeAliasVan": "Persoon", "name": "Naam",
}
ORDER_FIRST = (FOAF.Document, BESLUIT.Zitting)
ORDER_LAST = (BESLUIT.Bestuursorgaan, BESLUIT.Bestuurseenheid)
BOOLEAN = {"true": "ja", "false": "nee"}


def _short(uri: Node) -> str:
    return str(uri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _label(g: Graph, node: Node) -> str:
    for pred in (DCT.title, SKOS.prefLabel, FOAF.name):
        value = g.value(node, pred)
        if value is not None:
            return str(value)
    alias = g.value(node, URIRef("http://data.vlaanderen.be/ns/mandaat#isBestuurlijkeAliasVan"))
    if alias is not None and g.value(alias, FOAF.name) is not None:
        return str(g.value(alias, FOAF.name))
    return str(node)


def _value(g: Graph, pred: Node, obj: Node) -> str:
    p = escape(str(pred), quote=True)
    if isinstance(obj, Literal):
        text = str(obj)
        if obj.language:
            return (f'<span property="{p}" lang="{escape(obj.language, quote=True)}" '
                    f'content="{escape(text, quote=True)}">{escape(text)}</span>')
        shown = BOOLEAN.get(text, text) if obj.datatype and str(obj.datatype).endswith("#boolean") else text
        return (f'<span property="{p}" datatype="{escape(str(obj.datatype or ""), quote=True)}" '
                f'content="{escape(text, quote=True)}">{escape(shown)}</span>')
    return f'<a property="{p}" href="{escape(str(obj), quote=True)}">{escape(_label(g, obj))}</a>'


def _section(g: Graph, subject: Node, heading: str, headings: dict[str, str]) -> str:
    types = sorted(str(t) for t in g.objects(subject, RDF.type))
    names = [CLASS_LABELS.get(_short(URIRef(t)), "") for t in types]
    title = next((n for n in names if n), "Resource")
    rows: list[str] = []
    for pred in sorted({p for p in g.predicates(subject) if p != RDF.type}, key=str):
        values = sorted(g.objects(subject, pred), key=lambda o: (_label(g, o), str(o)))
        label = PROPERTY_LABELS.get(_short(pred), _short(pred))
        cells = "</li><li>".join(_value(g, pred, o) for o in values)
        rows.append(f"<dt>{escape(label)}</dt><dd><ul><li>{cells}</li></ul></dd>")
    typeof = f' typeof="{escape(" ".join(types), quote=True)}"' if types else ""
    return (f'<section resource="{escape(str(subject), quote=True)}"{typeof}>'
            f"<{heading}>{escape(title)}: {escape(headings.get(str(subject)) or _label(g, subject))}</{heading}>"
            f"<dl>{''.join(rows)}</dl></section>")


def _ordered_subjects(g: Graph) -> list[Node]:
    subjects = set(g.subjects())
    out: list[Node] = []

    def take(nodes: list[Node]) -> None:
        for node in nodes:
            if node in subjects and node not in out:
                out.append(node)

    for cls in ORDER_FIRST:
        take(sorted(g.subjects(RDF.type, cls), key=str))
    points = sorted(g.subjects(RDF.type, BESLUIT.Agendapunt), key=lambda n: int(str(g.value(n, SCHEMA.position) or 0)))
    for point in points:
        take([point])
        for bvap in sorted(g.subjects(DCT.subject, point), key=str):
            take([bvap])
            take(sorted(g.objects(bvap, PROV.generated), key=str))
            take(sorted(g.objects(bvap, BESLUIT.heeftStemming), key=str))
    for cls in ORDER_LAST:
        take(sorted(g.subjects(RDF.type, cls), key=str))
    take(sorted(subjects, key=str))
    return out


def to_html(g: Graph, title: str, notice: str, names: dict[str, str] | None = None) -> bytes:
    """The page; `names` gives headings to resources the graph names nothing (the zitting)."""
    sections = [_section(g, s, "h2", names or {}) for s in _ordered_subjects(g)]
    page = ("<!DOCTYPE html>\n<html lang=\"nl\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)}</title></head><body><main>"
            f"<h1>{escape(title)}</h1><p>{escape(notice)}</p>{''.join(sections)}</main></body></html>\n")
    return page.encode("utf-8")
