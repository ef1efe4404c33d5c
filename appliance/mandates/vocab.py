"""The vocabularies of the Mandatendatabank and the OSLO Besluit publicatie profile (namespaces only)."""

from __future__ import annotations

from rdflib import Namespace

BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
MANDAAT = Namespace("http://data.vlaanderen.be/ns/mandaat#")
PERSOON = Namespace("http://data.vlaanderen.be/ns/persoon#")
ORG = Namespace("http://www.w3.org/ns/org#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
LBLODLG = Namespace("http://data.lblod.info/vocabularies/leidinggevenden/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCT = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
SCHEMA = Namespace("http://schema.org/")
EXT = Namespace("http://mu.semte.ch/vocabularies/ext/")
