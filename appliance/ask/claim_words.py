"""The small nl/fr/en word lists of the claim check and of the facts a sentence carries (accent-folded)."""

from __future__ import annotations

NUMBER_WORDS = {
    "twee": "2", "drie": "3", "vier": "4", "vijf": "5", "zes": "6", "zeven": "7", "acht": "8",
    "negen": "9", "tien": "10", "elf": "11", "twaalf": "12", "twintig": "20", "dertig": "30",
    "honderd": "100", "duizend": "1000",
    "deux": "2", "trois": "3", "quatre": "4", "cinq": "5", "six": "6", "sept": "7", "huit": "8",
    "neuf": "9", "dix": "10", "onze": "11", "douze": "12", "vingt": "20", "trente": "30", "cent": "100",
    "mille": "1000",
    "two": "2", "three": "3", "four": "4", "five": "5", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20", "thirty": "30",
    "hundred": "100", "thousand": "1000",
}
CURRENCIES = frozenset(["€", "$", "£", "eur", "euro", "euros"])  # the only units written before a number
# Units of measure, one canonical name per kind (accent-folded forms).
UNITS = {
    **dict.fromkeys(["€", "euro", "euros", "eur"], "eur"), "$": "usd", "£": "gbp",
    **dict.fromkeys(["%", "procent", "percent", "pourcent"], "pct"),
    **dict.fromkeys(["uur", "u", "h", "heure", "heures", "hour", "hours"], "hour"),
    **dict.fromkeys(["minuut", "minuten", "min", "minute", "minutes"], "minute"),
    **dict.fromkeys(["dag", "dagen", "jour", "jours", "day", "days"], "day"),
    **dict.fromkeys(["werkdag", "werkdagen", "ouvrable", "ouvrables", "workday", "workdays"], "workday"),
    **dict.fromkeys(["kalenderdag", "kalenderdagen"], "day"),
    **dict.fromkeys(["week", "weken", "semaine", "semaines", "weeks"], "week"),
    **dict.fromkeys(["maand", "maanden", "mois", "month", "months"], "month"),
    **dict.fromkeys(["jaar", "jaren", "an", "ans", "annee", "annees", "year", "years"], "year"),
    **dict.fromkeys(["km", "kilometer", "kilometers", "kilometre", "kilometres"], "km"),
    **dict.fromkeys(["m", "meter", "meters", "metre", "metres", "m2", "m²", "m³"], "m"),
    **dict.fromkeys(["kg", "kilo", "kilogram", "ton", "tonnes", "tonne"], "mass"),
    **dict.fromkeys(["liter", "litre", "liters", "litres", "l"], "litre"),
    **dict.fromkeys(["stuks", "exemplaren", "pieces"], "piece"),
    # A day number's month is its unit: '31 maart' is not '31 januari'.
    **{w: f"month{i}" for i, names in enumerate([
        ["januari", "janvier", "january"], ["februari", "fevrier", "february"], ["maart", "mars", "march"],
        ["april", "avril"], ["mei", "mai", "may"], ["juni", "juin", "june"], ["juli", "juillet", "july"],
        ["augustus", "aout", "august"], ["september", "septembre"], ["oktober", "octobre", "october"],
        ["november", "novembre"], ["december", "decembre"]], start=1) for w in names},
}
# Words that bound a figure: 'vanaf 12 jaar' is not 'tot 12 jaar'. Not 'a' ('à' folded): it is also
# an English article, and 's'élève à 25 euros' says what 'coûte 25 euros' does.
BOUNDS = frozenset([
    "van", "vanaf", "tot", "voor", "na", "sinds", "binnen", "tussen", "minstens", "maximaal",
    "minimaal", "hoogstens", "ouder", "jonger", "meer", "minder", "boven", "onder", "per",
    "from", "to", "until", "before", "after", "since", "within", "between", "least", "most",
    "over", "under", "older", "younger", "more", "less", "per",
    "de", "jusqu", "avant", "apres", "depuis", "dans", "entre", "moins", "plus", "par",
])
NEGATIONS = frozenset([
    "niet", "geen", "nooit", "niets", "nergens", "not", "no", "never", "nothing", "none", "nor",
    "ne", "n", "pas", "jamais", "rien", "aucun", "aucune", "nullement",
])
# Words that are a figure themselves ('gratis' is an amount).
VALUE_WORDS = frozenset(["gratis", "kosteloos", "free", "gratuit", "gratuite", "gratuits", "gratuites"])
ARTICLES = frozenset(["de", "het", "een", "le", "la", "les", "l", "un", "une", "the", "a", "an", "d", "du", "des"])
# Words that qualify a claim and have a contrasting sibling: the unit must hold the word itself
# ('de urgente procedure' is not carried by a sentence about the normal one). Stems are compared.
QUALIFIERS = frozenset([
    # order
    "eerste", "tweede", "derde", "vierde", "vijfde", "laatste", "volgende", "vorige",
    "premier", "premiere", "deuxieme", "second", "seconde", "troisieme", "dernier", "derniere",
    "first", "third", "fourth", "fifth", "last", "next", "previous", "avant", "before", "after",
    # procedure, urgency
    "normale", "normaal", "dringende", "dringend", "spoed", "spoedprocedure", "gewone", "vereenvoudigde",
    "normal", "urgente", "urgent", "simplifiee", "ordinaire", "urgency", "simplified", "ordinary",
    # extremes
    "minimum", "maximum", "minimaal", "maximaal", "minstens", "hoogstens", "minimale", "maximale",
    # age and status
    "volwassene", "volwassenen", "minderjarige", "minderjarigen", "meerderjarige", "adulte", "adultes",
    "mineur", "mineurs", "majeur", "majeurs", "adult", "adults", "minor", "minors",
    "openbaar", "openbare", "prive", "private", "prives", "publique", "public", "privee",
    "verplicht", "verplichte", "vrijwillig", "vrijwillige", "facultatif", "obligatoire", "mandatory",
    "optional", "betalend", "betalende", "payant", "payante", "paid",
    # days, parts of the day, frequency
    "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag",
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "voormiddag", "namiddag", "ochtend", "avond", "nacht", "matin", "apres", "midi", "soir", "nuit",
    "morning", "afternoon", "evening", "night",
    "dagelijks", "wekelijks", "maandelijks", "jaarlijks", "quotidien", "hebdomadaire", "mensuel",
    "annuel", "annuelle", "daily", "weekly", "monthly", "yearly", "annual",
    # direction of a change or comparison
    "hoger", "lager", "stijging", "daling", "toename", "afname", "hausse", "baisse", "increase",
    "decrease", "higher", "lower", "superieur", "inferieur", "federale", "regionale", "lokale",
    "federal", "regional", "local", "federaal", "regionaal",
])

# Months name a date (asked.carries: a time given).
MONTHS = frozenset(["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                    "september", "oktober", "november", "december", "january", "february", "march", "may",
                    "june", "july", "august", "october", "janvier", "fevrier", "mars", "avril", "juin",
                    "juillet", "aout", "septembre", "octobre", "novembre", "decembre"])

# A sentence that gives a way (asked.carries): a channel or a place ('via het e-loket', 'per e-mail aan …@…', 'bij het
# loket', 'by phone'), or an instruction opening with a verb that tells what to do ('Blokkeer uw kaart …', 'Apportez …').
WAY_WORDS = frozenset(["via", "loket", "guichet", "counter", "onthaal", "accueil", "reception", "website", "online", "digitaal", "telefonisch", "telefoon", "telephone", "phone", "afspraak", "rendez", "appointment", "formulier", "formulaire", "form", "contact", "contacteer", "contactez", "aangifte", "plainte", "mail", "email", "courriel", "brief", "courrier", "letter", "nummer", "numero", "number", "adres", "adresse", "address", "persoonlijk", "personne", "person"])
INSTRUCTIONS = frozenset(["bel", "stuur", "mail", "meld", "kom", "breng", "ga", "geef", "vermeld", "beschrijf", "raak", "houd", "blokkeer", "vraag", "dien", "maak", "neem", "contacteer", "registreer", "schrijf", "vul", "reserveer", "zet", "leg", "bind", "doe", "wacht", "betaal", "klik", "kies", "bezorg", "gebruik", "toon", "volg", "bewaar", "call", "send", "contact", "bring", "go", "fill", "submit", "apply", "book", "report", "visit", "email", "write", "ask", "click", "choose", "use", "register", "pay", "follow", "keep", "take", "make", "do", "never"])
