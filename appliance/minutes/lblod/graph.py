"""The publication graph of one meeting under the OSLO "Besluit publicatie" application profile.

Three documents share one set of resources: the agenda (what was planned), the besluitenlijst (the
decisions, published soon after the meeting) and the notulen (everything, with who was present and
who voted how). Every resource gets a stable http(s) URI under the organisation's base URI, made from
database ids, so publishing twice gives the same URIs. Mandatarissen and bodies keep the URIs of the
Mandatendatabank. Documents are typed with the official BesluitDocumentType concepts.

A closed (besloten) agenda item publishes its title and its vote's counts, never its decision text.
"""

from __future__ import annotations

from datetime import date, datetime

from rdflib import RDF, XSD, Graph, Literal, URIRef

from appliance.db.tables import MinutesItem
from appliance.errors import BelfortError
from appliance.mandates.vocab import BESLUIT, DCT, ELI, EXT, FOAF, LBLODLG, MANDAAT, PROV, SCHEMA, SKOS
from appliance.minutes.lblod.record import Record

DOCUMENT_TYPES = {  # https://data.vlaanderen.be/id/conceptscheme/BesluitDocumentType
    "notulen": "https://data.vlaanderen.be/id/concept/BesluitDocumentType/8e791b27-7600-4577-b24e-c7c29e0eb773",
    "besluitenlijst": "https://data.vlaanderen.be/id/concept/BesluitDocumentType/3fa67785-ffdc-4b30-8880-2b99d97b4dee",
    "agenda": "https://data.vlaanderen.be/id/concept/BesluitDocumentType/13fefad6-a9d6-4025-83b5-e4cbee3a8965",
}
DOCUMENT_LINKS = {"notulen": BESLUIT.heeftNotulen, "besluitenlijst": BESLUIT.heeftBesluitenlijst,
                  "agenda": BESLUIT.heeftAgenda}
LANGUAGE_NL = URIRef("http://publications.europa.eu/resource/authority/language/NLD")
KINDS = tuple(DOCUMENT_TYPES)


BAD_URI_CHARS = '<>"{}|\\^`'  # with whitespace and control characters: never in an IRI
MAX_BASE_CHARS = 500


def check_base(base: str) -> str:
    base = (base or "").strip()
    if (not base.startswith(("http://", "https://")) or len(base) > MAX_BASE_CHARS
            or base.split("://", 1)[1][:1] in ("", "/") or any(c in BAD_URI_CHARS or c.isspace() or ord(c) < 32 for c in base)):
        raise BelfortError("lblod.bad_base_uri", f"the base URI must be an http(s) URI, not {base[:80]!r}",
                           hint="e.g. https://www.belveld.be/ (the setting minutes.lblod_base_uri)")
    return base.rstrip("/") + "/"


def _s(text: str) -> Literal:
    return Literal(" ".join((text or "").split()), datatype=XSD.string)


def _dt(value: str) -> Literal:
    return Literal(datetime.fromisoformat(value).strftime("%Y-%m-%dT%H:%M:%S"), datatype=XSD.dateTime)


class Builder:
    def __init__(self, record: Record, base: str, kind: str, published: date | None = None) -> None:
        if kind not in KINDS:
            raise BelfortError("lblod.bad_document", f"unknown document {kind}")
        self.r, self.base, self.kind, self.g = record, check_base(base), kind, Graph()
        self.published = published
        self.mid = record.minutes.id or 0
        for prefix, ns in (("besluit", BESLUIT), ("mandaat", MANDAAT), ("eli", ELI), ("prov", PROV),
                           ("dct", DCT), ("skos", SKOS), ("foaf", FOAF), ("lblodlg", LBLODLG)):
            self.g.bind(prefix, ns)

    def uri(self, kind: str, key: object) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{key}")

    @property
    def zitting(self) -> URIRef:
        return self.uri("zittingen", self.mid)

    def document(self, kind: str) -> URIRef:
        return self.uri("documenten", f"{self.mid}-{kind}")

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal | None) -> None:
        if o is not None and str(o) != "":
            self.g.add((s, p, o))

    def build(self) -> Graph:
        self._document()
        self._zitting()
        self._body()
        self._people()
        previous_item: URIRef | None = None
        previous_treatment: URIRef | None = None
        for position, number in enumerate(self.r.agenda_numbers(), start=1):
            punt = self._agendapunt(number, position, previous_item)
            previous_item = punt
            if self.kind != "agenda" and self.r.decisions_of(number):
                previous_treatment = self._behandeling(number, punt, previous_treatment)
        return self.g

    def _document(self) -> None:
        doc = self.document(self.kind)
        self.g.add((doc, RDF.type, FOAF.Document))
        self.g.add((doc, RDF.type, URIRef(DOCUMENT_TYPES[self.kind])))
        self.add(doc, DCT.title, _s(f"{self.kind.capitalize()} {self.r.minutes.title}".strip()))
        if self.published is not None:
            self.add(doc, ELI.date_publication, Literal(self.published.isoformat(), datatype=XSD.date))

    def _zitting(self) -> None:
        m, z = self.r.meeting, self.zitting
        self.g.add((z, RDF.type, BESLUIT.Zitting))
        self.g.add((z, DOCUMENT_LINKS[self.kind], self.document(self.kind)))
        if m.body_uri:
            self.add(z, BESLUIT.isGehoudenDoor, URIRef(m.body_uri))
        for field, pred in (("planned_start", BESLUIT.geplandeStart), ("started_at", PROV.startedAtTime),
                            ("ended_at", PROV.endedAtTime)):
            if getattr(m, field):
                self.add(z, pred, _dt(getattr(m, field)))
        self.add(z, PROV.atLocation, _s(m.location) if m.location else None)
        if self.kind == "agenda":
            return
        for uri in m.present_at_start or []:
            self.add(z, BESLUIT.heeftAanwezigeBijStart, URIRef(uri))
        absent = [p for p in self.r.people.values() if p.kind == "mandataris" and p.uri not in (m.present_at_start or [])]
        for person in absent:
            self.add(z, EXT.heeftAfwezigeBijStart, URIRef(person.uri))
        if m.chair_uri:
            self.add(z, BESLUIT.heeftVoorzitter, URIRef(m.chair_uri))
        if m.secretary_uri:
            self.add(z, BESLUIT.heeftSecretaris, URIRef(m.secretary_uri))

    def _body(self) -> None:
        body = self.r.body
        if body is None:
            return
        b = URIRef(body.uri)
        self.g.add((b, RDF.type, BESLUIT.Bestuursorgaan))
        self.add(b, SKOS.prefLabel, _s(body.name))
        if body.classification:
            self.add(b, BESLUIT.classificatie, URIRef(body.classification))
            self.g.add((URIRef(body.classification), RDF.type, SKOS.Concept))
        if body.unit_uri:
            unit = URIRef(body.unit_uri)
            self.add(b, BESLUIT.bestuurt, unit)
            self.g.add((unit, RDF.type, BESLUIT.Bestuurseenheid))
            self.add(unit, SKOS.prefLabel, _s(body.unit_name) if body.unit_name else None)

    def _people(self) -> None:
        if self.kind == "agenda":
            return
        for person in self.r.people.values():
            p = URIRef(person.uri)
            self.g.add((p, RDF.type, MANDAAT.Mandataris if person.kind == "mandataris" else LBLODLG.Functionaris))
            if person.person_uri:
                alias = URIRef(person.person_uri)
                self.add(p, MANDAAT.isBestuurlijkeAliasVan, alias)
                self.add(alias, FOAF.name, _s(person.name))

    def _agendapunt(self, number: int, position: int, previous: URIRef | None) -> URIRef:
        punt = self.uri("agendapunten", f"{self.mid}-{number}")
        rec = self.r.item_record(number)
        self.g.add((self.zitting, BESLUIT.behandelt, punt))
        self.g.add((punt, RDF.type, BESLUIT.Agendapunt))
        self.add(punt, DCT.title, _s(self.r.agenda_title(number) or f"Agendapunt {number}"))
        self.add(punt, SCHEMA.position, Literal(position, datatype=XSD.integer))
        self.add(punt, BESLUIT.geplandOpenbaar, Literal(bool(rec.public)))
        if previous is not None:
            self.add(punt, BESLUIT.aangebrachtNa, previous)
        if rec.item_type:
            self.add(punt, BESLUIT["Agendapunt.type"], URIRef(rec.item_type))
            self.g.add((URIRef(rec.item_type), RDF.type, SKOS.Concept))
        return punt

    def _behandeling(self, number: int, punt: URIRef, previous: URIRef | None) -> URIRef:
        bvap = self.uri("behandelingen", f"{self.mid}-{number}")
        public = bool(self.r.item_record(number).public)
        self.g.add((bvap, RDF.type, BESLUIT.BehandelingVanAgendapunt))
        self.add(bvap, DCT.subject, punt)
        self.add(bvap, BESLUIT.openbaar, Literal(public))
        if previous is not None:
            self.add(bvap, BESLUIT.gebeurtNa, previous)
        if self.kind == "notulen":
            for uri in self.r.attendees(number):
                self.add(bvap, BESLUIT.heeftAanwezige, URIRef(uri))
            for field, pred in (("chair_uri", BESLUIT.heeftVoorzitter), ("secretary_uri", BESLUIT.heeftSecretaris)):
                uri = getattr(self.r.meeting, field)
                if uri and self.r.people.get(uri) and self.r.people[uri].kind == "mandataris":
                    self.add(bvap, pred, URIRef(uri))
        for item in self.r.decisions_of(number):
            besluit = self._besluit(item, bvap, public)
            self.g.add((bvap, PROV.generated, besluit))
            self._stemming(item, bvap, number, public)
        return bvap

    def _besluit(self, item: MinutesItem, bvap: URIRef, public: bool) -> URIRef:
        besluit, rec = self.uri("besluiten", item.id), self.r.decision_record(item)
        self.g.add((besluit, RDF.type, BESLUIT.Besluit))  # only approved minutes are published
        self.add(besluit, ELI.title, _s(rec.title or self.r.agenda_title(item.agenda_number) or item.text[:200]))
        self.add(besluit, ELI.language, LANGUAGE_NL)
        self.g.add((LANGUAGE_NL, RDF.type, SKOS.Concept))
        self.add(besluit, PROV.wasGeneratedBy, bvap)
        if self.published is not None:
            self.add(besluit, ELI.date_publication, Literal(self.published.isoformat(), datatype=XSD.date))
        if not public:  # besloten: the decision's text stays out of every published document
            return besluit
        self.add(besluit, ELI.description, _s(rec.description or item.text))
        if self.kind == "notulen":
            self.add(besluit, PROV.value, _s(rec.legal_text) if rec.legal_text else None)
            self.add(besluit, BESLUIT.motivering, Literal(rec.motivation.strip(), lang="nl") if rec.motivation else None)
        return besluit

    def _stemming(self, item: MinutesItem, bvap: URIRef, number: int, public: bool) -> None:
        vote = item.vote or {}
        if not any(k in vote for k in ("for", "against", "abstain")):
            return
        st, rec = self.uri("stemmingen", item.id), self.r.decision_record(item)
        self.g.add((bvap, BESLUIT.heeftStemming, st))
        self.g.add((st, RDF.type, BESLUIT.Stemming))
        subject = (rec.title or item.text) if public else (rec.title or self.r.agenda_title(number))
        self.add(st, BESLUIT.onderwerp, _s(subject or f"Agendapunt {number}"))
        for key, pred in (("for", BESLUIT.aantalVoorstanders), ("against", BESLUIT.aantalTegenstanders),
                          ("abstain", BESLUIT.aantalOnthouders)):
            self.add(st, pred, Literal(int(vote.get(key, 0) or 0), datatype=XSD.integer))
        self.add(st, BESLUIT.geheim, Literal(bool(rec.secret)))
        self.add(st, BESLUIT.gevolg, Literal(rec.outcome.strip(), lang="nl") if rec.outcome.strip() else None)
        if self.kind != "notulen":
            return
        for uri in self.r.attendees(number):
            self.add(st, BESLUIT.heeftAanwezige, URIRef(uri))
        if rec.secret:
            return
        for names, pred in ((rec.voters_for, BESLUIT.heeftVoorstander), (rec.voters_against, BESLUIT.heeftTegenstander),
                            (rec.voters_abstain, BESLUIT.heeftOnthouder)):
            for uri in names or []:
                self.add(st, pred, URIRef(uri))
                self.add(st, BESLUIT.heeftStemmer, URIRef(uri))


def build_graph(record: Record, base: str, kind: str, published: date | None = None) -> Graph:
    return Builder(record, base, kind, published).build()
