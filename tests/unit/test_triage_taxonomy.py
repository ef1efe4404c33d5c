from pathlib import Path

import pytest

from appliance.errors import BelfortError
from appliance.triage.taxonomy import Taxonomy, load_taxonomy
from tests.conftest import REPO
from tests.unit.triage_data import TAXONOMY_YAML


def _load(tmp_path: Path, text: str) -> Taxonomy:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    return load_taxonomy(path)


def test_yaml_import_keeps_every_field(tmp_path: Path) -> None:
    tax = _load(tmp_path, TAXONOMY_YAML)
    assert tax.keys == ["afval", "wegen", "sociaal", "dieren"]
    social = tax.get("sociaal")
    assert social is not None and social.human_only and social.department == "welzijn"
    assert social.deadline_days == 30
    wegen = tax.get("wegen")
    assert wegen is not None and wegen.required_fields == ("address",) and not wegen.human_only
    dieren = tax.get("dieren")
    assert dieren is not None and dieren.threshold == 0.6
    assert tax.get("afval").threshold == 0.5  # type: ignore[union-attr]  # the default applies
    assert [d.key for d in tax.departments] == ["omgeving", "welzijn"]


def test_example_taxonomies_in_docs_load() -> None:
    tax = load_taxonomy(REPO / "docs" / "examples" / "taxonomy-amsterdam.yaml")
    assert len(tax.categories) == 6
    assert all(c.description for c in tax.categories)
    flemish = load_taxonomy(REPO / "docs" / "examples" / "taxonomy-gemeente.yaml")
    assert [c.key for c in flemish.categories if c.human_only] == ["sociale-steun"]


@pytest.mark.parametrize(
    ("text", "code", "hint_part"),
    [
        (
            (
                "categories:\n  - key: a\n    department: x\n    description: d\n"
                "  - key: a\n    department: x\n    description: e\n"
            ),
            "triage.taxonomy_duplicate",
            "unique",
        ),
        (
            "categories:\n  - key: a\n    department: x\n    description: d\n    colour: red\n",
            "triage.taxonomy_invalid",
            "allowed",
        ),
        (
            "departments: [x]\ncategories:\n  - key: a\n    department: y\n    description: d\n",
            "triage.taxonomy_unknown_department",
            "x",
        ),
        (
            "categories:\n  - key: a\n    department: x\n    description: d\n    threshold: 1.5\n",
            "triage.taxonomy_invalid",
            "0.6",
        ),
        ("categories:\n  - key: a\n    department: x\n", "triage.taxonomy_invalid", "description"),
        (
            "categories:\n  - key: a\n    department: x\n    description: d\n    human_only: maybe\n",
            "triage.taxonomy_invalid",
            "true",
        ),
        (
            "categories:\n  - key: a\n    department: x\n    description: d\n    deadline_days: -3\n",
            "triage.taxonomy_invalid",
            "deadline_days",
        ),
        ("categories: []\n", "triage.taxonomy_empty", "categories"),
        ("categories:\n  - key: a\n   department: [\n", "triage.taxonomy_syntax", "indentation"),
    ],
)
def test_invalid_taxonomies_fail_with_code_and_hint(
    tmp_path: Path, text: str, code: str, hint_part: str
) -> None:
    with pytest.raises(BelfortError) as err:
        _load(tmp_path, text)
    assert err.value.code == code
    assert hint_part in err.value.hint


def test_missing_file_has_its_own_code(tmp_path: Path) -> None:
    with pytest.raises(BelfortError) as err:
        load_taxonomy(tmp_path / "nope.yaml")
    assert err.value.code == "triage.taxonomy_missing"


def test_labels_become_a_bare_taxonomy() -> None:
    tax = Taxonomy.from_labels(["Afval", "Wegen"])
    assert tax.keys == ["Afval", "Wegen"]
    assert tax.get("Afval").profile_text() == "Afval"  # type: ignore[union-attr]
