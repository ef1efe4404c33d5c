"""The queue's order, deadlines (due soon / overdue) and the daily reminders per department."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import select

from appliance.access import accounts
from appliance.access.principals import Principal
from appliance.db.engine import read_session
from appliance.db.tables import Group, OutboxMessage
from appliance.i18n import t
from appliance.triage.queue import department_items, list_items, may_triage, send_reminders
from tests.unit.triage_items import add_item, use_taxonomy

TODAY = date(2026, 3, 10)
TAXONOMY = """
departments:
  - {key: omgeving, name: Omgeving, mailbox: omgeving@gemeente.example}
  - {key: secretariaat, name: Secretariaat, mailbox: secretariaat@gemeente.example}
  - {key: zonder}
categories:
  - {key: wegschade, department: omgeving, description: wegen, deadline_days: 14}
  - {key: openbaarheid, department: secretariaat, description: inzage, deadline_days: 20}
  - {key: stil, department: zonder, description: zonder mailbox, deadline_days: 1}
"""


def _at(days_ago: int) -> datetime:
    return datetime(2026, 3, 10, 9, 0, tzinfo=UTC) - timedelta(days=days_ago)


def test_urgent_first_then_the_nearest_deadline(appliance, tmp_path) -> None:
    use_taxonomy(appliance, TAXONOMY, tmp_path)
    late = add_item(appliance, "oud", suggested="wegschade", received_at=_at(20))
    fresh = add_item(appliance, "nieuw", suggested="openbaarheid", received_at=_at(0))
    urgent = add_item(appliance, "dringend", suggested="openbaarheid", received_at=_at(0), urgent=True)
    rows = list_items(appliance, state="queued", today=TODAY)
    assert [r.item.id for r in rows] == [urgent, late, fresh]
    assert rows[1].due_status == "overdue" and rows[1].due == date(2026, 3, 4)  # 14 days after receipt
    assert rows[2].due_status == "" and rows[2].department == "secretariaat"


def test_reminders_go_once_per_item_per_day_to_each_department(appliance, tmp_path) -> None:
    use_taxonomy(appliance, TAXONOMY, tmp_path)
    overdue = add_item(appliance, "put", state="routed", category="wegschade", department="omgeving",
                       deadline="2026-03-01")
    soon = add_item(appliance, "inzage", state="awaiting_info", category="openbaarheid",
                    department="secretariaat", deadline="2026-03-12")
    for subject, state, deadline in (("later", "routed", "2026-04-30"), ("klaar", "closed", "2026-03-01")):
        add_item(appliance, subject, state=state, category="wegschade", department="omgeving",
                 deadline=deadline)
    add_item(appliance, "stil", state="routed", category="stil", department="zonder", deadline="2026-03-01")
    assert send_reminders(appliance, today=TODAY) == {"departments": 2, "items": 2}
    with read_session(appliance.db) as s:
        mails = {m.target: m for m in s.exec(select(OutboxMessage)).all()}
    assert set(mails) == {"omgeving@gemeente.example", "secretariaat@gemeente.example"}
    lang = appliance.settings.web.default_language  # the departments' staff read the appliance's language
    assert f"#{overdue} put ({t(lang, 'triage_remind_mail.overdue')}:" in mails["omgeving@gemeente.example"].body
    assert f"#{soon} inzage ({t(lang, 'triage_remind_mail.due_soon')}:" in mails["secretariaat@gemeente.example"].body
    assert send_reminders(appliance, today=TODAY) == {"departments": 0, "items": 0}  # idempotent that day
    assert send_reminders(appliance, today=TODAY + timedelta(days=1))["items"] == 2  # and again the next
    inbox = department_items(appliance, "omgeving", today=TODAY)
    assert inbox[0].item.id == overdue and inbox[0].due_status == "overdue"


def test_the_triage_group_and_admins_may_triage(appliance) -> None:
    accounts.create_user(appliance, "tina", "een lang wachtwoord", groups=["triage"])
    with read_session(appliance.db) as s:
        gid = s.exec(select(Group.id).where(Group.name == "triage")).one()
    assert may_triage(appliance, Principal(1, "tina", "staff", frozenset({gid})))
    assert may_triage(appliance, Principal(2, "root", "admin"))
    assert not may_triage(appliance, Principal(3, "anna", "staff", frozenset({gid + 1})))


def test_the_cli_import_refuses_dropping_a_category_items_wait_in(appliance, tmp_path, capsys) -> None:
    from ops.cli import main

    use_taxonomy(appliance, TAXONOMY, tmp_path)
    add_item(appliance, "put", suggested="wegschade")
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(TAXONOMY.replace("  - {key: wegschade, department: omgeving, description: wegen, "
                                        "deadline_days: 14}\n", ""), encoding="utf-8")
    config = tmp_path / "belfort.toml"
    config.write_text(f'data_dir = "{appliance.settings.data_dir}"\nprofile = "test"\n'
                      '[search]\nembedder = "fake"\n', encoding="utf-8")
    assert main(["--config", str(config), "triage", "import-taxonomy", str(smaller)]) != 0
    assert "1 item(s) still wait in category 'wegschade'" in capsys.readouterr().err
