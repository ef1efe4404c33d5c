"""The kind of fact a short question asks for, and sentences that carry one (appliance.ask.asked)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from appliance.ask import compose, relevance
from appliance.ask.asked import (
    asked_clause,
    asked_kind,
    asked_subject,
    asking_word,
    asks_way,
    carries,
    counted,
    counted_thing,
    hour_words,
    light_words,
    names_qualifiers,
    polar_words,
    priced_words,
    qualifiers,
    rate_unit,
    subject_words,
    wh_subject,
    which_subject,
    without_reason,
)


@pytest.mark.parametrize(("question", "kind"), [
    ("Hoeveel kost een reispas in de dringende procedure?", "amount"),
    ("Combien coûte un passeport pour un mineur ?", "amount"),
    ("How much do I pay per kilogram for asbestos?", "amount"),
    # What a sum of money comes to is an amount, not any number ('binnen drie maanden').
    ("Hoeveel bedraagt het leefloon voor een alleenstaande per maand?", "amount"),
    ("À combien s'élève la prime de naissance ?", "amount"),
    ("Binnen hoeveel dagen beslist het college?", "number"),
    ("How many seats does the council have?", "number"),
    ("Tot hoe laat is het loket open op donderdag?", "time"),
    ("Quand a lieu la collecte des sapins ?", "time"),
    ("Wat is het e-mailadres van de bibliotheek?", "email"),
    ("Wie beslist over een omgevingsvergunning?", ""),
    ("Hoeveel kost " + "een lange brief over vele zaken " * 12 + "?", ""),  # a letter asks several things
    # A way: a channel, a place, a step; 'hoe lang', 'hoe hoog', 'hoe heet' ask something else.
    ("Hoe meld ik een kapotte straatlamp?", "way"),
    ("Wat moet ik doen als mijn rijbewijs verloren is?", "way"),
    ("Waar dien ik mijn bouwaanvraag in?", "way"),
    ("Bij welke dienst vraag ik een evenementvergunning aan?", "way"),
    ("Comment signaler un nid-de-poule ?", "way"),
    ("Que faut-il faire pour obtenir une carte de riverain ?", "way"),
    ("Où dois-je déposer ma demande ?", "way"),
    ("How do I register a change of address?", "way"),
    ("What should I do if I lose my passport?", "way"),
    # Who to turn to is a way too: 'wie moet ik verwittigen', 'waar kan ze terecht', 'qui dois-je prévenir'.
    ("Er ligt een boom over de weg. Wie moet ik verwittigen?", "way"),
    ("Mijn vader zoekt hulp met zijn computer. Waar kan hij terecht?", "way"),
    ("Bij wie kunnen senioren terecht voor een warme maaltijd?", "way"),
    ("Qui dois-je prévenir si un arbre tombe sur la route ?", "way"),
    ("Who should I call if a tree blocks the road?", "way"),
    ("Wie is de burgemeester van Belveld?", ""),
    ("Who is the mayor of Belveld?", ""),
    # A yes/no question about a cost asks for an amount ('gratis' or a price answers it); other kinds come first.
    ("Ik wil een kopie van een besluit op papier. Is dat betalend?", "amount"),
    ("Moet ik daarvoor iets betalen?", "amount"),
    ("Est-ce que la copie est payante ?", "amount"),
    ("Is it free to visit the recycling park?", "amount"),
    ("Do I have to pay for a paper copy?", "amount"),
    ("Hoeveel keer per jaar mag ik grofvuil gratis laten ophalen?", "number"),
    ("Waar kan ik gratis parkeren?", "way"),
    ("Hoe lang is een reispas geldig?", "number"),
    ("Hoe hoog is de boete voor zwerfvuil?", ""),
    ("Hoe heet de nieuwe straat?", ""),
    ("Comment s'appelle la nouvelle rue ?", ""),
    ("Welk nummer moet ik bellen om een put in de weg te melden?", "phone"),
    ("Quel numéro dois-je appeler pour le signaler ?", "phone"),
    ("What number can I call to report it?", "phone"),
    ("Tel.nr. van het containerpark?", "phone"),  # the usual abbreviation
    ("Tel ik mee als inwoner van Belveld?", ""),  # to count, no phone
    ("Wie moet ik bellen als er een boom op de weg ligt?", "way"),
    ("Wat is het nummer van mijn dossier?", ""),
])
def test_asked_kind(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_carries() -> None:
    assert carries("amount", "Een tweede kaart kost € 50 per jaar.")
    assert carries("amount", "De eerste kaart is gratis.")
    assert not carries("amount", "Voor asbest betaalt u een bijdrage per kilogram.")
    assert not carries("amount", "Het loket is open tot 16 uur.")
    assert carries("number", "U mag er maximaal twee uur parkeren.")
    assert carries("time", "Zone Zuid: elke woensdag.")
    assert not carries("time", "De bibliotheek wordt een Digipunt.")
    # A weekday opens a Dutch compound; a month does not ('meisje', 'marsepein').
    assert carries("time", "Elke woensdagnamiddag helpen vrijwilligers inwoners met hun smartphone.")
    assert carries("time", "Het containerpark is open op zaterdagvoormiddag.")
    assert not carries("time", "Een meisje vroeg om marsepein.")
    assert carries("email", "Mail naar info@belveld.example.") and not carries("email", "Mail ons.")
    assert carries("phone", "Telefonisch op het nummer 099 55 66 77.")
    assert carries("phone", "Bij brand belt u het nummer 112.") and carries("phone", "En cas d'incendie, appelez le 112.")
    assert not carries("phone", "U krijgt binnen 10 werkdagen een antwoord.")
    assert not carries("phone", "Met dat nummer kunt u de stand van uw melding opvragen.")
    assert carries("", "anything")
    # A way: a channel or a place to go, or an instruction; not the subject alone nor a duty.
    assert carries("way", "Via het e-loket op de website: kies Melding openbaar domein.")
    assert carries("way", "Per e-mail aan omgeving@belveld.example.")
    assert carries("way", "Daarna vraagt u een nieuwe kaart aan bij het loket Burgerzaken.")
    assert carries("way", "Raak ze niet aan en houd afstand.")
    assert carries("way", "Apportez une photo récente en couleur.")
    assert carries("way", "Vous recevrez vos codes par courrier.")
    assert not carries("way", "Elke Belg van 12 jaar of ouder moet een elektronische identiteitskaart hebben.")
    assert not carries("way", "Ziet u een put in de weg of een straatlamp die niet brandt?")
    assert not carries("way", "Reispas volwassene: normale procedure € 85,00; dringende procedure € 270,00")
    # 'doen' in 'wat moet ik doen' asks for a way; only a way question leaves it out of what a quote must carry.
    assert asks_way("doen") and asks_way("Meebrengen") and not asks_way("melden")
    assert not asking_word("moet")  # 'Tot wanneer moet een vereniging …' keeps it, as before


def test_a_way_is_measured_on_what_it_is_for_not_on_the_words_that_ask_for_it() -> None:
    """'Wie moet ik verwittigen?' is answered by 'Bel de politie op 101': a quote does not have to carry 'moet' or
    'verwittigen', only the situation the question tells; other questions keep every word."""
    assert subject_words("Er is een diepe put in onze straat gezakt. Wie moet ik verwittigen?") == {
        "diepe", "put", "straat", "gezakt"}
    assert subject_words("Bij wie kan ik terecht met vragen over mijn energiefactuur?") == {"vragen", "energiefactuur"}
    assert subject_words("Wat moet ik doen om mijn vereniging te laten erkennen?") == {"vereniging", "laten", "erkennen"}
    assert "moet" in subject_words("Tot wanneer moet een vereniging de subsidie aanvragen?")


@pytest.mark.parametrize(("question", "word"), [
    ("Hoeveel bezwaren kwamen er binnen tegen de nieuwe naam?", "bezwaren"),
    ("How many days before a planned leave must staff ask?", "days"),
    ("Combien de jours faut-il attendre ?", "jours"),
    ("Binnen hoeveel werkdagen ruimt de gemeente het op?", "werkdagen"),
    ("Wie beslist over een omgevingsvergunning?", ""),
    ("Hoeveel bezwaren " + "en een lange brief over vele zaken " * 12 + "?", ""),  # a letter asks several things
])
def test_counted(question: str, word: str) -> None:
    assert counted(question) == word


def test_a_how_many_question_gets_the_sentences_that_name_what_it_counts_first() -> None:
    """'Hoeveel bezwaren …': a sentence with a date scores higher on the question's other words, but
    only the one that names the objections answers it."""
    passage = compose.Passage(1, "De nieuwe naam van de Oude Stationsweg gaat in op 1 september 2026. "
                                 "Er werden vier bezwaren ingediend, die in bijlage worden besproken. "
                                 "Er kwamen 12 adviezen binnen over de verkeersplannen.", document=1)
    question = "Hoeveel bezwaren kwamen er binnen tegen de nieuwe naam voor de Oude Stationsweg?"
    plain = compose.candidates(question, [passage], {})
    assert plain[0].text.startswith("De nieuwe naam")  # the question's other words score highest
    counted_first = compose.candidates(question, [passage], {}, kind="number")
    assert counted_first[0].text.startswith("Er werden vier bezwaren")
    assert [c.text for c in counted_first[1:]] == [c.text for c in plain if not c.text.startswith("Er werden vier")]
    # Without a counted word nothing moves.
    other = "Wanneer gaat de nieuwe naam van de Oude Stationsweg in?"
    assert [c.text for c in compose.candidates(other, [passage], {}, kind="number")] == \
        [c.text for c in compose.candidates(other, [passage], {})]


def test_a_dutch_compound_names_what_is_counted_a_french_word_ending_alike_does_not() -> None:
    nl = compose.Passage(1, "Het college beslist op 3 maart. De gemeente komt binnen 10 werkdagen ter plaatse.",
                         language="nl", document=1)
    assert compose.candidates("Binnen hoeveel dagen komt de gemeente ter plaatse?", [nl], {},
                              kind="number")[0].text.startswith("De gemeente komt binnen 10 werkdagen")
    fr = compose.Passage(1, "Le permis de bâtir se demande toujours au guichet, depuis le 3 mars. Comptez 20 jours.",
                         language="fr", document=1)
    question = "Combien de jours faut-il pour obtenir le permis de bâtir ?"
    assert compose.candidates(question, [fr], {})[0].text.startswith("Le permis")  # more of the question's words
    # 'toujours' ends in 'jours' but names no days: the sentence with '20 jours' comes first.
    assert compose.candidates(question, [fr], {}, kind="number")[0].text == "Comptez 20 jours."


@pytest.mark.parametrize(("question", "clause"), [
    ("Mijn buurman kreeg zijn vergunning. Hoeveel dagen moet hij wachten?", "Hoeveel dagen moet hij wachten?"),
    ("Un cycliste signale un trou. Dans quel délai la commune vient-elle ?", "Dans quel délai la commune vient-elle ?"),
    ("Wat kost een reispas?", ""),  # one sentence
    ("Ik heb een vraag. Wat kost het? Dank u.", ""),  # the last sentence does not ask
    ("Ik woon in de Dorpstraat. " * 12 + "Wanneer?", ""),  # a letter asks several things
])
def test_asked_clause(question: str, clause: str) -> None:
    assert asked_clause(question) == clause


def test_a_situation_told_first_does_not_make_the_answer_off_question() -> None:
    permit = compose.Passage(1, "U mag pas beginnen 36 dagen na de aanplakking van de beslissing. "
                                "Het openbaar onderzoek loopt 30 dagen.", "Omgevingsvergunning", "nl")
    question = ("Mijn buurman heeft gisteren zijn vergunning gekregen en de beslissing hangt aan zijn gevel. "
                "Hoeveel dagen moet hij wachten voor hij mag beginnen?")
    cands = compose.candidates(question, [permit], {}, language="nl", kind="number")
    answer = next(c for c in cands if "36" in c.text)
    # Against the whole question the quote carries too little (the situation's words are not in it) ...
    assert answer.carried < 0.34 <= answer.carried_clause
    assert not compose.off_question(question, "nl", [answer], 0.34)
    # ... and a quote sharing no word with the situation is measured as the gate measures a passage (the situation's
    # words at half weight): too little of the question for the public inquiry's 30 days.
    other = next(c for c in cands if "30" in c.text)
    assert other.carried_clause < 0.34
    assert compose.off_question(question, "nl", [other], 0.34)
    # One sentence is measured whole, as before.
    single = "Hoeveel dagen moet mijn buurman met zijn vergunning en de beslissing wachten voor hij mag beginnen?"
    alone = next(c for c in compose.candidates(single, [permit], {}, language="nl", kind="number") if "36" in c.text)
    assert alone.carried_clause == 0.0


@pytest.mark.parametrize(("question", "asked"), [
    ("Wat kost een Kids-ID als het dringend moet, bijvoorbeeld omdat we volgende week op reis gaan?",
     "Wat kost een Kids-ID als het dringend moet?"),
    ("Combien coûte une carte de riverain, par exemple parce que je viens de déménager ?",
     "Combien coûte une carte de riverain?"),
    ("How much is a passport, for example because we travel next week, in the urgent procedure?",
     "How much is a passport in the urgent procedure?"),
    ("Wat kost een Kids-ID, bijvoorbeeld want we gaan op reis? En hoe lang duurt het?",
     "Wat kost een Kids-ID? En hoe lang duurt het?"),
    ("Quel est le délai, par exemple parce qu'il y a urgence ?", "Quel est le délai?"),
    # A plain reason may be the condition asked about; an example alone may be the subject; without a
    # comma, or with too little left, or in a long question: as it is.
    ("Kan ik een premie krijgen, omdat ik een zonneboiler plaats?", "Kan ik een premie krijgen, omdat ik een zonneboiler plaats?"),
    ("Can I get a grant, because I insulate my roof?", "Can I get a grant, because I insulate my roof?"),
    ("Zijn er premies, bijvoorbeeld voor zonnepanelen?", "Zijn er premies, bijvoorbeeld voor zonnepanelen?"),
    ("Wat kost een Kids-ID bijvoorbeeld omdat we op reis gaan?", "Wat kost een Kids-ID bijvoorbeeld omdat we op reis gaan?"),
    ("Waarom, bijvoorbeeld omdat het moet?", "Waarom, bijvoorbeeld omdat het moet?"),
    ("Quel est le prix d'une carte ?", "Quel est le prix d'une carte ?"),
    ("Which forms, for example wanted by the archive, are public?",
     "Which forms, for example wanted by the archive, are public?"),
    ("Hoeveel kost " + "een lange brief over vele zaken " * 12 + ", bijvoorbeeld omdat het moet?",
     "Hoeveel kost " + "een lange brief over vele zaken " * 12 + ", bijvoorbeeld omdat het moet?"),
])
def test_a_reason_the_asker_gives_is_not_what_is_asked(question: str, asked: str) -> None:
    assert without_reason(question) == asked


def test_a_yes_no_question_about_a_cost_is_answered_by_a_price_or_gratis() -> None:
    """'Is dat betalend?' asks for an amount: the sentence that names the document asked for, without a
    price, does not answer it."""
    passage = compose.Passage(1, "Beschrijf zo duidelijk mogelijk welk besluit u zoekt en of u een kopie op papier wilt. "
                                 "Een kopie op papier kost 0,10 euro per bladzijde. Inkijken is gratis.", document=1)
    question = "Ik wil een kopie op papier van een besluit. Is dat betalend?"
    plain = compose.candidates(question, [passage], {})
    assert plain[0].text.startswith("Beschrijf")  # it shares the most words with the question
    priced = compose.candidates(question, [passage], {}, kind=asked_kind(question))
    assert [c.text for c in priced] == ["Een kopie op papier kost 0,10 euro per bladzijde.", "Inkijken is gratis."]


@pytest.mark.parametrize(("question", "words"), [
    ("Van hoe laat tot hoe laat is de sporthal open?", {"laat"}),
    ("À quelle heure ferme le guichet ?", {"heure"}),
    ("What time does the pool open on Sundays?", {"time"}),
    ("Ik ben te laat met mijn aangifte. Wat nu?", set()),  # 'te laat' asks no hour
])
def test_hour_words(question: str, words: set[str]) -> None:
    assert hour_words(question) == words
    assert not words & subject_words(question)


@pytest.mark.parametrize(("question", "words"), [
    ("Ik heb mijn parkeerschijf vergeten en nu een boete. Hoeveel moet ik betalen?", {"heb"}),
    ("Mon passeport expire. Je suis adulte : combien vais-je payer ?", {"mon", "suis"}),
    ("Tot hoe laat ben ik welkom aan het loket?", {"laat", "ben"}),
    # and the pronouns the stopword lists lack
    ("Ik ben verhuisd. Welke dag wordt bij ons het restafval opgehaald?", {"ben", "ons"}),
    ("Votre bibliothèque organise-t-elle un cours pour moi ?", {"votre", "moi"}),
    ("Can your office send them my file?", {"your", "them"}),
    # the words that ask for a duration: a term given never says them
    ("Hoe lang duurt het voor de straatlamp hersteld is?", {"lang"}),
    ("Combien de temps ai-je pour contester la décision ?", {"temps"}),
    ("How long do they have to decide on a request?", {"long"}),
    # the indefinite pronouns; not an adverb that is an adjective too ('gewoon': the normal procedure)
    ("J'aimerais pratiquer mon néerlandais. La commune propose-t-elle quelque chose ?", {"mon", "quelque", "chose"}),
    ("Is there someone I can call about a broken street light?", {"someone"}),
    ("Onze zoon heeft een Kids-ID nodig. Wat kost dat, gewoon niet dringend?", set()),
    # Verbs that say something stay: what the asker wants, or may do.
    ("We willen trouwen in het gemeentehuis. Wat kost de ceremonie?", set()),
    ("Puis-je déposer des pneus au parc à conteneurs ?", set()),
])
def test_light_words(question: str, words: set[str]) -> None:
    """A short question's measures leave out the function words the stopword lists lack (the auxiliaries' other
    forms, pronouns: 'heb', 'suis', 'ons', 'your'), as they do the words that ask for an hour."""
    assert light_words(question) == words
    assert not words & subject_words(question)
    assert not words & relevance._relevance_words(question)


def test_a_long_question_keeps_its_verb_forms() -> None:
    """A letter (over MAX_CHARS) is measured on all its words, as it always was: the Chamber's questions among them."""
    letter = "Ik heb vernomen dat de gemeente de reglementen over het parkeren wijzigt. " * 5 + "Wat verandert er?"
    assert "heb" in relevance._relevance_words(letter) and not light_words(letter)


def test_a_form_of_hebben_the_corpus_never_writes_does_not_keep_the_answer_out() -> None:
    """'heb' weighs as the rarest word of a corpus that never writes 'ik heb': left in, it kept the fine's passage
    under the gate for 'Ik … heb nu een boete. Hoeveel moet ik betalen?'."""
    from appliance.ask.answering import MIN_RELEVANCE
    from appliance.index.text import passage_terms, weighted_coverage

    question = "Ik was mijn parkeerschijf vergeten in de Kerkstraat en heb nu een boete. Hoeveel moet ik betalen?"
    fines = "Boetes\nWie geen parkeerschijf legt, betaalt een gemeentelijke administratieve sanctie van € 58."
    weights = {"heb": 4.9, "hoeveel": 4.9, "vergeten": 3.8, "kerkstraat": 3.8, "moet": 3.5, "parkeerschijf": 3.5,
               "boete": 3.3, "betalen": 2.4}
    words = relevance._relevance_words(question)
    assert "heb" not in words and relevance.relevance(question, fines, weights) >= MIN_RELEVANCE
    assert weighted_coverage(words | {"heb"}, weights, passage_terms(fines)) < MIN_RELEVANCE  # weighed, it kept it out


def test_a_sentence_that_shares_only_the_hour_asking_word_is_off_question() -> None:
    hall = compose.Passage(1, "Kinderen die de sleutel van de sporthal te laat terugbrengen, betalen 10 euro per dag.",
                           "", "nl")
    question = "Ik sport alleen met de kinderen in de sporthal. Van hoe laat tot hoe laat is die dan open?"
    kept = compose.candidates(question, [hall], {}, language="nl", kind="time")
    # 'te laat' is not the asked 'hoe laat': the asking sentence keeps one word ('open'), too few to measure on
    # alone, and the whole question is carried for less than half.
    assert len(kept) == 1 and kept[0].carried_clause == 0.0 and kept[0].carried < 0.5
    assert compose.off_question(question, "nl", kept, 0.5)


@pytest.mark.parametrize(("question", "thing"), [
    ("Hoeveel leden moet een vereniging minstens hebben om erkend te worden?", "leden"),
    ("Binnen hoeveel werkdagen ruimt de gemeente het op?", "werkdagen"),
    ("How many public computers will the library have?", "public"),
    ("Combien de jours faut-il attendre ?", "jours"),
    ("Hoeveel parkeerplaatsen zijn er in de blauwe zone?", "parkeerplaatsen"),
    ("Hoeveel kost een reispas?", ""),  # 'hoeveel' asks the quantity of a verb: its subject follows
    ("Hoeveel betaal ik voor een bewonerskaart?", ""),
    ("Hoeveel moet ik betalen als ik mijn parkeerschijf vergeet?", ""),
    ("Hoeveel tijd heb ik om in beroep te gaan?", ""),  # answered in units ('drie maanden')
    ("Combien de temps puis-je garder un livre ?", ""),
    ("Wie beslist over een omgevingsvergunning?", ""),
])
def test_counted_thing(question: str, thing: str) -> None:
    assert counted_thing(question) == thing


def _quote(text: str, context: str = "") -> compose.Candidate:
    return compose.Candidate(1, 1, text, 0.9, context, "nl", carried=0.9)


def test_how_many_x_is_off_question_unless_a_quote_names_x() -> None:
    """Figures of the association (a deadline, a budget) do not say how many members it needs, however much of
    the question's other words they carry; the sentence before a quote does not name it for the quote."""
    question = "Hoeveel leden moet een vereniging minstens hebben om erkend te worden?"
    budget = compose.Candidate(1, 1, "In 2026 is het totale budget € 84.000.", 0.9, "Subsidies voor verenigingen",
                               "nl", carried=0.9, previous="Het budget wordt verdeeld volgens aantal leden uit Belveld.")
    deadline = _quote("Erkende verenigingen dienen jaarlijks vóór 31 maart een werkingsverslag in.")
    assert compose.off_question(question, "nl", [budget, deadline], 0.34)
    members = _quote("Een erkende vereniging telt minstens 15 leden.")
    assert not compose.off_question(question, "nl", [deadline, members], 0.34)
    # In its heading path, it is named too ('Projectsubsidie > … tot € 2.500').
    grant = _quote("U kunt tot € 2.500 aanvragen.", "Subsidies > Projectsubsidie")
    assert not compose.off_question("Hoeveel projectsubsidie kan een vereniging krijgen?", "nl", [grant], 0.34)
    # A verb sharing the noun's stem does not name it: pupils who visit the library are no count of its visitors.
    visits = _quote("Elke klas van de basisscholen bezoekt de bibliotheek minstens twee keer per jaar.")
    assert compose.off_question("Hoeveel bezoekers had de bibliotheek vorig jaar?", "nl", [visits], 0.34)
    assert not compose.off_question("Hoeveel bezoekers had de bibliotheek vorig jaar?", "nl",
                                    [_quote("De bibliotheek telde 41.000 bezoekers.")], 0.34)
    # The question as asked names what is counted where the matched one has its compounds split.
    zone = _quote("U mag er maximaal twee uur parkeren in de blauwe zone.")
    split = "Hoeveel parkeer plaatsen zijn er in de blauwe zone?"
    assert not compose.off_question(split, "nl", [zone], 0.34, "Hoeveel uur mag ik parkeren in de blauwe zone?")
    assert compose.off_question(split, "nl", [zone], 0.34, "Hoeveel parkeerplaatsen zijn er in de blauwe zone?")
    # A model's translation is not read for what it counts ('Hoeveel vooruit moet …' for 'How far in advance …').
    advance = _quote("Reserveer de tafels minstens drie weken vooraf bij de uitleendienst.")
    translated = "Hoeveel vooruit moet een vereniging de tafels reserveren bij de uitleendienst?"
    assert compose.off_question(translated, "nl", [advance], 0.34)
    assert not compose.off_question(translated, "nl", [advance], 0.34, "")
    assert compose.counting("How far in advance must we book?", translated, True) == ""
    assert compose.counting("Combien de places y a-t-il ?", "Hoeveel plaatsen zijn er?", True) == "Hoeveel plaatsen zijn er?"
    assert compose.counting("Hoeveel parkeerplaatsen zijn er?", "Hoeveel parkeer plaatsen zijn er?", False) == \
        "Hoeveel parkeerplaatsen zijn er?"
    # A question that counts nothing by name is measured as before.
    assert not compose.off_question("Hoeveel kost een werkingsverslag van een erkende vereniging?", "nl",
                                    [deadline], 0.34)


@pytest.mark.parametrize(("question", "words"), [
    ("Kan ik met mijn smartphone betalen voor parkeren in de blauwe zone?", {"smartphone", "parkeren", "blauwe", "zone"}),
    ("Mijn buurman bouwt een tuinhuis. Moet hij daarvoor een vergunning aanvragen?", {"vergunning", "aanvragen"}),
    # The verb that ends the main clause names nothing where two other words are named; a condition's verb stays.
    ("Is de gemeenteraad een subsidie geven als ik een warmtepomp invoert?",
     {"gemeenteraad", "subsidie", "warmtepomp", "invoert"}),
    ("Mag ik mijn hond meenemen naar de bibliotheek?", {"hond", "bibliotheek"}),
    ("Is de bibliotheek op zondag open?", {"bibliotheek", "zondag", "open"}),  # 'open' is no verb
    ("Puis-je déposer des pneus au parc à conteneurs ?", {"deposer", "pneus", "parc", "conteneurs"}),
    ("Is the library open on Christmas Day?", {"library", "open", "christmas", "day"}),
    # French asks with the verb after its subject, unless a word before it asks what.
    ("La bibliothèque est-elle ouverte le dimanche ?", {"bibliotheque", "ouverte", "dimanche"}),
    ("Jusqu'à quelle heure le guichet est-il ouvert le jeudi ?", set()),
    ("Dans quel délai la commune intervient-elle ?", set()),
    ("Moet ik daarvoor betalen?", set()),  # too little left to name anything
    ("Hoeveel kost een reispas?", set()),  # no yes/no question
    ("Wanneer is het loket open?", set()),
])
def test_polar_words(question: str, words: set[str]) -> None:
    assert polar_words(question) == words


@pytest.mark.parametrize(("question", "subject"), [
    ("Krijgen studenten korting op de warme maaltijden aan huis?", "studenten"),
    # A condition after the main clause tells when, not what is asked about.
    ("Krijgen kinderen een boete als ze boeken te laat terugbrengen?", "kinderen"),
    ("Kan ik de bewonerskaart aanvragen bij de dienst mobiliteit?", "bewonerskaart"),
    ("Is er een zwembad in Belveld?", "zwembad"),
    # The asker's own things are the situation; 'iets' names nothing.
    ("Mag ik mijn hond meenemen in de bibliotheek?", "bibliotheek"),
    ("Moet ik iets betalen voor een tweede bewonerskaart?", "tweede"),
    ("Mijn buurman bouwt een tuinhuis. Moet hij daarvoor een vergunning aanvragen?", "vergunning"),
    # A question that asks a way: what it is for.
    ("Hoe kan ik een vergaderzaal in de bibliotheek reserveren voor onze vereniging?", "vergaderzaal"),
    ("Hoe kan je een vergaderzaal reserveren?", "vergaderzaal"),  # 'je' is who asks, not whose
    ("Waar vraag ik een bewonerskaart aan en wat moet ik daarvoor meebrengen?", "bewonerskaart"),
    ("Hoe kan ik dat melden?", ""),  # only the verb that ends the clause
    ("Bestaat er een hondenbelasting?", "hondenbelasting"),
    ("How do I register my dog with the municipality?", ""),  # the verb comes first: no thing
    ("Can I register my dog at the town hall?", ""),
    ("Wat moet ik doen als mijn identiteitskaart gestolen is?", ""),  # no opening that names it first
    ("Hoeveel kost een reispas?", ""),  # neither
])
def test_asked_subject(question: str, subject: str) -> None:
    assert asked_subject(question) == subject


@pytest.mark.parametrize(("question", "words"), [
    ("Combien coûte un permis de conduire à la commune ?", {"permis", "conduire", "commune"}),
    ("Hoeveel betaal ik voor een reispas voor mijn dochter van 15?", {"reispas"}),  # her own, a number: the situation
    ("Combien dois-je payer pour un passeport ?", {"passeport"}),
    ("Tot welk bedrag kan een vereniging een projectsubsidie aanvragen?", {"vereniging", "projectsubsidie", "aanvragen"}),
    # A situation told first: the asking sentence names nothing more.
    ("Iemand is vergeten zijn parkeerschijf te leggen. Hoeveel moet hij betalen?", set()),
    ("Hoeveel dagen verlof krijg ik?", set()),  # no price
])
def test_priced_words(question: str, words: set[str]) -> None:
    assert priced_words(question) == words


def test_a_price_is_quoted_only_for_the_thing_the_question_prices() -> None:
    eid = _quote("La carte d'identité électronique (eID) coûte 25 euros en procédure normale.", "Services en français")
    assert not compose.names_any({"permis"}, set(), [eid])  # 'Combien coûte un permis de conduire ?'
    assert compose.names_any({"electronique"}, set(), [eid])


def test_a_quote_must_name_one_of_the_yes_no_questions_rarest_words() -> None:
    words = {"smartphone", "betalen", "parkeren", "blauwe", "zone"}
    fine = _quote("Wie de parkeerduur in de blauwe zone overschrijdt, betaalt € 58.", "Parkeren > Boetes")
    assert not compose.names_any({"smartphone"}, words, [fine])
    assert compose.names_any({"blauwe"}, words, [fine])
    assert compose.names_any({"boetes"}, {"boetes", "zone"}, [fine])  # its heading path
    assert compose.names_any(set(), words, [fine])  # nothing asked by name: no vote
    # A part of a compound names it: the Sunday morning opening answers whether the reading room opens on Sunday.
    sunday = _quote("Op zondagvoormiddag opent de leeszaal van 10 tot 12 uur.")
    asked = {"leeszaal", "zondag", "open"}
    assert compose.names_any({"zondag"}, asked, [sunday]) and not compose.names_any({"maandag"}, asked, [sunday])
    assert compose.names_any({"vergunning"}, {"vergunning", "nodig"},
                             [_quote("Een omgevingsvergunning is nodig vanaf 40 m².")])
    # One quote names the rare word and another of the question: a rule on music 'van zaterdag op zondag' beside
    # the library's opening days does not say whether the library opens on Sunday.
    music = _quote("Muziek mag tot 1 uur in de nacht van zaterdag op zondag.", "Evenementen op het openbaar domein")
    days = _quote("De bibliotheek is open van dinsdag tot en met zaterdag.")
    assert not compose.names_any({"zondag"}, {"bibliotheek", "zondag", "open"}, [days, music])


def test_a_yes_no_question_answered_in_another_language_needs_a_quote_naming_two_of_its_words() -> None:
    """'Is er een zwembad in Belveld?' translated into French: a French sentence about Belveld's language carries
    half of 'Est-ce qu'il y a une piscine à Belveld ?', each word weighing the same, but names only Belveld."""
    belveld = compose.Candidate(1, 1, "Belveld est une commune flamande : la langue administrative est le néerlandais.",
                                0.6, "Services en français", "fr")
    translated = "Est-ce qu'il y a une piscine à Belveld ?"
    assert compose.off_across(translated, "fr", [belveld], 0.34)
    # Without a usable translation closeness in meaning decides alone, but not whether the answer is yes or no.
    assert compose.off_across("", "fr", [belveld], 0.34, "Is er een zwembad in Belveld?")
    assert not compose.off_across("", "fr", [belveld], 0.34, "Welke taal spreekt men in Belveld?")
    pool = compose.Candidate(2, 1, "La piscine communale de Belveld est ouverte tous les jours.", 0.6, "", "fr")
    assert not compose.off_across(translated, "fr", [belveld, pool], 0.34)
    # Not a yes/no question: measured as before (half of its words).
    assert not compose.off_across("Où est la piscine de Belveld ?", "fr", [belveld], 0.34)


def test_a_question_that_asks_an_hour_is_answered_only_by_a_quote_that_gives_one() -> None:
    question = "Ik kan alleen op zaterdag naar de bibliotheek. Van hoe laat tot hoe laat is die open?"
    fine = _quote("De boete voor te laat ingeleverde materialen bedraagt 0,20 euro per week per item.", "Bibliotheek")
    hours = _quote("De bibliotheek is open van dinsdag tot en met zaterdag, van 10 tot 17 uur.", "Bibliotheek")
    assert compose.off_question(question, "nl", [fine], 0.34)
    assert not compose.off_question(question, "nl", [hours, fine], 0.34)
    # In another language too: an address 'Marktplein 1' is no hour.
    town_hall = compose.Candidate(1, 1, "La maison communale se trouve au Marktplein 1.", 0.6, "", "fr")
    assert compose.off_question("Vanaf hoe laat mag ik weer parkeren op het Marktplein?", "nl", [town_hall], 0.34)


@pytest.mark.parametrize(("question", "unit"), [
    ("Hoeveel dagen per week mag ik thuiswerken?", "week"),
    ("Je rends un livre en retard. Combien dois-je payer par semaine ?", "semaine"),
    ("How many days a week may I work from home?", "week"),
    ("Hoe vaak per jaar haalt de gemeente grofvuil op?", "jaar"),
    ("Hoeveel kost een bewonerskaart?", ""),
    ("Can I park here for an hour?", ""),  # 'an hour' is how long, not a rate: only after 'per', or 'a/each' + a unit
])
def test_rate_unit(question: str, unit: str) -> None:
    assert rate_unit(question) == unit


def test_a_rate_is_answered_only_by_a_quote_that_names_its_unit() -> None:
    question = "Hoeveel dagen per week mag ik als personeelslid van thuis uit werken?"
    start = _quote("U mag pas beginnen 36 dagen na de dag van aanplakking van de beslissing.", "Start der werken")
    weekly = _quote("Een personeelslid mag twee dagen per week van thuis uit werken.")
    assert compose.off_question(question, "nl", [start], 0.34)  # days, but not a week's
    assert not compose.off_question(question, "nl", [weekly], 0.34)
    assert names_qualifiers("Hoeveel per week?", "0,20 euro per week")


def test_an_ordinal_is_answered_only_by_a_quote_that_names_it() -> None:
    question = "Hoeveel kost een derde bewonerskaart?"
    assert qualifiers(question) == {"derde"}
    cards = _quote("De eerste kaart per gezin is gratis, een tweede kaart kost € 50 per jaar.")
    assert compose.off_question(question, "nl", [cards], 0.34)
    assert not compose.off_question("Hoeveel kost een tweede bewonerskaart?", "nl", [cards], 0.34)
    assert qualifiers("Combien coûte une troisième carte par an ?") == {"troisieme"}  # 'an' is too short to be read


@pytest.mark.parametrize(("question", "thing"), [
    ("Je werk bij de gemeente: welke verlofdagen hebben we naast de wettelijke feestdagen?", "verlofdagen"),
    ("Welke afvalsoorten worden in het recyclagepark gescheiden ingezameld?", "afvalsoorten"),
    ("Bij welke dienst vraag ik toelating voor een straatfeest?", "dienst"),
    ("At welke tijd is het loket Burgerzaken gesloten op zaterdag?", ""),  # the kind of fact asked, not the thing
    ("Tot welk bedrag kan een vereniging een projectsubsidie aanvragen?", ""),
    ("Vanaf welke dikte is een vergunning nodig?", ""),
    ("Wat kost een bewonerskaart?", ""),
])
def test_which_subject(question: str, thing: str) -> None:
    assert which_subject(question) == thing


@pytest.mark.parametrize(("question", "thing"), [
    ("Wanneer is het recyclagepark open op zondag?", "recyclagepark"),
    ("Hoe lang is een rijbewijs geldig?", "rijbewijs"),
    ("Tot hoe laat mag de muziek spelen op ons straatfeest als het regent?", "muziek"),
    ("Wanneer wordt mijn container geleegd?", ""),  # the asker's own: the situation, which the pages name otherwise
    ("Tot hoe laat kan ik de gemeente bellen?", ""),  # the asker's doing: a way
    ("Waar kan ik een bewonerskaart aanvragen?", ""),
    ("Hoeveel kost een bewonerskaart?", ""),
])
def test_wh_subject(question: str, thing: str) -> None:
    assert wh_subject(question) == thing


def test_a_quote_sharing_only_what_is_asked_is_off_question() -> None:
    """A number for another thing shares only 'nummer' and 'bellen' with the question, however much of it they
    weigh; a quote that names the thing asked about, in itself, its heading path or the sentence it leans on, is kept."""
    question = "De verwarming van de sporthal is stuk. Welk nummer moet ik bellen?"
    waste = _quote("Voor vragen over uw afvalophaling belt u het nummer 099 12 34 50.")
    assert compose.off_question(question, "nl", [waste], 0.34)
    hall = _quote("Bel het nummer 099 12 34 60.", "Sport > Sporthal")
    assert not compose.off_question(question, "nl", [waste, hall], 0.34)
    leaning = compose.Candidate(1, 1, "Bel dan het nummer 099 12 34 60.", 0.9, "Sport", "nl", carried=0.9,
                                previous="Valt de verwarming uit?", carried_previous=0.5)
    assert not compose.off_question(question, "nl", [leaning], 0.34)
    assert compose.off_question(question, "nl", [replace(leaning, carried_previous=0.0)], 0.34)
    # A question that names nothing but what it asks is not judged by it; nor is a letter-long one.
    assert relevance.names_about("Welk nummer moet ik bellen?", "Bel 101.")
    assert relevance.names_about(question + " Ik wacht al drie dagen op een herstelling. " * 8, "Bel 101.")
    assert not relevance.names_about(question, "Bel 101.")
