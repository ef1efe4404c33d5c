"""Rules that used to sit in the API and page handlers, now in their features: checked without HTTP."""

import pytest

from appliance.access.accounts import admin_update_user, create_user
from appliance.access.principals import Principal, require_ingest
from appliance.errors import BelfortError
from appliance.search.passage_links import links
from appliance.triage.forms import MAX_FIELDS, FormSubmission, validate_form

ADMIN = Principal(user_id=1, username="root", role="admin")


@pytest.mark.parametrize("form,code,status", [
    (FormSubmission(), "intake.empty", 400),
    (FormSubmission(text="  ", fields={"a": " "}), "intake.empty", 400),
    (FormSubmission(text="x", sender="not an address"), "intake.invalid_sender", 400),
    (FormSubmission(text="x", fields={f"f{i}": "v" for i in range(MAX_FIELDS + 1)}), "intake.too_many_fields", 400),
    (FormSubmission(text="x" * 2_000_000), "intake.too_large", 413),
])
def test_intake_forms_are_refused_with_their_stable_codes(appliance, form, code, status):
    with pytest.raises(BelfortError) as exc:
        validate_form(appliance, form)
    assert (exc.value.code, exc.value.status) == (code, status)


def test_a_form_with_text_and_a_padded_sender_is_accepted(appliance):
    validate_form(appliance, FormSubmission(text="Mijn vraag", sender="  an@stad.gent "))


def test_an_admin_cannot_remove_their_own_admin_access(appliance):
    create_user(appliance, "root", "een lang genoeg wachtwoord", role="admin")
    for role, active in (("staff", True), ("admin", False)):
        with pytest.raises(BelfortError) as exc:
            admin_update_user(appliance, ADMIN, "root", role=role, groups=[], active=active)
        assert exc.value.code == "accounts.self_lockout"
    assert admin_update_user(appliance, ADMIN, "root", role="admin", groups=[], active=True).role == "admin"


def test_ingest_status_needs_the_archivist_role():
    require_ingest(Principal(user_id=2, username="an", role="archivist"))
    with pytest.raises(BelfortError) as exc:
        require_ingest(Principal(user_id=3, username="wout", role="staff"))
    assert (exc.value.code, exc.value.status) == ("auth.forbidden", 403)


def test_passage_links_open_pdfs_at_their_page():
    assert links(7, 3, "raad.PDF", 11, 5, 9) == (
        "/documents/7?page=3&chunk=11&mark=5-9#chunk-11", "/documents/7/original#page=3")
    assert links(7, 1, "nota.docx", 2, 0, 4)[1] == "/documents/7/original"


def test_an_api_clients_history_keeps_its_last_turns_cut_to_size():
    from appliance.ask.records import CLIENT_MESSAGE_CHARS, MAX_CLIENT_TURNS, client_history

    turns = [("assistant" if i % 2 else "system", "x" * 5000) for i in range(MAX_CLIENT_TURNS + 3)]
    kept = client_history(turns)
    assert len(kept) == MAX_CLIENT_TURNS
    assert {m.role for m in kept} == {"user", "assistant"}
    assert all(len(m.content) == CLIENT_MESSAGE_CHARS for m in kept)


def test_a_recordings_language_is_nl_fr_auto_or_the_settings():
    from appliance.recordings.store import chosen_language
    from appliance.recordings.transcripts import FROM_SETTINGS

    assert [chosen_language(c) for c in ("nl", "fr", "auto", "", "de")] == ["nl", "fr", None, FROM_SETTINGS,
                                                                              FROM_SETTINGS]
