"""Write bench/pii_names_dev.jsonl: invented Belgian letters, decisions, mails and lists (nl/fr)
with their person names labelled, for bench/pii_names_bench.py.

Each text below marks a person's name as [[name]]; the script removes the brackets and computes the
character offsets, so no offset is typed by hand. Titles, forms of address and roles stay outside the
brackets (a redaction that also covers "mevrouw" is fine; one that leaves the surname is not).
Institutions, diseases and streets named after people are written without brackets: they are the
texts on which precision is measured. Every name and document here is made up.

    python bench/make_pii_names_dev.py   # writes bench/pii_names_dev.jsonl and pii_names_holdout.jsonl
"""

from __future__ import annotations

import json
import re
from pathlib import Path

OUT = Path(__file__).with_name("pii_names_dev.jsonl")
MARK = re.compile(r"\[\[(.+?)\]\]")

DOCS = [
    # 1. Letter, nl
    """Stad Aalst - Dienst Omgeving
Aan mevrouw [[Hilde Vermeersch]]
Kerkstraat 14, 9300 Aalst

Geachte mevrouw [[Vermeersch]],

Uw aanvraag voor een omgevingsvergunning werd op 3 maart ontvangen. Het dossier wordt behandeld
door [[Koen De Wilde]] van de dienst ruimtelijke ordening. Voor vragen kan u ook terecht bij
Mevr. [[Sofie Claeys]].

Met vriendelijke groeten,
[[Stijn Van Damme]]
Diensthoofd Omgeving""",
    # 2. College decision, nl
    """Uittreksel uit de notulen van het college van burgemeester en schepenen van 12 mei
Aanwezig: [[Bart Coppens]], burgemeester; [[Mieke Verhaeghe]], [[Jan Vanden Bussche]], [[Tom Lenaerts]],
schepenen; [[Frank Vandendriessche]], algemeen directeur.
Verontschuldigd: [[Lieve Moens]], schepen.

Het college neemt kennis van het bezwaar van de heer [[Dirk Hendrickx]] tegen de vergunning voor
het perceel aan de Molenstraat. Aanvrager [[Jan Peeters]] werd gehoord op 2 mei.
Schepen [[Lenaerts]] onthoudt zich. Burgemeester [[Coppens]] ondertekent de brief.""",
    # 3. Mail, nl
    """Van: [[Sarah Claes]] <sarah.claes@example.org>
Aan: Dienst Burgerzaken
Onderwerp: afspraak identiteitskaart

Dag mevrouw [[Goossens]],

Mijn zoon [[Lucas Mertens]] heeft een nieuwe identiteitskaart nodig. Mijn echtgenoot [[Pieter Mertens]]
komt hem ophalen. Kan dat op dinsdag?

Groeten,
[[Sarah Claes]]""",
    # 4. Attendance list, surname first
    """Aanwezigheidslijst infovergadering Ringweg Zuid
[[PEETERS Jan]]
[[JANSSENS Marie-Louise]]
[[VAN DEN BROECK Els]]
[[DE SMET Wouter]]
[[MAES Annick]]
[[WILLEMS Guy]]
Verontschuldigd: [[Goossens, Kristof]]; [[Wouters, Nathalie]]; [[Dubois, Jean-Marc]]""",
    # 5. Decision with initials and titles, nl
    """Besluit van de gemeenteraad
Gelet op het advies van Prof. Dr. [[Peeters]] van de Universiteit Gent;
Gelet op het verslag van ir. [[K. Vandenberghe]], stedenbouwkundige;
Gelet op de nota van [[J. Janssens]], juridisch adviseur, en van [[A.-M. Jacobs]];
Gelet op het bezwaar van dhr. [[Willy Van Acker]] en van Mr. [[Luc Verstraeten]], advocaat van de buren;
Verzoeker [[Yasmina El Amrani]] werd niet gehoord.""",
    # 6. French letter
    """Commune de Waterloo - Service Population
Madame [[Catherine Lefèvre]]
Rue de la Station 8
1410 Waterloo

Madame [[Lefèvre]],

Nous avons bien reçu votre demande. Le demandeur, M. [[Olivier Renard]], sera entendu par
l'échevin [[Philippe Lambert]] le 14 juin. Votre avocat, Me [[Nathalie Dupont]], peut y assister.

Veuillez agréer, Madame, nos salutations distinguées.
[[Isabelle Martin]]
Directrice générale""",
    # 7. French decision
    """Le Collège communal, en séance du 3 avril,
Présents : [[Marc Delvaux]], Bourgmestre ; [[Anne Simon]], [[Michel Leclercq]], Échevins ;
[[Julie Renson]], Directrice générale.
Vu la requête introduite par Mme [[Véronique Dumont]] ;
Vu l'avis de [[J.-P. Dubois]], conseiller en environnement ;
Le requérant, [[Thierry Lejeune]], a été entendu ;
La requérante [[Fatima Benali]] n'était pas présente.""",
    # 8. Mail, fr
    """De : [[Nicolas Hubert]]
À : urbanisme@commune.example
Objet : permis

Bonjour Monsieur [[Lemaire]],

Je vous transmets les plans de mon voisin, [[Pascal Gilson]]. Mme [[Denise Collard]] vous
contactera également. Mon architecte est [[Sébastien Piette]].

Cordialement,
[[Nicolas Hubert]]""",
    # 9. OCMW social report, nl (institutions that are no persons)
    """Sociaal verslag
Cliënt [[Ahmed Benali]] werd op 12 januari opgenomen in het AZ Sint-Jan en daarna in het
Sint-Jan ziekenhuis in Brugge. Zijn behandelend arts, dokter [[Els Vanhoutte]], verwijst naar het
Erasmus MC voor een tweede advies. Er is een vermoeden van de ziekte van Alzheimer (M. Alzheimer);
de neuroloog sluit de ziekte van Parkinson uit. Maatschappelijk werker: [[Inge Dewaele]].""",
    # 10. Street names after persons
    """Adreswijziging
De heer [[Marc Verbeke]] verhuist van de Koning Albertlaan 12 naar de Jan Frans Willemsstraat 7
in Gent. Zijn dochter [[Lotte Verbeke]] blijft wonen in de Pater Damiaanstraat 4. Het pand in
de rue Jean Jaurès 25 te Charleroi wordt verkocht aan mevrouw [[Chantal Hermans]].""",
    # 11. Minutes, council
    """Notulen gemeenteraad
Raadslid [[Ilse Vercammen]] vraagt of de renovatie van de sporthal klaar is. Schepen [[Geert Wuyts]]
antwoordt dat de werken in september eindigen. Raadslid [[Karim Ouali]] stelt een bijkomende vraag.
Voorzitter [[Rita Smets]] sluit het debat. De stemming: 18 ja, 3 neen.""",
    # 12. Police report, nl
    """Proces-verbaal
Op 4 juli meldde [[Kevin Maes]], wonende te Lier, dat zijn fiets gestolen werd. Getuige
[[Ann De Clercq]] zag een man wegrijden. De verdachte, [[Jonas Wouters]], werd later
aangetroffen door inspecteur [[Bram Geerts]].""",
    # 13. List, comma form
    """Lijst van de begunstigden van de premie
1. [[Claes, Joris]]
2. [[Van Hecke, Sandra]]
3. [[Declercq, Tim]]
4. [[Lambrechts, Evelien]]
5. [[Vervoort, Bert]]""",
    # 14. French list
    """Liste des participants
[[DUPONT Marie]]
[[LAMBERT Christophe]]
[[FRANÇOIS Sylvie]]
[[MARTIN Jean-Luc]]
Excusés : [[Renard, Pierre]] ; [[Gérard, Anne]]""",
    # 15. Mail with first names only and signature
    """Hallo [[Wout]],

Kan jij het dossier van [[Marleen Bogaerts]] nakijken? [[Jef]] van de financiële dienst heeft de
factuur al goedgekeurd. Vraag ook even aan [[Nele Van Gorp]] of de handtekening van [[Marleen]] klopt.

Groetjes,
[[Tine]]""",
    # 16. Court / appeal, nl
    """Beroepschrift
Verzoekende partij: [[Hendrik Ghysels]], bijgestaan door meester [[Liesbeth Van Roey]], advocaat.
Verwerende partij: de stad Mechelen, vertegenwoordigd door haar college.
De verzoeker stelt dat [[G. Verhoeven]], de vorige eigenaar, de bouwovertreding beging.""",
    # 17. French court
    """Requête en annulation
La partie requérante, [[Sophie Wautier]], représentée par Maître [[Bernard Michaux]], conteste
la décision du Collège. Le défendeur [[Laurent Dasnoy]] estime que l'avis de [[M. Van Campenhout]],
expert, est suffisant. Le témoin, Mme [[Yvonne Lacroix]], confirme.""",
    # 18. HR decision, nl
    """Personeelsbesluit
[[Evi Van Dyck]] wordt benoemd tot deskundige dienst burgerzaken. [[Marc Vandenbroucke]],
diensthoofd, zal haar begeleiden. Het dossier werd voorbereid door [[Katrien Baert]] van de
personeelsdienst en nagelezen door [[Peter Schepens]].""",
    # 19. Invitation, nl with institutions
    """Uitnodiging
De stad nodigt u uit op de opening van de Jan Palfijn-zaal in het Museum Dr. Guislain.
Spreker is [[Nadia Bouzid]] van de Universiteit Antwerpen. De prijs van de Stichting Koning
Boudewijn wordt overhandigd door [[Ludo Verhaegen]]. Inschrijven kan bij [[Joke Van Laere]].""",
    # 20. Complaint, nl
    """Klacht
Ik, [[Dries Mortier]], wil klacht indienen tegen mijn buurman [[Filip Segers]]. Zijn hond blaft
elke nacht. Ook mevrouw [[Segers]] doet er niets aan. Mijn buurvrouw [[Rosa Van Hoof]] kan dit
bevestigen.""",
    # 21. French social
    """Rapport social
Madame [[Aïcha Mansouri]] est suivie par le CPAS depuis 2021. Son fils [[Yanis Mansouri]] fréquente
l'Athénée Royal Jules Bordet. L'assistante sociale, [[Céline Hardy]], a rencontré le directeur,
M. [[Vincent Mathieu]]. La famille est orientée vers l'Institut Jules Bordet pour un suivi.""",
    # 22. Decision with burgemeester and secretary signature
    """Namens het college,
De algemeen directeur,          De burgemeester,
[[Greet Van den Bossche]]        [[Wim Driesen]]

Voor eensluidend afschrift,
[[Greet Van den Bossche]]""",
    # 23. Permit hearing, names after roles
    """Hoorzitting
Bezwaarindiener [[Sven Cools]] licht zijn bezwaar toe. De architect, [[Hanne Dierckx]], antwoordt.
Ook eigenaar [[Rudi Heylen]] en huurder [[Ayoub Amrani]] zijn aanwezig. De notaris, [[Pieter-Jan Michiels]],
bezorgt de akte.""",
    # 24. Mixed short notices
    """Overlijdensbericht: [[Maria Van de Velde]], weduwe van [[Gustaaf Pauwels]], overleed op 2 mei.
Huwelijk: [[Thomas Dhondt]] en [[Laura D'Hondt]] trouwen op 6 juni.
Geboorte: [[Noah]], zoon van [[Jolien Baeten]] en [[Kobe Nijs]].""",
    # 25. French mail
    """Madame, Monsieur,
Suite à notre entretien avec M. [[François Delhaye]] et Mme [[Martine Servais]], nous confirmons
que le dossier de [[Kevin Lardinois]] est complet. Le Dr [[Antoine Goffin]] a remis son rapport.
Bien à vous,
[[Emilie Lecomte]], assistante sociale""",
]

# Written after the rules were done and never used to change them: a check that the rules are not
# fitted to DOCS (bench/pii_names_holdout.jsonl).
HOLDOUT = [
    """Verslag van het overleg met de bewonersgroep Heidebloem
Voor de stad: schepen van mobiliteit [[Kathleen Deprez]] en ambtenaar [[Bjorn Vanhaelewyn]].
Voor de bewoners: [[Gilbert Huysmans]] (woordvoerder), [[Nancy Ruelens]] en [[Mohamed Aït Lahcen]].
[[Huysmans]] vraagt een zone 30. Mevrouw [[Ruelens]] steunt hem.""",
    """Madame [[Géraldine Vandevelde]],
Suite à votre courrier du 3 mars, l'échevine des travaux, Mme [[Corinne Blondiau]], a demandé au
service technique d'examiner la situation. M. [[Raphaël Dethier]], chef de service, prendra contact
avec vous.
Veuillez agréer, Madame, l'expression de nos sentiments distingués.
Pour le Collège,
[[Luc Stassart]], Bourgmestre""",
    """Inschrijvingslijst zwemlessen
1. [[VERHELST Lore]]
2. [[BOUCHAOUI Amira]]
3. [[VAN DE WALLE Mats]]
4. [[D'HAENE Febe]]
Ouder/voogd: [[Vanderlinden, Katrien]]""",
    """Van: [[Joris Van Gucht]]
Verzonden: dinsdag
Aan: [[An Vermeire]]
Onderwerp: RE: parkeerkaart

Dag [[An]],
De parkeerkaart van mevrouw [[Yvette Lambrechts]] is verlopen. Kan [[Dimitri]] van de onthaalbalie
haar bellen? Haar zoon, [[Kenneth Lambrechts]], regelt de betaling.
Mvg,
[[Joris]]""",
    """Besluit van de burgemeester
De burgemeester,
Gelet op het verslag van inspecteur [[S. Cnudde]] van de politiezone;
Overwegende dat de heer [[Patrick Meersschaert]] en mevrouw [[Linda Everaert]] de woning bewonen;
Overwegende dat de eigenaar, [[Etienne Van Parys]], niet reageerde;
Besluit: de woning aan de Stationsstraat 14 wordt ongeschikt verklaard.""",
    """Rapport d'intervention
Le plaignant, [[Jean-Claude Mottet]], signale des nuisances sonores. Son voisin, [[Kevin Marchal]],
conteste. L'agent de quartier [[Sandrine Gobert]] s'est rendue sur place. Le dossier est transmis à
Maître [[Olivier Hanquet]], avocat de la commune.""",
    """Jury aanwerving
Voorzitter: dr. [[Marijke Lauwers]]
Leden: [[Hans Coene]], [[Ilse De Paepe]], prof. [[Dirk Schotte]]
Secretaris: [[Annelies Waegeman]]
Kandidaten: [[Niels Verbrugghe]], [[Sara El Idrissi]], [[Jasper Dhaenens]]""",
    """Uitnodiging receptie
Het gemeentebestuur nodigt u uit in het Cultureel Centrum De Schakel en het AZ Groeninge-auditorium.
De Vlaamse minister werd uitgenodigd. Er is een rondleiding in het Dr. Jozef Lippensinstituut
en in de basisschool Sint-Vincentius. Contact: [[Bart Declercq]].""",
]


def parse(marked: str) -> dict[str, object]:
    """The text without markers and the PERSON spans the markers stood around."""
    text, spans, cursor = [], [], 0
    length = 0
    for m in MARK.finditer(marked):
        before = marked[cursor : m.start()]
        text.append(before)
        length += len(before)
        spans.append({"start": length, "end": length + len(m.group(1)), "kind": "PERSON"})
        text.append(m.group(1))
        length += len(m.group(1))
        cursor = m.end()
    text.append(marked[cursor:])
    return {"text": "".join(text), "spans": spans}


def main() -> None:
    for out, docs in ((OUT, DOCS), (OUT.with_name("pii_names_holdout.jsonl"), HOLDOUT)):
        rows = [parse(d) for d in docs]
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        n = sum(len(r["spans"]) for r in rows)  # type: ignore[arg-type]
        print(f"{out.name}: {len(rows)} documents, {n} PERSON spans")


if __name__ == "__main__":
    main()
