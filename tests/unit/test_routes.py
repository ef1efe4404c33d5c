"""A collection's escalation route: set from the CLI, read by Ask (sensitive topics) and tickets."""

from __future__ import annotations

import pytest

from appliance.access.principals import SYSTEM
from appliance.ask.routes import get_route, set_route
from appliance.documents.ingest import ensure_collection
from appliance.errors import BelfortError
from ops.cli import main


def test_set_route_changes_only_what_is_given(appliance):
    ensure_collection(appliance, "publiek", "Publiek", ("iedereen",))
    set_route(appliance, "publiek", department="Burgerzaken", mailbox="burgerzaken@gemeente.example",
              handler_groups=["onthaal"], sensitive_topics=["leefloon"])
    route = set_route(appliance, "publiek", department="Onthaal")
    assert route.department == "Onthaal"
    assert route.mailbox == "burgerzaken@gemeente.example"
    assert route.handler_groups == ("onthaal",)
    assert get_route(appliance, "publiek").sensitive_topics == ("leefloon",)
    cleared = set_route(appliance, "publiek", mailbox="", handler_groups=[])
    assert cleared.mailbox == "" and cleared.handler_groups == ()


def test_bad_mailbox_and_unknown_collection_are_refused(appliance):
    ensure_collection(appliance, "publiek", "Publiek", ())
    with pytest.raises(BelfortError) as exc:
        set_route(appliance, "publiek", mailbox="a@b.example, c@d.example")
    assert exc.value.code == "route.bad_mailbox"
    with pytest.raises(BelfortError) as exc:
        get_route(appliance, "nergens")
    assert exc.value.code == "collection.not_found"


def test_sensitive_topic_set_by_cli_escalates_an_ask(appliance, settings, tmp_path, capsys, monkeypatch):
    from appliance.ask.answering import answer
    from appliance.documents.ingest import ingest_file

    ensure_collection(appliance, "personeel", "HR", ())
    doc = tmp_path / "ontslag.txt"
    doc.write_text("De opzegtermijn bij ontslag hangt af van de anciënniteit van de medewerker.", "utf-8")
    ingest_file(appliance, doc, "personeel", source_name=doc.name)
    monkeypatch.setenv("BELFORT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("BELFORT_SEARCH__EMBEDDER", "fake")
    rc = main(["admin", "set-route", "personeel", "--department", "Dienst Personeel",
               "--handlers", "hr", "--sensitive", "ontslag;tuchtprocedure"])
    assert rc == 0
    assert "Dienst Personeel" in capsys.readouterr().out
    ans = answer(appliance, SYSTEM, "Hoe lang is de opzegtermijn bij ontslag?", use_llm=False)
    assert ans.status == "escalated"
    assert ans.checks["sensitive_topic"] == "ontslag"
    assert "Dienst Personeel" in ans.text
