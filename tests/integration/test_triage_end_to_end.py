"""Issue 6 done-when, in one run with real parts: mail in a real IMAP mailbox (dovecot) is fetched,
classified with the real e5 embedder against the example taxonomy, routed by SMTP (aiosmtpd) or
queued; the queue is visible on /triage; a person's corrections there retrain the model (Huey
immediate mode) and change the next prediction for a similar mail.

The mails are fictional. This organisation has a person decide every civil-affairs and
open-government item (human_only for those two): the zero-shot scorer's suggestions wait in the queue,
a person routes them, and the model trained on those decisions suggests the next similar mail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from litestar.testing import TestClient
from sqlmodel import col, select

from appliance import jobs
from appliance.access import accounts
from appliance.db.engine import read_session
from appliance.db.tables import JobOutcome, TriageLabel
from appliance.mail import outbox
from appliance.triage.imap import poll_mailbox
from appliance.triage.store import ModelStore, import_taxonomy, load_classifier, models_root
from tests.conftest import REPO
from tests.integration.mail_servers import (
    Dovecot,
    SmtpSink,
    appliance_for,
    free_port,
    items,
    mail,
    needs_dovecot,
    running_dovecot,
    skip_without_e5,
)
from tests.integration.web_support import PW, csrf, sign_in

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]), needs_dovecot]

ROAD = ("Put in het fietspad", ("Goedemiddag, in het fietspad voor Stationsstraat 14 zit sinds de vorst een "
        "diepe put; fietsers moeten uitwijken naar de rijweg."))
WEDDINGS = [
    ("Huwelijk in juni", "Wij willen in juni trouwen op het gemeentehuis. Hoe maken we een afspraak?"),
    ("Trouwdatum", "Mijn partner en ik gaan trouwen en willen graag een datum vastleggen voor de ceremonie."),
    ("Trouwen in het stadhuis", ("Kunnen wij op een zaterdag in het stadhuis trouwen, en wie moeten de "
     "getuigen zijn?")),
]
REQUESTS = [
    ("Kopie verslag", "Graag ontving ik een kopie van het verslag van de gemeenteraad van maart."),
    ("Notulen collegevergadering", ("Ik vraag de notulen van de collegevergadering van 4 februari over het "
     "nieuwe zwembad.")),
    ("Kopie beslissing", ("Ik wil een afschrift van de beslissing van het schepencollege over de subsidie "
     "voor de jeugdclub.")),
]
AID = ("Leefloon", "Ik heb geen inkomen meer en vraag een leefloon en hulp bij mijn energiefactuur.")
NEXT = ("Verslag gemeenteraad", ("Mag ik het verslag lezen van de gemeenteraad waarin over het nieuwe "
        "sportcentrum beslist werd?"))


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def test_mail_is_fetched_routed_or_queued_and_corrections_change_the_next_prediction(
        tmp_path: Path, dovecot: Dovecot) -> None:
    skip_without_e5()
    smtp_port = free_port()
    app = appliance_for(tmp_path, dovecot, smtp_port=smtp_port, e5=True)
    strict = yaml.safe_load((REPO / "docs" / "examples" / "taxonomy-gemeente.yaml").read_text(encoding="utf-8"))
    for category in strict["categories"]:
        if category["key"] in ("burgerzaken", "openbaarheid"):
            category["human_only"] = True
    (tmp_path / "strict.yaml").write_text(yaml.safe_dump(strict), encoding="utf-8")
    import_taxonomy(app.settings, tmp_path / "strict.yaml")
    jobs.use_appliance(app)  # the retrain task works on this appliance (and its loaded e5)
    for n, (subject, body) in enumerate([ROAD, *WEDDINGS, *REQUESTS, AID]):
        dovecot.append(mail(subject, body, message_id=f"<e2e-{n}@example.be>"))

    # One poll: everything fetched, stored and classified; the near-certain one routed by itself.
    assert poll_mailbox(app).received == 8
    stored = {i.subject: i for i in items(app)}
    road = stored[ROAD[0]]
    assert (road.state, road.routed_by, road.department, road.suggested) == ("routed", "auto", "omgeving",
                                                                             "wegschade")
    queued = [stored[s] for s, _ in [*WEDDINGS, *REQUESTS, AID]]
    assert all(i.state == "queued" and i.suggested and i.model_version.startswith("zs-") for i in queued)
    assert stored[AID[0]].reason == "human_only"
    assert {stored[s].reason for s, _ in [*WEDDINGS, *REQUESTS]} <= {"below_threshold", "human_only"}
    assert sum(stored[s].suggested == "openbaarheid" for s, _ in REQUESTS) >= 2  # zero-shot reads them
    with SmtpSink(smtp_port) as sink:
        assert outbox.deliver_due(app)["sent"] == 1
    [(_, rcpts, sent)] = sink.messages
    assert rcpts == ["omgeving@gemeente.example"] and sent["X-Belfort-Route"] == f"triage:{road.id}"
    assert ROAD[0] in str(sent["Subject"])

    # Before any correction a minutes request is a zero-shot suggestion that waits for a person.
    before = load_classifier(app.settings, app.embedder).classify("\n".join(NEXT))
    assert before.abstain and before.model_version.startswith("zs-")

    # The queue page shows the doubtful ones (not the routed one), each with its correction form.
    from ops.webapp import create_app

    accounts.create_user(app, "tina", PW, role="staff", groups=["triage"])
    jobs.queue_for(app, immediate=True)  # the web app's jobs run where they are queued
    client = TestClient(create_app(app))
    assert sign_in(client, "tina").status_code in (302, 303)
    page = client.get("/triage")
    assert page.status_code == 200
    assert all(i.subject in page.text and f'action="/triage/items/{i.id}/route"' in page.text for i in queued)
    assert ROAD[0] not in page.text

    # A person routes the weddings to burgerzaken and corrects the minutes requests to openbaarheid.
    for subjects, category in ((WEDDINGS, "burgerzaken"), (REQUESTS, "openbaarheid")):
        for subject, _ in subjects:
            r = client.post(f"/triage/items/{stored[subject].id}/route", follow_redirects=False,
                            data={"_csrf_token": csrf(client), "category": category})
            assert r.status_code == 303
    page = client.get("/triage").text
    assert AID[0] in page and not any(s in page for s, _ in [*WEDDINGS, *REQUESTS])
    jobs.request_retrain(app)  # what the admin console's button does (a correction asks for one too)
    with read_session(app.db) as s:
        labels = s.exec(select(TriageLabel)).all()
        last_job = s.exec(select(JobOutcome).where(JobOutcome.kind == jobs.RETRAIN_KIND)
                          .order_by(col(JobOutcome.id).desc())).first()
    assert sorted(lab.category for lab in labels) == ["burgerzaken"] * 3 + ["openbaarheid"] * 3
    version = ModelStore(models_root(app.settings)).active_version()
    assert last_job is not None and last_job.code == "triage.retrained" and version
    assert {lab.used_in_version for lab in labels} == {version}

    # The next prediction for a similar request follows the corrections: directly, and for new mail.
    after = load_classifier(app.settings, app.embedder).classify("\n".join(NEXT))
    assert (after.suggestion, after.model_version) == ("openbaarheid", version)
    dovecot.append(mail(*NEXT, message_id="<e2e-next@example.be>"))
    assert poll_mailbox(app).received == 1
    new = items(app)[-1]
    assert (new.subject, new.suggested, new.model_version) == (NEXT[0], "openbaarheid", version)

    # The corrected items went out by SMTP to their departments too.
    with SmtpSink(smtp_port) as sink:
        assert outbox.deliver_due(app)["sent"] >= 6
    recipients = [r for _, rcpts, _ in sink.messages for r in rcpts]
    assert recipients.count("burgerzaken@gemeente.example") == 3
    assert recipients.count("secretariaat@gemeente.example") >= 3
