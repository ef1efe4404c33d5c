from appliance.documents.structure import classify_type, document_date, extract_structure

LETTER = """Gemeente Belveld
Van: Dienst Omgeving
Aan: Familie Janssens
Belveld, 14 maart 2025
Ons kenmerk: OMV/2025/0113
Betreft: uw aanvraag omgevingsvergunning
Geachte heer, mevrouw,
Wij hebben uw aanvraag goed ontvangen.
Met vriendelijke groeten,"""

INVOICE = """FACTUUR
Factuurnummer: F-2025-0042   Factuurdatum: 02/01/2025
Omschrijving: huur feestzaal  Totaal te betalen: 250,00 EUR (btw 21 %)
Vervaldatum: 01/02/2025  Mededeling: +++090/9337/55493+++"""

DECISION = """Besluit van het college van burgemeester en schepenen van 5 juni 2024
Gelet op het decreet lokaal bestuur; Overwegende dat de straat een nieuwe naam krijgt;
Artikel 1. Het college beslist de straatnaam Kerkwegel toe te kennen."""

FRENCH_LETTER = """Objet : votre demande de carte de stationnement
Madame, Monsieur, nous avons bien reçu votre demande du 3 février 2025.
Notre référence : STAT-88/2025
Veuillez agréer, Madame, Monsieur, nos salutations distinguées."""


def test_types_of_typical_documents() -> None:
    assert classify_type(LETTER)[0] == "brief"
    assert classify_type(INVOICE)[0] == "factuur"
    assert classify_type(DECISION)[0] == "besluit"
    assert classify_type(FRENCH_LETTER)[0] == "brief"
    kind, confidence = classify_type("Lorem ipsum dolor sit amet.")
    assert kind == "other" and confidence < 0.8


def test_letter_fields() -> None:
    s = extract_structure(LETTER)
    assert s.document_date == "2025-03-14"
    assert {"label": "ons kenmerk", "value": "OMV/2025/0113"} in s.references
    assert s.sender == "Dienst Omgeving" and s.addressee == "Familie Janssens"


def test_dates_numeric_french_and_impossible() -> None:
    assert document_date(INVOICE) == "2025-01-02"
    assert document_date(FRENCH_LETTER) == "2025-02-03"
    assert document_date("vergadering van 31/02/2024") == ""


def test_mail_metadata_fills_sender() -> None:
    s = extract_structure("Hallo, graag een afspraak.", meta={"sender": "burger@example.org", "to": "info@belveld.be"})
    assert s.sender == "burger@example.org" and s.addressee == "info@belveld.be"
