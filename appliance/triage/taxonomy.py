"""Triage taxonomy: departments and categories, loaded from YAML and validated with stable error codes.

A category says where an item goes (its department), how to recognise it (description, examples),
what a complete request holds (required fields), how fast it must be answered (deadline_days), the
confidence below which it abstains to the human queue (threshold) and whether a person must always
decide (human_only: e.g. social assistance, high-risk under the AI Act).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from appliance.errors import BelfortError

DEFAULT_THRESHOLD = 0.5

_CATEGORY_KEYS = {
    "key",
    "department",
    "description",
    "examples",
    "required_fields",
    "deadline_days",
    "human_only",
    "threshold",
    "name",
}
_DEPARTMENT_KEYS = {"key", "name", "mailbox", "webhook"}
_TOP_KEYS = {"version", "default_threshold", "departments", "categories"}


@dataclass(frozen=True)
class Department:
    key: str
    name: str = ""
    mailbox: str = ""
    webhook: str = ""


@dataclass(frozen=True)
class Category:
    key: str
    department: str
    description: str
    examples: tuple[str, ...] = ()
    required_fields: tuple[str, ...] = ()
    deadline_days: int | None = None
    human_only: bool = False
    threshold: float = DEFAULT_THRESHOLD
    name: str = ""

    def profile_text(self) -> str:
        """The text a zero-shot scorer compares items with: name and description."""
        label = self.name or self.key
        return f"{label}: {self.description}" if self.description else label


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]
    departments: tuple[Department, ...] = ()
    default_threshold: float = DEFAULT_THRESHOLD
    version: str = "1"
    _by_key: dict[str, Category] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {c.key: c for c in self.categories})

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.categories]

    def get(self, key: str) -> Category | None:
        return self._by_key.get(key)

    def department(self, key: str) -> Department | None:
        return next((d for d in self.departments if d.key == key), None)

    @classmethod
    def from_labels(cls, labels: list[str], threshold: float = DEFAULT_THRESHOLD) -> Taxonomy:
        """A bare taxonomy whose descriptions are the label names (zero-shot without a YAML file)."""
        return cls(
            tuple(
                Category(key=lab, department="", description="", threshold=threshold, name=lab)
                for lab in labels
            ),
            default_threshold=threshold,
        )


def _invalid(message: str, hint: str) -> BelfortError:
    return BelfortError("triage.taxonomy_invalid", message, hint=hint)


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(f"{where} must be a list of strings", "write it as a YAML list: [a, b] or '- a' lines")
    return tuple(v.strip() for v in value if v.strip())


def _threshold(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise _invalid(f"{where} must be a number between 0 and 1", "e.g. threshold: 0.6")
    return float(value)


def _unknown_keys(data: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _invalid(
            f"{where}: unknown field(s) {', '.join(map(str, unknown))}",
            "allowed: " + ", ".join(sorted(allowed)),
        )


def _department(raw: Any, i: int) -> Department:
    where = f"departments[{i}]"
    if isinstance(raw, str):
        return Department(key=raw)
    if not isinstance(raw, Mapping) or not str(raw.get("key") or "").strip():
        raise _invalid(
            f"{where} needs a key", "write '- key: omgeving' (and optionally name, mailbox, webhook)"
        )
    _unknown_keys(raw, _DEPARTMENT_KEYS, where)
    return Department(
        key=str(raw["key"]).strip(),
        name=str(raw.get("name") or ""),
        mailbox=str(raw.get("mailbox") or ""),
        webhook=str(raw.get("webhook") or ""),
    )


def _category(raw: Any, i: int, default_threshold: float) -> Category:
    where = f"categories[{i}]"
    if not isinstance(raw, Mapping):
        raise _invalid(f"{where} must be a mapping", "write '- key: ...' followed by its fields")
    _unknown_keys(raw, _CATEGORY_KEYS, where)
    key = str(raw.get("key") or "").strip()
    if not key:
        raise _invalid(f"{where} has no key", "every category needs a unique 'key'")
    where = f"category '{key}'"
    department = str(raw.get("department") or "").strip()
    if not department:
        raise _invalid(f"{where} has no department", "name the department that handles it")
    description = str(raw.get("description") or "").strip()
    examples = _str_list(raw.get("examples"), f"{where}: examples")
    if not description and not examples:
        raise _invalid(
            f"{where} has neither a description nor examples",
            "zero-shot routing compares items with the description: write one or two sentences",
        )
    deadline = raw.get("deadline_days")
    if deadline is not None and (isinstance(deadline, bool) or not isinstance(deadline, int) or deadline < 0):
        raise _invalid(
            f"{where}: deadline_days must be a whole number of days >= 0", "e.g. deadline_days: 20"
        )
    human_only = raw.get("human_only", False)
    if not isinstance(human_only, bool):
        raise _invalid(f"{where}: human_only must be true or false", "e.g. human_only: true")
    threshold = raw.get("threshold")
    return Category(
        key=key,
        department=department,
        description=description,
        examples=examples,
        required_fields=_str_list(raw.get("required_fields"), f"{where}: required_fields"),
        deadline_days=deadline,
        human_only=human_only,
        name=str(raw.get("name") or "").strip(),
        threshold=default_threshold if threshold is None else _threshold(threshold, f"{where}: threshold"),
    )


def taxonomy_from_dict(data: Any) -> Taxonomy:
    """Validate a parsed YAML/JSON document; raises BelfortError triage.taxonomy_* with a hint."""
    if not isinstance(data, Mapping):
        raise _invalid(
            "the taxonomy must be a mapping with a 'categories' list", "start the file with 'categories:'"
        )
    _unknown_keys(data, _TOP_KEYS, "taxonomy")
    default_threshold = _threshold(data.get("default_threshold", DEFAULT_THRESHOLD), "default_threshold")
    raw_departments = data.get("departments") or []
    raw_categories = data.get("categories") or []
    if not isinstance(raw_departments, list) or not isinstance(raw_categories, list):
        raise _invalid("departments and categories must be lists", "write each entry as a '- key: ...' item")
    if not raw_categories:
        raise BelfortError(
            "triage.taxonomy_empty",
            "the taxonomy has no categories",
            hint="add at least one entry under 'categories:'",
        )
    departments = tuple(_department(d, i) for i, d in enumerate(raw_departments))
    categories = tuple(_category(c, i, default_threshold) for i, c in enumerate(raw_categories))
    for what, keys in (
        ("category", [c.key for c in categories]),
        ("department", [d.key for d in departments]),
    ):
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise BelfortError(
                    "triage.taxonomy_duplicate",
                    f"{what} key '{key}' appears twice",
                    hint=f"give every {what} a unique key",
                )
            seen.add(key)
    if departments:  # when departments are declared, every category must point at one of them
        known = {d.key for d in departments}
        for c in categories:
            if c.department not in known:
                raise BelfortError(
                    "triage.taxonomy_unknown_department",
                    f"category '{c.key}' names department '{c.department}', which is not declared",
                    hint="declared departments: " + ", ".join(sorted(known)),
                )
    return Taxonomy(categories, departments, default_threshold, str(data.get("version", "1")))


def load_taxonomy(path: Path) -> Taxonomy:
    """Read a taxonomy YAML file (JSON is valid YAML too)."""
    import yaml  # PyYAML; imported here so the rest of triage works without it

    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BelfortError(
            "triage.taxonomy_missing",
            f"taxonomy file {path} does not exist",
            hint="pass the path of a YAML file; see docs/examples/taxonomy-amsterdam.yaml",
            status=404,
        ) from None
    except UnicodeDecodeError:
        raise _invalid(f"taxonomy file {path} is not UTF-8", "save the file as UTF-8") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise BelfortError(
            "triage.taxonomy_syntax",
            f"taxonomy file {path} is not valid YAML{where}",
            hint="check indentation and quote values that contain ':'",
        ) from None
    return taxonomy_from_dict(data)
