"""The document templates of bench/pii_spans_make.py: each builds one invented document with its
labelled spans. Formats are drawn at random per document, so the three rounds differ."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from pii_spans_make import Doc, Make  # type: ignore[import-not-found]
from stdnum.be import bis as std_bis
from stdnum.be import eid as std_eid
from stdnum.be import nn as std_nn
from stdnum.be import ogm_vcs as std_ogm
from stdnum.be import vat as std_vat

P, A, NN, BIS, KBO, IBAN, EID, TEL, MAIL, PLATE, OGM, DOB = (
    "PERSON", "BE_ADDRESS", "BE_NATIONAL_NUMBER", "BE_BIS_NUMBER", "BE_ENTERPRISE_NUMBER", "IBAN",
    "BE_EID_CARD", "PHONE_NUMBER", "EMAIL_ADDRESS", "LICENSE_PLATE", "BE_OGM", "DATE_OF_BIRTH",
)
MONTHS_NL = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"]
MONTHS_FR = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
ABBR_NL = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
ABBR_FR = ["janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"]


def fmt_nn(r: random.Random, d: str) -> str:
    return r.choice([
        f"{d[:2]}.{d[2:4]}.{d[4:6]}-{d[6:9]}.{d[9:]}", d, f"{d[:6]} {d[6:9]} {d[9:]}",
        f"{d[:6]}-{d[6:9]}-{d[9:]}", f"{d[:2]} {d[2:4]} {d[4:6]} {d[6:9]} {d[9:]}",
        f"{d[:2]}.{d[2:4]}.{d[4:6]}-\n{d[6:9]}.{d[9:]}",
    ])


def fmt_kbo(r: random.Random, d: str) -> str:
    return r.choice([
        f"{d[:4]}.{d[4:7]}.{d[7:]}", f"BE {d[:4]}.{d[4:7]}.{d[7:]}", f"BE{d}", f"BE {d[:4]} {d[4:7]} {d[7:]}",
        f"be{d}", f"BE-{d[:4]}.{d[4:7]}.{d[7:]}", d,
    ])


def fmt_iban(r: random.Random, v: str) -> str:
    groups = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    return r.choice([
        groups, v, groups, f"{v[:2]} {v[2:4]} " + " ".join(v[i:i + 4] for i in range(4, len(v), 4)),
        v.lower(), groups.replace(" ", "."), groups[:10] + "\n" + groups[10:],
    ])


def fmt_date(r: random.Random, day: int, month: int, year: int, lang: str) -> str:
    if lang == "fr":
        names, abbr = MONTHS_FR, ABBR_FR
    elif lang == "en":
        names, abbr = MONTHS_EN, [m[:3] for m in MONTHS_EN]
    else:
        names, abbr = MONTHS_NL, ABBR_NL
    return r.choice([
        f"{day:02d}/{month:02d}/{year}", f"{day}.{month}.{year}", f"{day} {names[month - 1]} {year}",
        f"{day}-{names[month - 1]}-{year}", f"{day:02d}.{abbr[month - 1]}.{year}", f"{day} {abbr[month - 1]}. {year}",
        f"{day:02d} {month:02d} {year}", f"{day:02d}-{month:02d}-{year}", f"{year}-{month:02d}-{day:02d}",
    ])


def birth(r: random.Random) -> tuple[int, int, int]:
    return r.randint(1, 28), r.randint(1, 12), r.randint(1925, 2015)


def fmt_ogm(r: random.Random, d: str) -> str:
    return r.choice([f"+++{d[:3]}/{d[3:7]}/{d[7:]}+++", f"***{d[:3]}/{d[3:7]}/{d[7:]}***",
                     f"+++ {d[:3]} / {d[3:7]} / {d[7:]} +++", f"{d[:3]}/{d[3:7]}/{d[7:]}"])


def fmt_eid(r: random.Random, d: str) -> str:
    return r.choice([f"{d[:3]}-{d[3:10]}-{d[10:]}", f"{d[:3]} {d[3:10]} {d[10:]}", f"{d[:3]}-{d[3:10]}-{d[10:]}"])


def address(doc: Doc, m: Make, r: random.Random, fr: bool = False, lines: bool = False) -> Doc:
    """Street, number, postcode and place in one of the ways letters write them."""
    code, place = m.place(fr)
    street = f"{m.street(fr, abbreviated=r.random() < 0.3)} {m.house()}"
    style = r.random()
    if lines:
        return doc.p(street, A).t("\n").p(f"{code} {place}", A).t("\n")
    if style < 0.1:
        return doc.p(f"{street}, {place} {code}", A)
    if style < 0.2:
        return doc.p(f"{street} te {code} {place}", A) if not fr else doc.p(f"{street}, B-{code} {place}", A)
    return doc.p(f"{street}, {code} {place}", A)


def letter_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who, clerk = Doc("letter", "nl"), m.person(), m.person()
    d.t("Stad Herzele\nDienst Burgerzaken\n\n").t(f"Aan {r.choice(['de heer', 'mevrouw', 'dhr.', 'mevr.'])} ").p(who, P).t("\n")
    address(d, m, r, lines=True)
    d.t(f"\nHerzele, {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2024\nOns kenmerk: BZ/2024/{r.randint(100, 999)}\n\n")
    d.t("Betreft: uw aanvraag tot inschrijving\n\nGeachte,\n\nWij ontvingen uw aanvraag van ")
    d.t(f"{r.randint(1, 28)}.{r.randint(1, 12)}.2024. Uw rijksregisternummer ").p(fmt_nn(r, m.nn()), NN)
    d.t(" werd gecontroleerd. U kan ons bereiken op ").p(m.phone(), TEL).t(" of via ").p(m.email(clerk), MAIL)
    d.t(".\n\nMet vriendelijke groeten,\n\n").p(clerk, P).t("\nDiensthoofd Burgerzaken\n")
    return d


def lettre_fr(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("letter", "fr"), m.person(fr=True)
    d.t("Commune de Lasne\nService Population\n\n").t(f"{r.choice(['Monsieur', 'Madame'])} ").p(who, P).t("\n")
    address(d, m, r, fr=True, lines=True)
    d.t(f"\nLasne, le {r.randint(1, 28)} {r.choice(MONTHS_FR)} 2024\n\nObjet : changement d'adresse\n\n")
    d.t("Madame, Monsieur,\n\nNous avons bien reçu votre déclaration. Votre nouveau domicile, ")
    address(d, m, r, fr=True)
    d.t(", a été vérifié par l'agent de quartier. Numéro de registre national : ").p(fmt_nn(r, m.nn()), NN)
    d.t(".\nNé(e) le ").p(fmt_date(r, *birth(r), "fr"), DOB).t(".\n\nVeuillez agréer nos salutations distinguées.\n")
    d.t("Le Directeur général,\n").p(m.person(fr=True), P).t("\n")
    return d


def invoice_nl(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("invoice", "nl")
    amount = f"{r.randint(1, 9)}.{r.randint(100, 999)},{r.randint(10, 99)}"
    d.t(f"FACTUUR nr. 2024-{r.randint(1000, 9999)}\nFactuurdatum: {r.randint(1, 28)}/0{r.randint(1, 9)}/2024\n\n")
    d.t("Schilderwerken Noorderkempen BV\n").t("Ondernemingsnummer: ").p(fmt_kbo(r, m.kbo()), KBO).t("\n")
    address(d, m, r)
    d.t("\n\nKlant: ").p(m.person(), P).t("\n")
    address(d, m, r)
    d.t(f"\n\nOmschrijving: schilderwerken gevel, 42 m² à 38,50 EUR\nTotaal excl. btw: {amount} EUR\nBtw 21%\n")
    d.t("Te betalen vóór 30 dagen op rekening ").p(fmt_iban(r, m.iban()), IBAN)
    d.t(" met mededeling ").p(fmt_ogm(r, m.twelve(std_ogm)), OGM).t(".\nVragen? Bel ").p(m.phone(), TEL).t(".\n")
    return d


def facture_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("invoice", "fr")
    d.t(f"FACTURE n° F{r.randint(10000, 99999)}\nDate : {r.randint(1, 28)}.{r.randint(1, 12)}.2024\n\n")
    d.t("Menuiserie du Bocage SRL — TVA ").p(fmt_kbo(r, m.kbo()), KBO).t("\n")
    address(d, m, r, fr=True)
    d.t("\nTél. ").p(m.phone(), TEL).t("\n\nClient : ").p(m.person(fr=True), P).t("\n")
    address(d, m, r, fr=True)
    d.t(f"\n\nMontant total : {r.randint(100, 9999)},{r.randint(10, 99)} € TVAC (6 %)\n")
    d.t("À verser sur le compte ").p(fmt_iban(r, m.iban()), IBAN).t(" avec la communication structurée ")
    d.t("").p(fmt_ogm(r, m.twelve(std_ogm)), OGM).t(".\n")
    return d


def decision_nl(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("decision", "nl")
    mayor, alderman, applicant = m.person(), m.person(), m.person()
    d.t(f"Uittreksel uit de notulen van het college van burgemeester en schepenen van {r.randint(1, 28)} ")
    d.t(f"{r.choice(MONTHS_NL)} 2024\n\nAanwezig: ").p(mayor, P).t(", burgemeester; ").p(alderman, P).t(", schepen\n\n")
    d.t(f"Omgevingsvergunning OMV_2024{r.randint(100000, 999999)} - stedenbouwkundige handelingen\n\n")
    d.t("Feiten en context\nDe aanvraag werd ingediend door ").p(applicant, P).t(", wonende te ")
    address(d, m, r)
    d.t(", voor het verbouwen van een eengezinswoning gelegen ")
    d.p(f"{m.street()} {r.randint(1, 150)}", A)
    d.t(f", kadastraal gekend als afdeling 2, sectie B, nummer {r.randint(100, 999)}K.\n")
    d.t(f"Het openbaar onderzoek liep van 3 tot en met {r.randint(10, 30)} mei 2024; er werden {r.randint(0, 5)} ")
    d.t("bezwaarschriften ingediend.\n\nJuridische grond\nDe Vlaamse Codex Ruimtelijke Ordening, artikel 4.7.21.\n\n")
    d.t(f"Besluit\nArtikel 1. De vergunning wordt verleend onder voorwaarden.\nArtikel 2. De retributie van "
        f"{r.randint(50, 500)} euro wordt betaald binnen 30 dagen.\n")
    return d


def decision_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("decision", "fr")
    d.t(f"Extrait du registre aux délibérations du Collège communal — séance du {r.randint(1, 28)} ")
    d.t(f"{r.choice(MONTHS_FR)} 2024\n\nPrésents : ").p(m.person(fr=True), P).t(", Bourgmestre ; ")
    d.p(m.person(fr=True), P).t(", Échevine ; ").p(m.person(fr=True), P).t(", Directeur général.\n\n")
    d.t("Objet : permis d'urbanisme — demande de ").p(m.person(fr=True), P).t(", domicilié ")
    address(d, m, r, fr=True)
    d.t(".\n\nVu le Code du Développement Territorial, notamment l'article D.IV.15 ;\n")
    d.t(f"Considérant que la demande a été introduite le {r.randint(1, 28)}/{r.randint(1, 12):02d}/2024 ;\n")
    d.t(f"Considérant que le projet porte sur {r.randint(2, 12)} logements pour un montant de "
        f"{r.randint(200, 900)}.000 € ;\n\nDÉCIDE :\nArticle 1er. Le permis est octroyé.\n")
    return d


def mail_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, sender, clerk = Doc("mail", "nl"), m.person(), m.person()
    d.t("Van: ").p(sender, P).t(" <").p(m.email(sender), MAIL).t(">\nAan: ").p(m.email(clerk), MAIL)
    d.t("\nOnderwerp: parkeerkaart\n\nBeste,\n\n")
    d.t("Hierbij vraag ik een bewonerskaart aan voor mijn wagen met nummerplaat ").p(m.plate(), PLATE)
    d.t(". Ik woon sinds kort in de ").p(f"{m.street(abbreviated=r.random() < 0.4)} {m.house()}", A)
    d.t(r.choice([". ", " te " + m.place()[1] + ". "]))
    d.t("Mijn gsm-nummer is ").p(m.phone(), TEL).t(".\n\nAlvast bedankt,\n").p(sender, P).t("\n")
    return d


def mail_en(m: Make, r: random.Random, i: int) -> Doc:
    d, sender = Doc("mail", "en"), m.person(fr=r.random() < 0.5)
    d.t("From: ").p(m.email(sender), MAIL).t("\nSubject: registration of residence\n\nDear Sir or Madam,\n\n")
    d.t("My name is ").p(sender, P).t(", born on ").p(fmt_date(r, *birth(r), "en"), DOB)
    d.t(". I moved to ")
    address(d, m, r)
    d.t(f" on {r.randint(1, 28)} {r.choice(MONTHS_EN)} 2024. My national register number is ")
    d.p(fmt_nn(r, m.nn()), NN).t(" and my phone number is ").p(m.phone(), TEL).t(".\n\nKind regards,\n").p(sender, P)
    return d.t("\n")


def form_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("form", "nl"), m.person()
    d.t("AANVRAAGFORMULIER PREMIE ENERGIEBESPARENDE INVESTERINGEN\n\n1. Gegevens aanvrager\nNaam: ").p(who, P)
    d.t("\nAdres: ")
    address(d, m, r)
    d.t("\nGeboortedatum: ").p(fmt_date(r, *birth(r), "nl"), DOB)
    label, value = r.choice([("Rijksregisternummer", m.nn()), ("INSZ", m.nn()), ("BIS-nummer", m.nn(bis=True))])
    kind = BIS if label == "BIS-nummer" else NN
    d.t(f"\n{label}: ").p(fmt_nn(r, value), kind).t("\nTelefoon: ").p(m.phone(), TEL)
    d.t("\nE-mail: ").p(m.email(who), MAIL).t("\nRekeningnummer (IBAN): ").p(fmt_iban(r, m.iban()), IBAN)
    d.t(f"\n\n2. Investering\nFactuurbedrag: {r.randint(1000, 20000)},00 euro\nDatum factuur: "
        f"{r.randint(1, 28)}/{r.randint(1, 12)}/2024\nDossiernummer: PR-2024-{r.randint(1000, 9999)}\n")
    return d


def form_fr(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("form", "fr"), m.person(fr=True)
    d.t("DEMANDE DE CARTE DE STATIONNEMENT\n\nNom et prénom : ").p(who, P).t("\nDate de naissance : ")
    d.p(fmt_date(r, *birth(r), "fr"), DOB).t("\nNISS : ").p(fmt_nn(r, m.nn()), NN)
    d.t("\nN° de carte d'identité : ").p(fmt_eid(r, m.twelve(std_eid)), EID)
    d.t("\nAdresse : ")
    address(d, m, r, fr=True)
    d.t("\nPlaque d'immatriculation : ").p(m.plate(), PLATE).t("\nGSM : ").p(m.phone(), TEL).t("\n")
    return d


def police_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who, agent = Doc("report", "nl"), m.person(), m.person()
    d.t(f"PROCES-VERBAAL nr. GE.{r.randint(10, 99)}.L{r.randint(1, 9)}.{r.randint(100000, 999999)}/2024\n\n")
    d.t("Op datum van heden werd een voertuig met kenteken ").p(m.plate(), PLATE)
    d.t(" aangetroffen ter hoogte van ").p(f"{m.street()} {r.randint(1, 200)}", A)
    d.t(". De bestuurder, ").p(who, P).t(" (° ").p(fmt_date(r, *birth(r), "nl"), DOB).t("), toonde zijn ")
    d.t("identiteitskaart met kaartnummer ").p(fmt_eid(r, m.twelve(std_eid)), EID)
    d.t(f". Snelheid gemeten: {r.randint(60, 110)} km/u in een zone 50.\nVerbalisant: inspecteur ").p(agent, P)
    return d.t("\n")


def mistyped_nl(m: Make, r: random.Random, i: int) -> Doc:
    """Numbers with one digit wrong right after their label: a redaction officer must see them."""
    d, who = Doc("form", "nl"), m.person()
    bad_nn = m.mistype(m.nn(), lambda v: std_nn.is_valid(v) or std_bis.is_valid(v))
    d.t("Naam: ").p(who, P).t(f"\n{r.choice(['Rijksregisternummer', 'Rijksregisternr.', 'INSZ-nummer', 'RRN'])}: ")
    d.p(fmt_nn(r, bad_nn), NN).t("\n")
    if r.random() < 0.5:
        bad_kbo = m.mistype(m.kbo(), std_vat.is_valid)
        d.t("Ondernemingsnummer: ").p(f"{bad_kbo[:4]}.{bad_kbo[4:7]}.{bad_kbo[7:]}", KBO).t("\n")
    else:
        d.t("Telefoon: ").p(m.phone(), TEL).t("\n")
    d.t(f"Opmerking: nummer overgeschreven van een handgeschreven formulier op {r.randint(1, 28)}/05/2024.\n")
    return d


def mistyped_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("form", "fr")
    bad_nn = m.mistype(m.nn(), lambda v: std_nn.is_valid(v) or std_bis.is_valid(v))
    d.t("Demandeur : ").p(m.person(fr=True), P).t("\nNuméro de registre national : ").p(fmt_nn(r, bad_nn), NN)
    d.t("\nCompte IBAN : ").p(fmt_iban(r, m.iban()), IBAN).t("\n")
    return d


def foreign_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("mail", "nl"), m.person()
    country = r.choice(["NL", "DE", "NL"])
    d.t("Beste,\n\nDe terugbetaling van de waarborg mag op de Nederlandse rekening " if country == "NL"
        else "Beste,\n\nDe terugbetaling van de waarborg mag op de Duitse rekening ")
    d.p(fmt_iban(r, m.iban(country)), IBAN).t(" van ").p(who, P).t(". Zij is bereikbaar op ")
    d.p(m.phone(), TEL).t(" en via ").p(m.email(who), MAIL).t(".\n\nGroeten\n")
    return d


def register_nl(m: Make, r: random.Random, i: int) -> Doc:
    """A table of persons as exported from a register, one per line, numbers without labels."""
    d = Doc("table", "nl")
    d.t("Naam;Adres;Rijksregisternr.;Geboren\n")
    for _ in range(r.randint(2, 4)):
        code, place = m.place()
        who = m.person()
        d.p(who, P).t(";").p(f"{m.street()} {m.house()}, {code} {place}", A).t(";")
        d.p(fmt_nn(r, m.nn()).replace("\n", ""), NN).t(";")  # a cell holds no line break
        day, month, year = birth(r)
        d.p(f"{day:02d}/{month:02d}/{year}", DOB).t("\n")
    return d


def places_only(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("letter", "nl")
    code, place = m.place()
    if r.random() < 0.5:
        d.t("De zitting vindt plaats in het gemeentehuis, ").p(f"{place} {code}", A)
    else:
        d.t("Correspondentieadres: Postbus 12, ").p(f"{code} {place}", A)
    d.t(f". Op de agenda: {r.randint(3, 12)} punten, waaronder de jaarrekening 2023 en het meerjarenplan 2020-2025.\n")
    d.t("Inlichtingen bij ").p(m.person(), P).t(", ").p(m.email(m.person()), MAIL).t(".\n")
    return d


def clean_nl(m: Make, r: random.Random, i: int) -> Doc:
    """No personal data at all, with numbers that look like some."""
    d = Doc("policy", "nl")
    d.t(f"Reglement retributie op het gebruik van de containerparken\n\nArtikel 1. Voor het aanleveren van "
        f"grofvuil wordt een retributie van {r.randint(1, 9)},{r.randint(10, 99)} euro per 100 kg aangerekend.\n")
    d.t(f"Artikel 2. Het reglement van {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2019 wordt opgeheven. ")
    d.t(f"Zie dossier 2024/{r.randint(1000, 9999)}/{r.randint(10, 99)} en besluit nr. 2024_GR_{r.randint(100, 999):05d}.\n")
    d.t(f"Artikel 3. Dit reglement treedt in werking op 1 januari 2025. Budget: {r.randint(100, 999)}.{r.randint(100, 999)} EUR "
        f"op budgetsleutel 0610-00/6140000.\nGoedgekeurd met {r.randint(15, 25)} stemmen voor, {r.randint(0, 9)} tegen.\n")
    d.t(f"De zitting begon om 19.30 uur in zaal 2. Factuurnummer leverancier: {r.randint(100000000, 999999999)}. "
        f"Referentie bestek: 2024-{r.randint(100, 999)}-AB.\n")
    return d


def clean_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("policy", "fr")
    d.t(f"Règlement-taxe sur la délivrance de documents administratifs (exercices 2025 à 2030)\n\nArticle 1er. "
        f"Il est établi une taxe de {r.randint(2, 20)} € par document.\nArticle 2. Le règlement du "
        f"{r.randint(1, 28)} {r.choice(MONTHS_FR)} 2018 est abrogé.\n")
    d.t(f"Article 3. Le montant total estimé est de {r.randint(10, 99)} {r.randint(100, 999)},00 EUR (code budgétaire "
        f"040/361-04). Référence : DGO5/{r.randint(100, 999)}/2024. Vote : {r.randint(10, 20)} oui, {r.randint(0, 5)} non.\n")
    d.t(f"Publié le {r.randint(1, 28)}/{r.randint(1, 12):02d}/2024 conformément à l'article L1133-1 du CDLD.\n")
    return d


def minutes_nl(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("decision", "nl")
    d.t(f"Gemeenteraad van {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2024\n\nAanwezig: ").p(m.person(), P)
    d.t(", voorzitter; ").p(m.person(), P).t(", ").p(m.person(), P).t(", raadsleden.\n\n")
    d.t(f"Punt {r.randint(1, 20)}. Verkoop perceel grond aan ").p(m.person(), P).t(" en ").p(m.person(), P)
    d.t(", samenwonend op het adres ")
    address(d, m, r)
    d.t(f", voor de prijs van {r.randint(50, 250)}.000,00 euro. Geboren op ").p(fmt_date(r, *birth(r), "nl"), DOB)
    d.t(" en ").p(fmt_date(r, *birth(r), "nl"), DOB)
    d.t(f" respectievelijk.\nDe akte wordt verleden op {r.randint(1, 28)}.{r.randint(1, 12)}.2025 voor notaris ")
    d.p(m.person(), P).t(".\n")
    return d


def vat_en(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("invoice", "en")
    d.t("INVOICE 2024/").t(str(r.randint(100, 999))).t("\nSupplier: Flanders Data Services BV, VAT ")
    d.p(fmt_kbo(r, m.kbo()), KBO).t("\nContact: ").p(m.person(), P).t(", ").p(m.phone(), TEL).t("\n")
    d.t("Bill to: City of Aalst, attn. ").p(m.person(), P).t("\nPlease pay EUR ")
    d.t(f"{r.randint(1, 9)},{r.randint(100, 999)}.{r.randint(10, 99)} to ").p(fmt_iban(r, m.iban()), IBAN)
    d.t(" quoting ").p(fmt_ogm(r, m.twelve(std_ogm)), OGM).t(f" within 30 days. Order no. PO-{r.randint(10000, 99999)}.\n")
    return d


def parking_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("letter", "fr")
    d.t(f"Redevance de stationnement n° {r.randint(100000, 999999)}\n\nLe {r.randint(1, 28)}/{r.randint(1, 12):02d}/2024 "
        f"à {r.randint(8, 18)}h{r.randint(10, 59)}, le véhicule immatriculé ").p(m.plate(), PLATE)
    d.t(" était stationné ").p(f"{m.street(fr=True, abbreviated=r.random() < 0.5)} {r.randint(1, 120)}", A)
    d.t(f" sans ticket valable (zone bleue).\nMontant : {r.randint(15, 35)},00 €, à verser au compte ")
    d.p(fmt_iban(r, m.iban()), IBAN).t(" avec la communication ").p(fmt_ogm(r, m.twelve(std_ogm)), OGM)
    d.t(".\nTitulaire de la plaque : ").p(m.person(fr=True), P).t(".\n")
    return d


def bis_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("form", "nl"), m.person(fr=r.random() < 0.3)
    d.t("Inschrijving in het wachtregister\n\nDe betrokkene, ").p(who, P).t(", heeft geen rijksregisternummer. ")
    d.t(r.choice(["BIS-nummer: ", "Haar identificatienummer (BIS) is ", "INSZ (BIS): "])).p(fmt_nn(r, m.nn(bis=True)), BIS)
    d.t(".\nVerblijfsdocument: elektronische kaart, kaartnummer ").p(fmt_eid(r, m.twelve(std_eid)), EID)
    d.t(f".\nTolk aangevraagd voor {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2024 om 10.00 uur.\n")
    return d


def reminder_nl(m: Make, r: random.Random, i: int) -> Doc:
    d, who = Doc("letter", "nl"), m.person()
    d.t("Tweede herinnering\n\n").p(who, P).t("\n")
    address(d, m, r, lines=True)
    d.t(f"\nUw factuur van {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2024 ({r.randint(20, 400)},{r.randint(10, 99)} EUR) ")
    d.t("voor de ophaling van huisvuil is nog niet betaald. Gelieve te storten op ").p(fmt_iban(r, m.iban()), IBAN)
    d.t(" met de gestructureerde mededeling ").p(fmt_ogm(r, m.twelve(std_ogm)), OGM)
    d.t(". Voertuig in de vergunning: ").p(m.plate(), PLATE).t(f". Klantnummer {r.randint(100000, 999999)}.\n")
    return d


def lookalikes_nl(m: Make, r: random.Random, i: int) -> Doc:
    """Numbers, dates and capitalised words that resemble personal data but are none."""
    d = Doc("report", "nl")
    d.t(f"Verslag werfbezoek {r.randint(1, 28)}/{r.randint(1, 12):02d}/2024, fase {r.randint(1, 4)}\n\n")
    d.t(f"Temperatuur {r.randint(2, 30)} °C op {r.randint(1, 28)}.{r.randint(1, 12)}.2024; wind {r.randint(1, 6)} Bft.\n")
    d.t(f"Hoofdstuk {r.randint(2, 9)}, artikel {r.randint(1, 40)}.{r.randint(1, 9)} van het bestek {r.randint(2020, 2024)}-"
        f"{r.randint(100, 999)}. Zone 30 en zone {r.choice([50, 70])} blijven behouden.\n")
    d.t(f"Vergadering {r.randint(1, 12)} keurde post {r.randint(1, 99)} goed: {r.randint(1, 99)}.{r.randint(100, 999)}"
        f".{r.randint(100, 999)},{r.randint(10, 99)} EUR (btw 21 %, {r.randint(1, 99)} {r.randint(100, 999)} "
        f"{r.randint(100, 999)} kWh).\n")
    d.t(f"Referentie {r.randint(100, 999)}/{r.randint(1000, 9999)}/{r.randint(10000, 99999)}; dossiernr. "
        f"{r.randint(10, 99)}.{r.randint(10, 99)}.{r.randint(10, 99)}-{r.randint(100, 999)}; Verordening (EU) 2016/679; "
        f"KB van {r.randint(1, 28)} {r.choice(MONTHS_NL)} {r.randint(1960, 2010)}.\n")
    d.t(f"Bijlage {r.randint(1, 9)}: plan schaal 1/{r.choice([100, 200, 500])}, perceel {r.randint(100, 999)}A, "
        f"lot {r.randint(1, 20)}, N{r.randint(10, 70)} richting E{r.choice([17, 40, 313, 34])}.\n")
    return d


def lookalikes_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("report", "fr")
    d.t(f"Arrêté n° {r.randint(2020, 2024)}/{r.randint(100, 999)} du {r.randint(1, 28)} {r.choice(MONTHS_FR)} 2024\n\n")
    d.t(f"Vu le décret du {r.randint(1, 28)} {r.choice(MONTHS_FR)} {r.randint(1990, 2020)} ; vu la circulaire "
        f"n° {r.randint(1, 9)}.{r.randint(1, 9)}.{r.randint(10, 99)} ;\n")
    d.t(f"Le marché n° MP-{r.randint(2020, 2024)}-{r.randint(100, 999)} est attribué pour {r.randint(10, 99)} "
        f"{r.randint(100, 999)},{r.randint(10, 99)} € HTVA ; délai : {r.randint(30, 120)} jours ouvrables.\n")
    d.t(f"Section {r.choice('ABCD')}, parcelle n° {r.randint(100, 999)}{r.choice('FGHK')}, superficie {r.randint(2, 99)} a "
        f"{r.randint(10, 99)} ca. Température de consigne : {r.randint(18, 22)} °C le {r.randint(1, 28)}/{r.randint(1, 12)}/2024.\n")
    return d


def name_forms_nl(m: Make, r: random.Random, i: int) -> Doc:
    """The name forms the issue lists: title chains, a role word before the name, surname first,
    initials; and institutions and eponyms that are no persons."""
    d = Doc("decision", "nl")
    surname = m.person().split(" ", 1)[1]
    d.t(f"Advies van {r.choice(['Prof. Dr.', 'Dr.', 'Mr.', 'Prof.'])} ").p(surname, P)  # the title may stay
    d.t(f" (UZ Gent) over de aanvraag van {r.randint(1, 28)} {r.choice(MONTHS_NL)} 2024.\n")
    applicant = m.person()
    d.t(r.choice(["Aanvrager ", "Verzoeker ", "Eigenaar ", "Huurder "])).p(applicant, P).t(" vraagt een tegemoetkoming.\n")
    d.t("Deelnemerslijst:\n")
    for _ in range(r.randint(2, 3)):
        first, last = m.person().split(" ", 1)
        d.p(f"{last.upper()} {first}", P).t("\n")
    first, last = m.person().split(" ", 1)
    d.t("Verslag: ").p(f"{first[0]}. {last}", P).t(". Dossier behandeld in het Erasmus MC en het AZ Sint-Jan; "
                                                  "geen aanwijzing voor de ziekte van Alzheimer of Parkinson.\n")
    return d


def name_forms_fr(m: Make, r: random.Random, i: int) -> Doc:
    d = Doc("decision", "fr")
    surname = m.person(fr=True).split(" ", 1)[1]
    d.t(f"Rapport du {r.choice(['Dr', 'Pr', 'Me'])} ").p(surname, P).t(" concernant le ")
    d.t(r.choice(["demandeur ", "requérant ", "propriétaire "])).p(m.person(fr=True), P).t(".\n")
    first, last = m.person(fr=True).split(" ", 1)
    d.t("Présents : ").p(f"{last.upper()} {first}", P).t(", ").p(m.person(fr=True), P).t(".\n")
    d.t("Le CHU Saint-Pierre et l'Institut Jules Bordet ont été consultés (maladie de Parkinson exclue).\n")
    return d


TEMPLATES: list[Callable[[Make, random.Random, int], Any]] = [
    letter_nl, lettre_fr, invoice_nl, facture_fr, decision_nl, decision_fr, mail_nl, mail_en, form_nl, form_fr,
    police_nl, mistyped_nl, mistyped_fr, foreign_nl, register_nl, places_only, clean_nl, clean_fr, minutes_nl,
    vat_en, parking_fr, bis_nl, reminder_nl, lookalikes_nl, lookalikes_fr,
    name_forms_nl, name_forms_fr,
]
