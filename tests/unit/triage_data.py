"""Generated triage items for the triage tests: each category has its own words, plus shared filler."""

from __future__ import annotations

import random

WORDS = {
    "afval": ["vuilniszak", "container", "zwerfvuil", "grofvuil", "afval", "glasbak", "papier", "vol"],
    "wegen": ["put", "wegdek", "stoep", "tegel", "fietspad", "verkeerslicht", "asfalt", "verzakking"],
    "sociaal": ["leefloon", "ocmw", "huur", "schulden", "uitkering", "steun", "budget", "armoede"],
    "dieren": ["ratten", "duiven", "hond", "poep", "meeuwen", "wespen", "muizen", "kat"],
}
FILLER = ["graag", "bij", "mij", "in", "de", "straat", "al", "weken", "hallo", "melding"]


def items(n_per_label: int, seed: int = 0) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for label, words in WORDS.items():
        for _ in range(n_per_label):
            text = rng.sample(words, 4) + rng.sample(FILLER, 3)
            rng.shuffle(text)
            out.append((" ".join(text), label))
    rng.shuffle(out)
    return out


TAXONOMY_YAML = """
version: 1
default_threshold: 0.5
departments:
  - key: omgeving
  - key: welzijn
categories:
  - key: afval
    department: omgeving
    description: vuilniszak container zwerfvuil grofvuil afval glasbak
    deadline_days: 5
  - key: wegen
    department: omgeving
    description: put wegdek stoep tegel fietspad asfalt
    required_fields: [address]
  - key: sociaal
    department: welzijn
    description: leefloon ocmw schulden uitkering steun armoede
    human_only: true
    deadline_days: 30
  - key: dieren
    department: omgeving
    description: ratten duiven hond poep meeuwen wespen
    threshold: 0.6
"""
