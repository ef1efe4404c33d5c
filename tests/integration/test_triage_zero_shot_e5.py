"""Zero-shot triage from day one, through the real intake path and the real e5 embedder: the demo's six
citizen mails are filed right before anyone labelled anything, and bad input is handled sensibly (a
mail that is only an attachment, a language the taxonomy has no examples for).

Which category is right for each demo mail follows from its content: a hole in a cycle path and loose
paving stones are road damage, a living wage is social assistance, an identity card is civil affairs,
dumped barrels are waste, a copy of council minutes is open government."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from appliance.context import Appliance, open_appliance
from appliance.triage.intake import active_classifier, receive
from appliance.triage.store import import_taxonomy, models_root
from appliance.triage.zero_shot import ZeroShotModel
from tests.conftest import REPO, make_settings
from tests.integration.mail_servers import E5_MODEL, provisioned_models, skip_without_e5

DEMO = REPO / "ops" / "demo" / "corpus-triage"
EXPECTED = {
    "01-put-fietspad.eml": "wegschade",
    "02-stoeptegel-zonder-adres.eml": "wegschade",
    "03-leefloon.eml": "sociale-steun",
    "04-carte-identite-fr.eml": "burgerzaken",
    "05-dringend-sluikstort.eml": "afval",
    "06-inzage-bouwdossier.eml": "openbaarheid",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Appliance:
    skip_without_e5()
    tmp = tmp_path_factory.mktemp("zero-shot")
    settings = make_settings(tmp, mail={"from_address": "belfort@gemeente.example"},
                             search={"embedder": "e5", "embedder_model": E5_MODEL},
                             models_dir=str(provisioned_models()))
    appliance = open_appliance(settings)
    import_taxonomy(settings, REPO / "docs" / "examples" / "taxonomy-gemeente.yaml")
    return appliance


def _mail(subject: str, body: str | None, attachments: tuple[tuple[str, bytes, str], ...] = (),
          n: int = 0) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"] = "Burger <burger@example.be>", "info@gemeente.example"
    msg["Message-ID"] = f"<zero-shot-{n}@example.be>"
    if subject:
        msg["Subject"] = subject
    if body is not None:
        msg.set_content(body)
    for name, data, ctype in attachments:
        main, sub = ctype.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes()


def test_the_six_demo_mails_are_filed_right_zero_shot(app: Appliance) -> None:
    assert sorted(p.name for p in DEMO.glob("*.eml")) == sorted(EXPECTED)
    clf = active_classifier(app)
    assert isinstance(clf.scorer, ZeroShotModel) and clf.scorer.calibrated  # no model trained: zero-shot
    assert list((models_root(app.settings) / "prototypes").glob("prototypes-*.npz"))  # vectors kept
    for name, category in EXPECTED.items():
        item = receive(app, (DEMO / name).read_bytes(), source="folder")
        assert item.suggested == category, (name, item.meta["ai"]["candidates"])
        assert item.model_version.startswith("zs-")
        if category == "sociale-steun":  # human_only: a person decides, however sure the suggestion
            assert item.state == "queued" and item.reason == "human_only"
        elif item.state == "routed":
            assert item.confidence >= item.meta["ai"]["threshold"]


def test_a_language_without_examples_is_read_by_the_multilingual_embedder(app: Appliance) -> None:
    """The taxonomy has Dutch descriptions and one French example; nothing in German or English, so the
    lexical signal has no word in common with these mails and the multilingual embedding carries them."""
    german = _mail("Schlagloch im Radweg", "Guten Tag, im Radweg vor der Schule ist ein tiefes Schlagloch. "
                   "Ein Kind ist gestern dort gestürzt. Bitte reparieren Sie es.", n=1)
    english = _mail("Copy of the council minutes", "Under the open government rules I ask for a copy of the "
                    "minutes of the council meeting that approved the new parking plan.", n=2)
    de = receive(app, german, source="imap")
    assert de.suggested == "wegschade" and de.language == "de"
    en = receive(app, english, source="imap")
    assert en.suggested == "openbaarheid" and en.language == "en"


def test_a_mail_that_is_only_an_attachment(app: Appliance) -> None:
    letter = (b"Geachte, ik heb geen inkomen meer sinds mijn ontslag en vraag een leefloon en hulp bij het "
              b"betalen van mijn huur.")
    only_text = receive(app, _mail("", None, (("aanvraag.txt", letter, "text/plain"),), n=3), source="imap")
    assert "no_body" in only_text.flags and only_text.suggested == "sociale-steun"
    # a photo without any text and without a subject: only its name is left to read; a person looks
    photo = receive(app, _mail("", None, (("IMG_2041.jpg", b"\xff\xd8\xff\xe0" + bytes(64), "image/jpeg"),),
                               n=4), source="imap")
    assert "no_body" in photo.flags and photo.state == "queued" and photo.routed_by in ("", None)


def test_the_prototype_cache_makes_a_second_build_cheap(app: Appliance, tmp_path: Path) -> None:
    clf = active_classifier(app)
    from appliance.triage.store import active_taxonomy

    class Refusing:
        id, dim = app.embedder.id, app.embedder.dim

        def embed_passages(self, texts: list[str]) -> None:
            raise AssertionError("prototypes should come from the cache")

        embed_queries = embed_passages

    again = ZeroShotModel.build(active_taxonomy(app.settings), Refusing(),  # type: ignore[arg-type]
                                cache_dir=models_root(app.settings) / "prototypes")
    assert again.version == clf.scorer.version
