"""Write bench/pii_spans.jsonl: invented Belgian letters, invoices, council decisions, mails and
forms (nl, fr, some en) with every personal-data span labelled, for `belfort eval pii --spans`.

    python bench/pii_spans_make.py            # rewrites bench/pii_spans.jsonl (seeded: same file)

Every name, street and number is invented; identifiers are drawn at random and kept only when
python-stdnum accepts them (a few are mistyped on purpose, right after their label: those are
labelled too, since a redaction officer must see them). Offsets are computed while the text is
built, never typed. Texts without personal data and look-alikes (amounts, dossier and invoice
numbers, dates that are not birth dates, article numbers) keep precision honest.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from stdnum import iban as std_iban
from stdnum.be import bis as std_bis
from stdnum.be import nn as std_nn
from stdnum.be import vat as std_vat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "pii_spans.jsonl"
ROUNDS = 4  # each template fills this many documents, with fresh data and formats
PLACES_FILE = ROOT / "appliance" / "privacy" / "data" / "be_postcodes.tsv"

FIRST_NL = ["Jan", "Pieter", "Koen", "Bart", "Wouter", "Tom", "Dirk", "Lieven", "Jef", "Stijn", "An", "Els", "Sofie", "Katrien", "Hilde", "Leen", "Griet", "Lotte", "Marleen", "Inge"]
FIRST_FR = ["Jean", "Pierre", "Luc", "Michel", "Olivier", "François", "Nicolas", "Marie", "Anne", "Sophie", "Isabelle", "Nathalie", "Claire", "Céline", "Julie"]
SURNAMES = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "Vermeulen", "Pauwels", "Hermans", "Aerts", "Dubois", "Lambert", "Dupont", "Leroy", "Lemaire", "Renard", "Simon", "Laurent", "Dumont", "Lejeune", "Michiels", "Verhaegen", "Coppens", "Bogaert", "Cuypers", "Segers", "Hendrickx", "Smets", "Verstraete", "Desmet", "Lenaerts", "Stevens", "Moens", "Dewulf"]
PARTICLE_SURNAMES = ["Van den Broeck", "De Smet", "Van Damme", "De Backer", "Van Acker", "De Clercq", "Van Hove"]
STEMS = ["Kerk", "Molen", "Stations", "Dorps", "Beek", "Linden", "Kapel", "School", "Hoog", "Nieuw", "Berken", "Eiken", "Wilgen", "Zand", "Veld", "Bos", "Abdij", "Mere"]
NL_TYPES = ["straat", "laan", "steenweg", "dreef", "plein", "weg", "lei", "kaai", "dijk", "hof", "baan"]
NL_ABBR = {"straat": "str.", "laan": "ln.", "steenweg": "stwg."}
FR_STREETS = [
    "rue de la Station", "rue du Moulin", "avenue des Tilleuls", "chaussée de Namur", "boulevard du Nord",
    "rue de l'Église", "place du Marché", "chemin des Dames", "rue Haute", "avenue Reine Astrid",
]
FR_ABBR = {"avenue": "av.", "boulevard": "bd", "chaussée": "chée"}
# Sub-municipalities, which the Statbel municipality list leaves out.
LOCALITIES = [("2610", "Wilrijk"), ("2140", "Borgerhout"), ("3001", "Heverlee"), ("5100", "Jambes"),
              ("1348", "Louvain-la-Neuve"), ("1420", "Braine-l'Alleud"), ("8370", "Blankenberge"),
              ("9050", "Gentbrugge"), ("4020", "Bressoux"), ("1083", "Ganshoren")]


class Doc:
    """Text built piece by piece; labelled pieces become spans with computed offsets."""

    def __init__(self, kind: str, language: str) -> None:
        self.parts: list[str] = []
        self.spans: list[dict[str, object]] = []
        self.size = 0
        self.kind, self.language = kind, language

    def t(self, text: str) -> Doc:
        self.parts.append(text)
        self.size += len(text)
        return self

    def p(self, value: str, kind: str) -> Doc:
        self.spans.append({"start": self.size, "end": self.size + len(value), "kind": kind})
        return self.t(value)

    def row(self) -> dict[str, object]:
        text = "".join(self.parts)
        for s in self.spans:
            assert text[s["start"]:s["end"]].strip() == text[s["start"]:s["end"]]  # type: ignore[misc]
        return {"text": text, "spans": self.spans, "language": self.language, "genre": self.kind}


class Make:
    """Random invented personal data; every number checked with python-stdnum."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng
        self.places = [tuple(line.split("\t")) for line in PLACES_FILE.read_text(encoding="utf-8").splitlines()
                       if line and not line.startswith("#")]

    def person(self, fr: bool = False) -> str:
        first = self.r.choice(FIRST_FR if fr else FIRST_NL)
        last = self.r.choice(PARTICLE_SURNAMES) if self.r.random() < 0.2 else self.r.choice(SURNAMES)
        return f"{first} {last}"

    def place(self, fr: bool = False) -> tuple[str, str]:
        if self.r.random() < 0.25:
            return self.r.choice(LOCALITIES)
        code, nl, frn = self.r.choice(self.places)
        return code, (frn if fr else nl)

    def street(self, fr: bool = False, abbreviated: bool = False) -> str:
        if fr:
            name = self.r.choice(FR_STREETS)
            head = name.split()[0]
            if abbreviated and head in FR_ABBR:
                name = name.replace(head, FR_ABBR[head], 1)
            return name
        kind = self.r.choice(NL_TYPES)
        stem = self.r.choice(STEMS)
        if abbreviated and kind in NL_ABBR:
            if kind == "steenweg" and self.r.random() < 0.5:
                return f"{self.r.choice(['Brusselse', 'Gentse', 'Mechelse', 'Antwerpse'])} Stwg."
            return stem + NL_ABBR[kind]
        return stem + kind

    def house(self) -> str:
        n = str(self.r.randint(1, 240))
        roll = self.r.random()
        if roll < 0.15:
            return n + self.r.choice(["A", "B", "b"])
        if roll < 0.35:
            return n + self.r.choice([" bus ", " bus ", " bte ", "/"]) + str(self.r.randint(1, 12))
        return n

    def digits(self, n: int) -> str:
        return "".join(str(self.r.randint(0, 9)) for _ in range(n))

    def nn(self, bis: bool = False) -> str:
        while True:
            year, day = self.r.randint(0, 99), self.r.randint(1, 28)
            month = self.r.randint(1, 12) + (self.r.choice([20, 40]) if bis else 0)
            body = f"{year:02d}{month:02d}{day:02d}{self.r.randint(1, 997):03d}"
            for prefix in ("", "2"):
                value = body + f"{97 - int(prefix + body) % 97:02d}"
                if (std_bis if bis else std_nn).is_valid(value) and (bis or not std_bis.is_valid(value)):
                    return value

    def mistype(self, digits: str, valid: Callable[[str], bool]) -> str:
        while True:
            i = self.r.randrange(len(digits))
            out = digits[:i] + str((int(digits[i]) + self.r.randint(1, 9)) % 10) + digits[i + 1:]
            if not valid(out):
                return out

    def kbo(self) -> str:
        while True:
            body = self.r.choice("01") + self.digits(7)
            value = body + f"{97 - int(body) % 97:02d}"
            if std_vat.is_valid(value):
                return value

    def twelve(self, module: object) -> str:
        while True:
            body = self.digits(10)
            value = body + f"{int(body) % 97 or 97:02d}"
            if module.is_valid(value):  # type: ignore[attr-defined]
                return value

    def iban(self, country: str = "BE") -> str:
        """A random IBAN that python-stdnum accepts in full (bank code from its list included)."""
        while True:
            if country == "BE":
                account = self.digits(10)
                bban = account + f"{int(account) % 97 or 97:02d}"
            elif country == "NL":
                bban = self.r.choice(["ABNA", "RABO", "INGB"]) + self.digits(10)
            else:
                bban = self.r.choice(["10070000", "37040044", "50010517"]) + self.digits(10)
            value = country + std_iban.calc_check_digits(country + "00" + bban) + bban
            if std_iban.is_valid(value):
                return value

    def plate(self) -> str:
        letters = "".join(self.r.choice("ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(3))
        return f"{self.r.randint(1, 2)}-{letters}-{self.r.randint(0, 999):03d}"

    def phone(self) -> str:
        mobile = f"04{self.r.randint(60, 99)}"
        a, b, c = (f"{self.r.randint(0, 99):02d}" for _ in range(3))
        zone = self.r.choice(["09", "02", "03", "016", "050", "011", "081", "04"])
        rest = self.digits(9 - len(zone))
        return self.r.choice([
            f"{mobile} {a} {b} {c}", f"{mobile}/{a}.{b}.{c}", f"+32 {mobile[1:]} {a} {b} {c}",
            f"+32 (0){mobile[1:]} {a}{b}{c}", f"{zone} {rest[:3]} {rest[3:5]} {rest[5:]}" if len(zone) == 2
            else f"{zone}/{rest[:2]} {rest[2:4]} {rest[4:]}", f"{zone}/{rest}", f"0032 {mobile[1:]} {a}{b}{c}",
            f"+33 1 {a} {b} {c} {self.r.randint(10, 99)}",
        ])

    def email(self, person: str) -> str:
        first, *last = person.lower().replace("é", "e").replace("ç", "c").split()
        domain = self.r.choice(["telenet.be", "skynet.be", "gmail.com", "proximus.be", "hotmail.com", "outlook.be"])
        return f"{first}.{''.join(last)}@{domain}" if self.r.random() < 0.7 else f"{first[0]}{''.join(last)}@{domain}"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from pii_spans_templates import TEMPLATES

    rng = random.Random(2026)
    make = Make(rng)
    rows = []
    for round_ in range(ROUNDS):
        for template in TEMPLATES:
            rows.append(template(make, rng, round_).row())
    OUT.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    counts: dict[str, int] = {}
    for r in rows:
        for s in r["spans"]:  # type: ignore[attr-defined]
            counts[s["kind"]] = counts.get(s["kind"], 0) + 1
    print(f"{len(rows)} documents, {sum(counts.values())} spans -> {OUT}")
    print(json.dumps(dict(sorted(counts.items())), indent=1))
