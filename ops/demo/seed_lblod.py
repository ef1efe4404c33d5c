"""Demo LBLOD data: the governing bodies and mandatarissen of Gemeente Belveld (a fictional
Mandatendatabank export, `mandaten-belveld.ttl` beside this module) and an earlier council meeting
whose minutes a secretary completed and approved, ready to publish at Niveau 3:
`belfort minutes publish ID --base-uri https://www.belveld.be/ --out DIR`.

Everything is fictional. Seeding is idempotent: bodies are imported only when there are none (an
organisation's own import is never overwritten), the meeting only when it is not there yet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import select

from appliance.access import Principal
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Minutes, MinutesItem

if TYPE_CHECKING:
    from appliance.context import Appliance

MANDATES_FILE = Path(__file__).resolve().parent / "mandaten-belveld.ttl"
TITLE = "Gemeenteraad Belveld 26 januari 2026"
SECRETARY = Principal(user_id=None, username="archivaris", role="archivist")
RAAD = "http://data.lblod.info/id/bestuursorganen/demo-belveld-gemeenteraad-2025-2030"
M = "http://data.lblod.info/id/mandatarissen/demo-belveld-gemeenteraad-p"
DIRECTOR = "http://data.lblod.info/id/functionarissen/demo-belveld-gemeenteraad-p8"
# (number, title, public, who arrives, who leaves, decision text, vote, secret, named voters (for, against, abstain),
#  motivation, legal text)
AGENDA = [
    (1, "Goedkeuring van de notulen van de zitting van 15 december 2025", True, [], [],
     "De gemeenteraad keurt de notulen van de zitting van 15 december 2025 goed.", (6, 0, 0), False,
     ([1, 2, 3, 4, 5, 6], [], []),
     ("Het decreet over het lokaal bestuur bepaalt dat de notulen van elke zitting "
      "op de volgende zitting ter goedkeuring voorliggen."),
     "Enig artikel. De notulen van de zitting van 15 december 2025 worden goedgekeurd."),
    (2, "Heraanleg van het speelplein aan de Kerkstraat", True, [7], [],
     "De gemeenteraad keurt het ontwerp en de raming (185.000 euro) voor de heraanleg van het speelplein goed.",
     (5, 1, 1), False, ([1, 2, 3, 4, 5], [6], [7]),
     ("Het speelplein is verouderd en voldoet niet meer aan de veiligheidsnormen; het budget is voorzien in het "
      "meerjarenplan."),
     ("Artikel 1. Het ontwerp voor de heraanleg van het speelplein aan de Kerkstraat wordt "
      "goedgekeurd. Artikel 2. De raming van 185.000 euro inclusief btw wordt goedgekeurd.")),
    (3, "Belastingreglement op tweede verblijven 2026-2031", True, [], [],
     "De gemeenteraad stelt het belastingreglement op tweede verblijven vast voor de aanslagjaren 2026 tot 2031.",
     (6, 0, 1), False, ([1, 2, 3, 4, 6, 7], [], [5]),
     "Het vorige reglement loopt af; de gemeente heeft middelen nodig voor haar taken van algemeen belang.",
     "Artikel 1. Voor de aanslagjaren 2026 tot en met 2031 wordt een belasting op tweede verblijven geheven."),
    (4, "Personeel: aanstelling van een diensthoofd (besloten)", False, [], [6],
     "De gemeenteraad stelt een diensthoofd aan.", (4, 1, 1), True, ([], [], []),
     "De selectieprocedure is afgerond.", "Artikel 1. Aanstelling van een diensthoofd."),
]


def _existing(app: Appliance) -> Minutes | None:
    with read_session(app.db) as s:
        return s.exec(select(Minutes).where(Minutes.title == TITLE)).first()


def _create_minutes(app: Appliance) -> tuple[int, dict[int, int]]:
    with write_session(app.db) as s:
        m = Minutes(title=TITLE, body="gemeenteraad", meeting_date="2026-01-26", state="draft",
                    agenda=[{"number": n, "title": title} for n, title, *_ in AGENDA],
                    attendees=[], model="", created_by=SECRETARY.username)
        s.add(m)
        s.flush()
        items = {}
        for n, title, _public, _in, _out, text, vote, *_rest in AGENDA:
            item = MinutesItem(minutes_id=m.id or 0, ordinal=n, kind="decision", agenda_number=n, agenda_title=title,
                               text=text, vote=dict(zip(("for", "against", "abstain"), vote, strict=True)),
                               state="accepted", source="human", supported=True, support=1.0)
            s.add(item)
            s.flush()
            items[n] = item.id or 0
        return m.id or 0, items


def _complete(app: Appliance, minutes_id: int, items: dict[int, int]) -> None:
    from appliance.minutes import save_agenda_item, save_decision, save_meeting

    save_meeting(app, SECRETARY, minutes_id, body_uri=RAAD, planned_start="2026-01-26T19:30",
                 planned_end="2026-01-26T22:00", started_at="2026-01-26T19:32", ended_at="2026-01-26T21:05",
                 location="Raadzaal, Markt 1, Belveld", chair_uri=f"{M}1", secretary_uri=DIRECTOR,
                 present_at_start=[f"{M}{n}" for n in range(1, 7)])
    for n, title, public, arrived, left, _text, _vote, secret, named, motivation, legal in AGENDA:
        save_agenda_item(app, SECRETARY, minutes_id, n, public=public, arrived=[f"{M}{p}" for p in arrived],
                         left=[f"{M}{p}" for p in left])
        voters = {k: [f"{M}{p}" for p in names] for k, names in zip(("for", "against", "abstain"), named, strict=True)}
        save_decision(app, SECRETARY, items[n], title=title, description=_text, motivation=motivation,
                      legal_text=legal, secret=secret, outcome="Aangenomen",
                      voters_for=voters["for"], voters_against=voters["against"], voters_abstain=voters["abstain"])


def seed_lblod(app: Appliance, log: Callable[[str], None]) -> int | None:
    """The demo's bodies and mandatarissen, and its approved earlier council meeting; its minutes id."""
    from appliance.mandates import import_mandates, list_bodies
    from appliance.minutes import approve_minutes

    if not list_bodies(app):
        parsed = import_mandates(app, MANDATES_FILE, actor="demo-seed")
        log(f"demo: {len(parsed.bodies)} governing bodies, {len(parsed.people)} mandatarissen (fictional)")
    existing = _existing(app)
    if existing is not None:
        return existing.id
    if not any(b.uri == RAAD for b in list_bodies(app)):
        log("demo: the earlier council meeting needs the demo's own mandates; skipped")
        return None
    minutes_id, items = _create_minutes(app)
    _complete(app, minutes_id, items)
    approve_minutes(app, SECRETARY, minutes_id)
    log(f"demo: approved minutes {minutes_id} ({TITLE}), ready to publish: "
        f"belfort minutes publish {minutes_id} --base-uri https://www.belveld.be/ --out publicatie")
    return minutes_id
