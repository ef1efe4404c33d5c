"""Maturity of a published notulen or besluitenlijst, computed the way the LBLOD decision validation does.

Written from the SHACL blueprints of lblod/lib-decision-shapes (src/shapes/notulen.ts and
src/shapes/decision-list.ts, the `lblodBesluit:maturiteitsniveau` of each property) as used by
lblod/lib-decision-validation; our own code, no copy. A document reaches level N when no rule of
level N or lower fails. The blueprints mark properties "Niveau 1" and "Niveau 3" (and "Bonusniveau",
left out); level 2 holds what they check without a level: the document type (a BesluitDocumentType
concept), mandatarissen with URIs (the blueprint's SPARQL constraint) and named voters that match
their counts, plus what the harvester needs of every id: an http(s) URI. One rule of our own sits at
level 2 as well: a vote's counts add up to the attendees of the treatment.

Decisions of a closed (besloten) agenda item publish no text, so their text rules do not apply.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from appliance.mandates.vocab import BESLUIT, DCT, ELI, LBLODLG, MANDAAT, PROV, SKOS
from appliance.minutes.lblod.graph import DOCUMENT_TYPES

LANG_STRING = "langString"


@dataclass(frozen=True)
class Rule:
    cls: URIRef
    name: str  # the blueprint's sh:name
    path: URIRef
    level: int
    min: int = 0
    max: int | None = None
    datatype: URIRef | str | None = None
    node_class: URIRef | None = None
    documents: tuple[str, ...] = ("notulen", "besluitenlijst")
    text: bool = False  # decision text: not required of a closed item


Z, AP, BV, BE, ST = BESLUIT.Zitting, BESLUIT.Agendapunt, BESLUIT.BehandelingVanAgendapunt, BESLUIT.Besluit, BESLUIT.Stemming
N = ("notulen",)
RULES: tuple[Rule, ...] = (
    Rule(Z, "behandelt", BESLUIT.behandelt, 1, min=1, node_class=AP),
    Rule(Z, "start", PROV.startedAtTime, 1, min=1, max=1, datatype=XSD.dateTime),
    Rule(Z, "eind", PROV.endedAtTime, 1, min=1, max=1, datatype=XSD.dateTime),
    Rule(Z, "geplandeStart", BESLUIT.geplandeStart, 1, min=1, max=1, datatype=XSD.dateTime),
    Rule(Z, "isGehoudenDoor", BESLUIT.isGehoudenDoor, 1, min=1, max=1, node_class=BESLUIT.Bestuursorgaan),
    Rule(Z, "locatie", PROV.atLocation, 1, max=1),
    Rule(Z, "heeftAanwezigeBijStart", BESLUIT.heeftAanwezigeBijStart, 3, min=1, node_class=MANDAAT.Mandataris),
    Rule(Z, "heeftVoorzitter", BESLUIT.heeftVoorzitter, 3, min=1, max=1, node_class=MANDAAT.Mandataris),
    Rule(Z, "heeftSecretaris", BESLUIT.heeftSecretaris, 3, min=1, max=1, node_class=LBLODLG.Functionaris),
    Rule(AP, "aangebrachtNa", BESLUIT.aangebrachtNa, 1, max=1, node_class=AP),
    Rule(AP, "beschrijving", DCT.description, 1, max=1, datatype=XSD.string),
    Rule(AP, "geplandOpenbaar", BESLUIT.geplandOpenbaar, 1, min=1, max=1, datatype=XSD.boolean),
    Rule(AP, "titel", DCT.title, 1, min=1, max=1, datatype=XSD.string),
    Rule(BV, "heeftOnderwerp", DCT.subject, 1, min=1, max=1, node_class=AP),
    Rule(BV, "gebeurtNa", BESLUIT.gebeurtNa, 1, max=1, node_class=BV, documents=N),
    Rule(BV, "geeftAanleidingTot", PROV.generated, 1, node_class=BE),
    Rule(BV, "heeftStemming", BESLUIT.heeftStemming, 1, node_class=ST),
    Rule(BV, "heeftAanwezige", BESLUIT.heeftAanwezige, 1, min=1, node_class=MANDAAT.Mandataris, documents=N),
    Rule(BV, "openbaar", BESLUIT.openbaar, 1, min=1, max=1, datatype=XSD.boolean, documents=N),
    Rule(BE, "beschrijving", ELI.description, 1, max=1, datatype=XSD.string),
    Rule(BE, "inhoud", PROV.value, 1, min=1, max=1, datatype=XSD.string, documents=N, text=True),
    Rule(BE, "titel", ELI.title, 1, min=1, datatype=XSD.string),
    Rule(BE, "taal", ELI.language, 1, min=1, max=1, node_class=SKOS.Concept),
    Rule(BE, "citeeropschrift", ELI.title_short, 3, max=1, datatype=XSD.string),
    Rule(BE, "motivering", BESLUIT.motivering, 3, min=1, max=1, datatype=LANG_STRING, documents=N, text=True),
    Rule(ST, "aantalOnthouders", BESLUIT.aantalOnthouders, 1, min=1, max=1, datatype=XSD.integer, documents=N),
    Rule(ST, "aantalTegenstanders", BESLUIT.aantalTegenstanders, 1, min=1, max=1, datatype=XSD.integer, documents=N),
    Rule(ST, "aantalVoorstanders", BESLUIT.aantalVoorstanders, 1, min=1, max=1, datatype=XSD.integer, documents=N),
    Rule(ST, "geheim", BESLUIT.geheim, 1, min=1, max=1, datatype=XSD.boolean, documents=N),
    Rule(ST, "heeftAanwezige", BESLUIT.heeftAanwezige, 1, min=1, node_class=MANDAAT.Mandataris, documents=N),
    Rule(ST, "gevolg", BESLUIT.gevolg, 3, min=1, max=1),
    Rule(ST, "onderwerp", BESLUIT.onderwerp, 1, min=1, max=1),
)
VOTERS = ((BESLUIT.heeftVoorstander, BESLUIT.aantalVoorstanders), (BESLUIT.heeftTegenstander, BESLUIT.aantalTegenstanders),
          (BESLUIT.heeftOnthouder, BESLUIT.aantalOnthouders))


@dataclass(frozen=True)
class Finding:
    level: int
    cls: str  # Zitting, Agendapunt, ...
    name: str  # the property's name in the blueprint
    subject: str
    problem: str  # missing | too_many | datatype | class | not_http | count_mismatch | no_document_type


@dataclass
class Report:
    document: str
    level: int  # 0..3
    findings: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "level": self.level, "findings": [asdict(f) for f in self.findings]}


def _short(uri: Node) -> str:
    return str(uri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _datatype_ok(value: Node, datatype: URIRef | str) -> bool:
    if not isinstance(value, Literal):
        return False
    if datatype == LANG_STRING:
        return value.language is not None
    return value.datatype == datatype


def _closed_decisions(g: Graph) -> set[Node]:
    return {b for bv in g.subjects(BESLUIT.openbaar, Literal(False)) for b in g.objects(bv, PROV.generated)}


def _rule_findings(g: Graph, rule: Rule, closed: set[Node]) -> list[Finding]:
    out: list[Finding] = []
    for subject in sorted(set(g.subjects(RDF.type, rule.cls)), key=str):
        if rule.text and subject in closed:
            continue
        values = list(g.objects(subject, rule.path))

        def finding(problem: str, subject: Node = subject) -> Finding:
            return Finding(rule.level, _short(rule.cls), rule.name, str(subject), problem)

        if len(values) < rule.min:
            out.append(finding("missing"))
        if rule.max is not None and len(values) > rule.max:
            out.append(finding("too_many"))
        if rule.datatype is not None and not all(_datatype_ok(v, rule.datatype) for v in values):
            out.append(finding("datatype"))
        if rule.node_class is not None and not all((v, RDF.type, rule.node_class) in g for v in values):
            out.append(finding("class"))
    return out


def _level_two(g: Graph, document: str) -> list[Finding]:
    out: list[Finding] = []
    docs = [d for d in g.subjects(RDF.type, URIRef(DOCUMENT_TYPES[document]))]
    if not docs:
        out.append(Finding(2, "Document", "documenttype", "", "no_document_type"))
    for node in {n for triple in g for n in (triple[0], triple[2]) if not isinstance(n, Literal)}:
        if isinstance(node, BNode) or not str(node).startswith(("http://", "https://")):
            out.append(Finding(2, "Resource", "uri", str(node), "not_http"))
    for st in sorted(set(g.subjects(RDF.type, ST)), key=str):
        present = set(g.objects(st, BESLUIT.heeftAanwezige))
        counts = [int(c) for _p, count in VOTERS for c in g.objects(st, count)]  # type: ignore[call-overload]
        named = [set(g.objects(st, p)) for p, _count in VOTERS]
        if any(named):
            for (pred, count), names in zip(VOTERS, named, strict=True):
                if [len(names)] != [int(c) for c in g.objects(st, count)]:  # type: ignore[call-overload]
                    out.append(Finding(2, "Stemming", _short(pred), str(st), "count_mismatch"))
        if present and len(counts) == 3 and sum(counts) != len(present):
            out.append(Finding(2, "Stemming", "aantal", str(st), "count_mismatch"))
    return out


def check_graph(g: Graph, document: str) -> Report:
    closed = _closed_decisions(g)
    findings = [f for rule in RULES if document in rule.documents for f in _rule_findings(g, rule, closed)]
    findings += _level_two(g, document)
    findings.sort(key=lambda f: (f.level, f.cls, f.name, f.subject))
    failed = {f.level for f in findings}
    level = next((n - 1 for n in (1, 2, 3) if n in failed), 3)
    return Report(document, level, findings)
