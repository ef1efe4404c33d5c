"""What kind of fact a short question asks for, and whether a sentence carries one.

'Hoeveel kost …', 'combien coûte …', and a yes/no question about a cost ('Is dat betalend?', 'Est-ce payant ?')
ask for an amount; 'hoeveel', 'how many' for a number; 'wanneer', 'tot hoe laat', 'quand' for a time or a date;
'e-mailadres' for an address with '@'; 'hoe meld ik …', 'wat moet ik doen als …', 'wie moet ik verwittigen',
'comment signaler …', 'how do I …' for a way (a channel, a place, a step, whom to turn to). A composed
answer quotes only sentences that carry a fact of the asked kind: a sentence about the subject
without the figure ('Voor asbest betaalt u een bijdrage per kilogram.') does not answer 'how much'.
Long questions (a citizen's letter, a parliamentary question) ask several things: no kind.
"""

from __future__ import annotations

import re

from appliance.ask.claim_words import CURRENCIES, INSTRUCTIONS, MONTHS, NUMBER_WORDS, VALUE_WORDS, WAY_WORDS
from appliance.ask.days import WEEKDAY_NAMES  # a weekday opens a Dutch compound: 'woensdagnamiddag'
from appliance.index.text import FUNCTION_WORDS, content_words, fold, term_variants

MAX_CHARS = 300  # longer questions ask several things at once

_COUNT = r"hoeveel|how (?:much|many|long)|combien|hoe lang|hoelang"
_COST = (r"kost\w*|prijs\w*|tarie\w*|betaal\w*|betalen|retributie\w*|belasting\w*|taks\w*|cost\w*|price\w*|"
         r"fee\w*|pay\w*|tax\w*|coute\w*|cout|prix|tarif\w*|pai\w*|taxe\w*|bedra\w*|amount|montant|s.eleve\w*")
_TIME = (r"wanneer|hoe laat|welke dag\w*|welk jaar|welke datum|openingsuren|when|what time|which day\w*|"
         r"which year|what date|opening hours|quand|quelle heure|quel jour|quelle annee|quelle date|horaires?")
_EMAIL = r"e ?mail\w*|mailadres\w*|courriel"
_PHONE = r"telefoon\w*|tel(?=\.)|telnr|phone\w*|telephone\w*"  # 'tel.nr.', the usual abbreviation
_CALL, _NUMBER = r"bel|bellen|belt|appel\w*|call|calling", r"nummer|numero|number"  # 'Welk nummer moet ik bellen …'
# A yes/no question about a cost asks for an amount ('Is dat betalend?', 'Est-ce payant ?'): a price or 'gratis'.
_COSTS_ANYTHING = (r"\b(?:betalend|gratis|kosteloos|payante?s?|gratuite?s?|free of charge|kost (?:dit|dat|het)(?: nog)? iets"
                   r"|(?:moet|moeten) (?:ik|je|u|we|men) (?:\w+ )?(?:iets )?(?:betalen|bijbetalen)|(?:faut-il|dois-je|doit-on) payer"
                   r"|(?:do|must|should|will) (?:i|we|you) (?:\w+ )?(?:\w+ )?pay|is (?:it|this|that) free|cost anything)\b")
_KINDS = (
    ("amount", re.compile(rf"\b(?:{_COUNT})\b.*\b(?:{_COST})\b|\b(?:{_COST})\b.*\b(?:{_COUNT})\b|"
                          r"\b(?:wat kost|what does .{1,40} cost|que coute|bedrag|amount|montant|prijs|price|prix"
                          r"|tarief|tarif|kostprijs)\b")),
    ("number", re.compile(rf"\b(?:{_COUNT})\b")),
    ("time", re.compile(rf"\b(?:{_TIME})\b")),
    ("email", re.compile(rf"\b(?:{_EMAIL})\b")),
    ("phone", re.compile(rf"\b(?:{_PHONE})\b|\b(?:{_CALL})\b.*\b(?:{_NUMBER})\b|\b(?:{_NUMBER})\b.*\b(?:{_CALL})\b")),
    ("way", re.compile(
        r"\bhoe (?!lang|laat|veel|snel|vaak|hoog|groot|ver|oud|duur|heet|noemt)\w+ (?:ik|je|jij|u|we|wij|men)\b"
        r"|\bwat (?:moet|moeten|kan|kun) (?:ik|je|u|we|men) (?:doen|meebrengen|meenemen|voorleggen)\b|\bbij (?:wie|welke "
        r"dienst|welk loket)\b|\bwaar (?:kan|kun|moet|vraag|dien|meld|ga|haal|schrijf|registreer|betaal)\w* (?:ik|je|u|we|men|ze|zij|hij)\b"
        r"|\bwie (?:moet|kan|kun|mag)\w* (?:ik|je|u|we|men)\b|\b(?:waar|bij wie)\b[^?]{0,40}\bterecht\b|\bqui (?:dois|puis|faut)"
        r"|\bcomment (?!s.appelle|se nomme)|\bque (?:dois|doit|faut|puis)(?:-je|-il|-on)? faire\b|\bou (?:dois|puis|faut)"
        r"|\b(?:a|aupres de) qui\b|\bquelles? (?:demarches|documents|pieces)\b|\bwhat (?:documents|steps)\b"
        r"|\bhow (?:do|can|could|should|must|may|to) (?:i|we|you|one)\b|\bwhere (?:do|can|should|must) (?:i|we|you)\b"
        r"|\bwhat (?:should|must|do|can) (?:i|we|you) (?:do|bring)\b|\bwho (?:do|should|can|must|could) (?:i|we)\b")),
    ("amount", re.compile(_COSTS_ANYTHING)),  # after the others: 'Hoeveel … gratis' counts, 'Waar … gratis' is a way
)
# A word that asks for a kind of fact ('kost', 'wanneer', 'prijs'), not what it is asked about.
_ASKING = re.compile(rf"(?:{_COUNT}|{_COST}|{_TIME}|{_EMAIL}|{_PHONE})")
# The words that ask for a way ('doen' in 'wat moet ik doen', 'meebrengen', 'bij wie kan ik terecht', 'wie moet ik
# verwittigen', 'comment' and 'how' as Dutch 'hoe'): the way given does not carry them.
_WAY_ASKING = frozenset(["doen", "moet", "moeten", "meebrengen", "meenemen", "terecht", "aankloppen", "verwittigen",
                         "contacteren", "wenden", "faire", "faut", "dois", "doit", "apporter", "contacter", "prevenir",
                         "adresser", "comment", "do", "should", "must", "bring", "contact", "notify", "how"])
_WORD = re.compile(r"[^\W_]+|[€$£@]")
_HOUR_ASKED = re.compile(r"\b(?:hoe|what|quelle)\s+(laat|time|heure)\b")
_DURATION_ASKED = re.compile(r"\b(?:hoe|how|hoeveel|how much|combien de)\s+(lang|long|tijd|time|temps)\b")  # 'hoe lang'
# 'Hoeveel bezwaren …', 'how many days …', 'combien de jours …': the word after asks what is counted.
_COUNTED = re.compile(r"\b(?:hoeveel|how many|combien d(?:e|es)?)\s+([^\W\d_]{3,})")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'«“¿]?[A-ZÀ-Ý])")


def asked_kind(question: str) -> str:
    """'amount' | 'number' | 'time' | 'email' | 'phone' | 'way' | '' (none, or a long question)."""
    if len(question) > MAX_CHARS:
        return ""
    q = fold(question)
    return next((kind for kind, pattern in _KINDS if pattern.search(q)), "")


def asking_word(word: str) -> bool:
    """Whether `word` asks for a kind of fact ('kost', 'hoeveel', 'wanneer', 'prijs') rather than naming
    what the question is about ('bewonerskaart', 'nadarhekken', 'reserveren')."""
    return bool(_ASKING.fullmatch(fold(word)))


def asks_way(word: str) -> bool:
    """Whether `word` asks for a way ('doen', 'meebrengen', 'faut') rather than naming what it is for."""
    return fold(word) in _WAY_ASKING


def asks_call(word: str) -> bool:
    """Whether `word` asks for a number to call ('bellen', 'nummer', 'appeler') rather than naming what it is for."""
    return bool(re.fullmatch(f"{_CALL}|{_NUMBER}", fold(word)))


def subject_words(question: str) -> set[str]:
    """The question's content words a quote is measured on (compose), without those light_words leaves out ('laat',
    'heb'); for a way, without those that ask for it ('moet', 'doen', 'terecht', 'verwittigen'): 'Bel de
    politie op 101' answers 'Wie moet ik verwittigen?'."""
    words = set(content_words(question)) - light_words(question)
    return {w for w in words if not asks_way(w)} if asked_kind(question) == "way" else words


def light_words(question: str) -> set[str]:
    """What its measures leave out: hour_words; in a short question, the words that ask for a duration ('lang' in 'hoe
    lang', 'temps' in 'combien de temps': a term given never says them) and the function words the stopwords lack."""
    lacking = set(_DURATION_ASKED.findall(fold(question))) | set(content_words(question)) & FUNCTION_WORDS
    return hour_words(question) | (lacking if len(question) <= MAX_CHARS else set())


def hour_words(question: str) -> set[str]:
    """The words that ask for an hour ('laat' in 'tot hoe laat', 'time' in 'what time', 'heure' in 'à quelle
    heure'): the hour given does not carry them, and a sentence about books returned 'te laat' does not answer
    'Van hoe laat tot hoe laat is de bib open?'."""
    return set(_HOUR_ASKED.findall(fold(question)))


def carries(kind: str, sentence: str) -> bool:
    """Whether `sentence` holds a fact of `kind` (always, for no kind; a phone number: 6+ digits, or 'nummer 112')."""
    if not kind:
        return True
    words = _WORD.findall(fold(sentence))
    digits = any(w[0].isdigit() for w in words)
    if kind == "amount":
        return (digits and any(w in CURRENCIES for w in words)) or any(w in VALUE_WORDS for w in words)
    if kind == "number":
        return digits or any(w in NUMBER_WORDS for w in words)
    if kind == "time":
        return digits or any(w in MONTHS or w.startswith(WEEKDAY_NAMES) for w in words)
    if kind == "email":
        return "@" in sentence
    if kind == "way":
        first = words[0] if words else ""
        return "@" in sentence or any(w in WAY_WORDS for w in words) or first in INSTRUCTIONS \
            or (len(first) >= 5 and first.endswith("ez"))  # 'Apportez', 'Signalez': a French instruction
    return sum(ch.isdigit() for ch in sentence) >= 6 or bool(re.search(r"\b(?:nummer|numero|number|le)\s+1\d{2,3}\b", fold(sentence)))


# Words that open the subject after the verb Dutch 'hoeveel' asks a quantity of ('Hoeveel kost een …', 'Hoeveel betaal
# ik'); not 'zijn', 'haar', 'er' ('Hoeveel parkeerplaatsen zijn er?', 'Hoeveel leden er zijn').
_SUBJECTS = frozenset(["ik", "je", "jij", "u", "hij", "zij", "ze", "we", "wij", "men", "het", "de", "een", "dat", "dit",
                       "die", "deze", "mijn", "ons", "onze", "uw", "hun", "jullie"])
# What a question asks in units rather than by name: 'hoeveel tijd' is answered by 'drie maanden', 'how many euros'
# by '€ 50', 'combien de pour cent' by '50 %'.
_MEASURES = frozenset(["tijd", "geld", "euro", "euros", "procent", "percent", "time", "money", "temps", "argent",
                       "pourcent", "pourcentage"])


def counted_thing(question: str) -> str:
    """What a 'how many' question counts where the answer must name it ('leden' in 'Hoeveel leden moet een
    vereniging hebben om erkend te worden?': a sentence giving another figure of the association, a date or a
    budget, does not answer it); '' where there is none, where 'hoeveel' asks for a verb's quantity ('Hoeveel kost
    een …', 'Hoeveel betaal ik …') or where the answer is given in units (_MEASURES)."""
    folded = fold(question)
    m = _COUNTED.search(folded)
    if not m or len(question) > MAX_CHARS or m.group(1) in _MEASURES:
        return ""
    after = folded[m.end():].split()
    if m.group(0).startswith("hoeveel") and (not after or after[0] in _SUBJECTS):
        return ""
    return m.group(1)


def counted(question: str) -> str:
    """What a 'how many' question counts, folded ('bezwaren' in 'Hoeveel bezwaren kwamen er binnen?');
    '' for none. A sentence with a number but without it ('De nieuwe naam gaat in op 1 september')
    does not answer it."""
    m = _COUNTED.search(fold(question))
    return m.group(1) if m and len(question) <= MAX_CHARS else ""


MIN_ASKING_WORDS = 4  # words a question keeps without the reason it gives (else it keeps the reason)
# A clause after a comma that gives an example of the asker's reason ('…, bijvoorbeeld omdat we op reis gaan?'), to the
# next comma or its sentence's end: why one asks, not what. A plain reason ('…, omdat ik …?') may be the condition asked.
_REASON = re.compile(r",\s*(?:bijvoorbeeld|bv\.|for example|for instance|e\.g\.|par exemple|p\. ?ex\.)\s+"
                     r"(?:(?:omdat|aangezien|want|because|parce que|puisque)\b|parce qu')[^.!?,]*(?:,\s*|(?=[.!?]|$))",
                     re.IGNORECASE)


def without_reason(question: str) -> str:
    """A short question without the example of a reason the asker gives after a comma: 'Wat betaalt een ouder
    voor een Kids-ID als het dringend moet, bijvoorbeeld omdat het gezin op reis vertrekt?' asks what an urgent
    Kids-ID costs; the trip's words are in no passage that answers it. The question itself where that
    would leave fewer than MIN_ASKING_WORDS words, or for a long question."""
    if len(question) > MAX_CHARS or not _REASON.search(question):
        return question
    out = _REASON.sub(lambda m: " " if m.group(0).rstrip().endswith(",") else "", question)
    out = re.sub(r"\s+([?.!])", r"\1", " ".join(out.split()))
    return out if len(_WORD.findall(out)) >= MIN_ASKING_WORDS else question


def sentences(question: str) -> list[str]:
    """The question's sentences, parted after an end mark before a capital or an opening quote ('Mijn zoon is 15. Hoe …?')."""
    return [p.strip() for p in _SENTENCE_END.split(question.strip()) if p.strip()]


def asked_clause(question: str) -> str:
    """The sentence that asks, where a short question first tells a situation: 'Mijn buurman heeft zijn
    vergunning gekregen. Hoeveel dagen moet hij nog wachten?' asks its last sentence, and the answer
    carries that sentence's words, not the situation's ('U mag pas beginnen 36 dagen na …'). ''
    for a question of one sentence, one whose last sentence does not ask, or a long question."""
    if len(question) > MAX_CHARS:
        return ""
    parts = sentences(question)
    return parts[-1] if len(parts) > 1 and parts[-1].endswith("?") else ""


# A question that asks yes or no opens its asking sentence with a verb: 'Kan ik …', 'Is het loket …', 'Can I …',
# 'Puis-je …', 'Est-ce que …'.
_POLAR = re.compile(r"(?:kan|kun|kunnen|mag|mogen|moet|moeten|is|zijn|ben|heb|hebt|heeft|hebben|krijg|krijgt|krijgen|"
                    r"wordt|worden|geldt|gelden|bestaat|bestaan|zal|zullen|are|can|could|do|does|may|must|will|should|"
                    r"has|have|est-ce|puis|peut|peuvent|dois|doit|faut|existe)\b")


# French asks yes or no with the verb after its subject, joined to a pronoun ('Ma fille doit-elle payer …', 'La
# bibliothèque est-elle ouverte …'), where no word before it asks what ('Jusqu'à quelle heure le guichet est-il …').
_INVERTED = re.compile(r"(?:(?!\b(?:combien|quand|ou|comment|pourquoi|quel\w*|qui|que|quoi|lequel\w*)\b)[^?])*?"
                       r"(?P<verb>\b[^\W\d_]+-(?:t-)?(?:il|elle|ils|elles|on)\b)")
POINTED = r"(?:voor|mee|over|aan|in|op|van|bij|door|naar|uit|om|tegen|toe|achter|onder)"  # 'daarvoor', 'hiermee'
_POINTING = re.compile(rf"(?:daar|er|hier|waar){POINTED}")  # they point back at what the question named before


def polar_words(question: str) -> set[str]:
    """What a short yes/no question asks about: the content words of its asking sentence (asked_clause, else the
    question) after its opening verb (all of them where French asks with the verb after its subject: 'La bibliothèque
    est-elle ouverte le dimanche ?') that do not ask for a kind of fact ('betalen', 'kost'), a way or an hour, nor
    point back ('daarvoor'); an empty set for another question, or where fewer than two words are left."""
    folded = fold(asked_clause(question) or question)
    opening = _POLAR.match(folded)
    inverted = None if opening else _INVERTED.match(folded)
    if len(question) > MAX_CHARS or not (opening or inverted):
        return set()
    asked = folded[opening.end():] if opening else folded.replace(inverted.group("verb"), " ") if inverted else ""
    words = set(_naming(content_words(asked), question))
    named = words - {_verb_last(asked)}  # the verb counts only where too little else is named ('… een vergunning aanvragen?')
    return named if len(named) >= 2 else words if len(words) >= 2 else set()


MIN_VERB_LAST = 5  # letters of a clause-final verb read as one ('geven', 'melden'; not 'open', also an adjective)


def _verb_last(folded: str) -> str:
    """The verb that ends the main clause of a folded Dutch question ('geven' in 'Is de gemeenteraad een subsidie geven
    als …'): it names no thing, and a quote that shares it ('… een nieuwe naam te geven') is not about the question's
    thing for that."""
    words = content_words(_SUBORDINATE.split(folded, maxsplit=1)[0])
    last = words[-1] if words else ""
    return last if len(last) >= MIN_VERB_LAST and _VERB_LAST.fullmatch(last) else ""


def _naming(words: list[str], question: str) -> list[str]:
    """Of `words` (of `question`), those that name what it is about: not asking for a kind of fact, a way or an
    hour, no number, not pointing back."""
    hours = hour_words(question)
    return [w for w in words if not asking_word(w) and not asks_way(w) and not w.isdigit()
            and not _POINTING.fullmatch(w) and w not in hours]


# A Dutch yes/no question opens with its verb and names its subject next ('Krijgen studenten …', 'Is er een zwembad
# …'; English 'Is the library …' too), a way question with how or where and who asks ('Hoe kan ik …', 'Waar vraag ik …').
_SUBJECT_OPENING = re.compile(r"(?:kan|kun|mag|moet|moeten|is|zijn|ben|heb|hebt|heeft|hebben|krijg|krijgt|krijgen|wordt|"
                              r"worden|geldt|gelden|bestaat|bestaan|zal|zullen)\b|(?P<way>(?:hoe|waar)\s+[^\W\d_]+\s+"
                              r"(?:ik|je|jij|u|we|wij|men)\b)")
# The verb that ends a Dutch clause: an infinitive or a participle ('melden', 'gesloten', 'geregeld').
_VERB_LAST = re.compile(r"\w+en|ge\w+[dt]")
# Where a yes/no question's main clause ends: a condition or a time after it ('… als ze boeken te laat terugbrengen').
_SUBORDINATE = re.compile(r"\b(?:als|wanneer|indien|zodra|terwijl|omdat|if|when|whenever|while|because|si|quand|lorsque?|"
                          r"parce que)\b")
# The asker's own (the situation: 'mijn dochter', 'our shed', 'mon fils'; not 'zijn', also a verb, nor 'je', also the
# one who asks: 'Hoe kan je een zaal reserveren?', 'Puis-je déposer …'), and words that name nothing ('iets', 'ergens').
_OWN = re.compile(r"\b(?:mijn|m'n|onze|ons|jouw|uw|haar|hun|my|our|your|his|her|their|mon|ma|mes|notre|nos|votre|"
                  r"vos|son|sa|ses|leur|leurs)\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")  # 'mijn oude auto', 'mijn hond meenemen'
WHICH = frozenset(["welk", "welke", "wat", "which", "what", "quel", "quelle", "quels", "quelles"])
_NOTHING_NAMED = frozenset(["iets", "niets", "zelf", "ergens", "nergens", "iemand", "niemand", "something", "anything",
                            "nothing", "someone", "anyone", "somewhere", "anywhere", "quelque", "quelqu", "chose", "rien"])


def _owned(folded: str) -> set[str]:
    """The words `folded` marks as the asker's own (_OWN: 'mijn oude auto', 'voor mijn dochter')."""
    return {w for m in _OWN.finditer(folded) for w in m.groups() if w}


def asked_subject(question: str) -> str:
    """What a short Dutch yes/no or way question asks about: the first word after its opening ('Krijgen …', 'Hoe
    kan ik …'), in its main clause, that names it (_naming), is not the asker's own ('Mag ik mijn hond …': the
    situation), names something ('iets' does not) and is not the verb that ends the clause ('Hoe kan ik dat
    melden?'): 'studenten' in 'Krijgen studenten korting op …', 'kinderen' in 'Krijgen kinderen een boete als ze
    boeken te laat terugbrengen?', 'vergaderzaal' in 'Hoe kan ik een vergaderzaal reserveren voor …'. '' for
    another question, a long one, or one in a language that names the verb first ('Can I
    register …'), where the first word is no thing."""
    folded = fold(asked_clause(question) or question)
    opening = _SUBJECT_OPENING.match(folded)
    if len(question) > MAX_CHARS or not opening:
        return ""
    words = content_words(_SUBORDINATE.split(folded[opening.end():], maxsplit=1)[0])
    if words and _VERB_LAST.fullmatch(words[-1]):
        words = words[:-1]
    return _first_named(words, folded, question)


def _first_named(words: list[str], folded: str, question: str) -> str:
    """The first of `words` (of a main clause of `question`, folded as `folded`) that names a thing (_naming), is not
    the asker's own (_owned) and names something ('iets' does not); ''."""
    own = _owned(folded)
    return next((w for w in _naming(words, question) if w not in own and w not in _NOTHING_NAMED), "")


# 'Welke X': X is what a Dutch question asks about, unless X is the kind of fact asked ('welke tijd', 'welk bedrag',
# 'welke dikte'): then the thing is named elsewhere.
_WHICH_THING = re.compile(r"\bwelke?\s+([^\W\d_]+)")
_WHICH_FACT = frozenset(["tijd", "tijdstip", "periode", "termijn", "duur", "uur", "uren", "datum", "dag", "dagen",
                         "week", "maand", "jaar", "bedrag", "prijs", "nummer", "telefoonnummer", "leeftijd", "afstand",
                         "dikte", "hoogte", "breedte", "lengte", "grootte", "gewicht", "omvang", "snelheid"])


def which_subject(question: str) -> str:
    """What a short Dutch 'welke X' question asks about: X, where it names a thing ('verlofdagen' in 'Welke verlofdagen
    hebben we …'), not the kind of fact asked (_WHICH_FACT) nor a word that asks (_naming); '' for another question."""
    found = _WHICH_THING.search(fold(asked_clause(question) or question)) if len(question) <= MAX_CHARS else None
    word = found.group(1) if found else ""
    return word if word not in _WHICH_FACT and _naming(content_words(word), question) else ""


# A Dutch question that asks when, how long or where something is or happens names that thing after its verb
# ('Wanneer is het recyclagepark open …', 'Hoe lang is een rijbewijs geldig?', 'Tot hoe laat mag de muziek spelen …').
_WH_OPENING = re.compile(r"\b(?:wanneer|hoe laat|hoe lang|hoe vaak|waar)\s+(?:is|zijn|wordt|worden|gaat|gaan|opent|"
                         r"openen|sluit|sluiten|blijft|blijven|ligt|liggen|kan|kunnen|mag|mogen|moet|moeten)\s+")
_WHO_ASKS = frozenset(["ik", "je", "jij", "u", "we", "wij", "men"])


def wh_subject(question: str) -> str:
    """What a short Dutch when / how long / where question asks about: the first word after its opening verb, in
    its main clause, that names a thing (_naming), not the asker's own ('recyclagepark' in 'Wanneer is het recyclagepark
    open op zondag?'); '' for another question, or one whose asker comes next ('… kan ik …'). A rule on music 'van
    zaterdag op zondag' does not tell when the recycling park opens: a quote must name what the question asks about
    (matching.rare_asked)."""
    folded = fold(asked_clause(question) or question)
    opening = _WH_OPENING.search(folded) if len(question) <= MAX_CHARS else None
    if opening is None:
        return ""
    rest = folded[opening.end():]
    if rest.split()[:1] and rest.split()[0] in _WHO_ASKS:
        return ""  # 'Tot hoe laat kan ik de gemeente bellen?' asks about the asker's doing (a way: asked_subject)
    return _first_named(content_words(_SUBORDINATE.split(rest, maxsplit=1)[0]), folded, question)


def priced_words(question: str) -> set[str]:
    """What a short question that asks a price names (asked_kind 'amount'): the words of its asking sentence that name
    something (_naming), not the asker's own ('voor mijn dochter') nor which ('welk bedrag'); none for another."""
    if len(question) > MAX_CHARS or asked_kind(question) != "amount":
        return set()
    folded = fold(asked_clause(question) or question)
    own = _owned(folded)
    return set(_naming(content_words(folded), question)) - own - WHICH - _NOTHING_NAMED


# A rate: 'hoeveel dagen per week', 'combien par semaine', 'how many days a week'.
_RATE = re.compile(r"\b(?:per|par|pro)\s+([^\W\d_]{3,})|\b(?:a|an|each|every)\s+(week|month|year|day|night|kilo)\b")


def rate_unit(question: str) -> str:
    """What a short question asks a figure per ('week' in 'Hoeveel dagen per week mag ik thuiswerken?'); '' for none."""
    m = _RATE.search(fold(asked_clause(question) or question)) if len(question) <= MAX_CHARS else None
    unit = (m.group(1) or m.group(2)) if m else ""
    return unit if content_words(unit) else ""


# An ordinal picks one of several ('een derde bewonerskaart'): the first card's price is not the third's.
_ORDINAL = re.compile(r"\b(?:eerste|tweede|derde|vierde|vijfde|zesde|first|second|third|fourth|fifth|sixth|premier|premiere|"
                      r"deuxieme|seconde|troisieme|quatrieme|cinquieme)\b")


def qualifiers(question: str) -> set[str]:
    """What picks the figure a short question asks among others: the unit it asks a figure per (rate_unit) and the
    ordinals it names ('derde' in 'Hoeveel kost een derde bewonerskaart?')."""
    if len(question) > MAX_CHARS:
        return set()
    return ({rate_unit(question)} - {""}) | set(_ORDINAL.findall(fold(asked_clause(question) or question)))


def names_qualifiers(question: str, text: str) -> bool:
    """Whether `text` (a quote under its heading path) names every qualifier of `question`: '36 dagen na de aanplakking'
    does not say how many days a week, nor 'een tweede kaart kost € 50' what a third costs."""
    said = content_words(text)
    return all(any(names_word(q, w) for w in said) for q in qualifiers(question))


def clause_words(question: str) -> set[str]:
    """The content words of the sentence that asks (asked_clause), without those light_words leaves out."""
    return set(content_words(asked_clause(question))) - light_words(question)


MIN_COMPOUND_PART = 5  # letters of a word that names a thing inside a compound ('zondag' in 'zondagvoormiddag')


def names_word(word: str, other: str) -> bool:
    """Whether the folded word `other` names `word`: a form of it within two letters that shares a stem as long
    ('opent' for 'open', 'bezwaar' for 'bezwaren'; not 'openbaar', which a stemmer reads as 'open', nor 'bezoekt',
    whose stem 'bezoek' is short of 'bezoekers'), or a compound it opens or ends ('zondagvoormiddag' for 'zondag',
    'werkdagen' for 'dagen'; MIN_COMPOUND_PART letters at least)."""
    if abs(len(other) - len(word)) <= 2 and any(len(v) >= len(word) - 2 for v in term_variants(word) & term_variants(other)):
        return True
    return len(word) >= MIN_COMPOUND_PART and (other.startswith(word) or other.endswith(word))
