"""The name rules of issue 18 take linear time too (see test_pii_linear.py for the method)."""

from __future__ import annotations

import pytest

from tests.unit.test_pii_linear import (
    ABSOLUTE_LIMIT_S,
    GROWTH_LIMIT,
    LARGE,
    SLACK_S,
    SMALL,
    _fill,
    _seconds,
)

HOSTILE_NAMES = {
    "capitals": _fill("PEETERS "),
    "capital particles": _fill("VAN DEN "),
    "initials": _fill("J. "),
    "glued initials": _fill("J.-"),
    "roles": _fill("Aanvrager "),
    "role and names": _fill("Aanvrager Jan Peeters "),
    "comma lists": _fill("Peeters, Jan; "),
    "greetings": _fill("Hallo Jan,\n"),
    "closings": _fill("Groetjes,\nTine\n"),
    "titles": _fill("Prof. Dr. "),
    "institutions": _fill("AZ Sint-Jan "),
    "streets": _fill("rue Jean Jaurès 25 "),
    "hyphens": _fill("Sint-"),
    "eponyms": _fill("ziekte van Alzheimer "),
}


@pytest.mark.parametrize("name", list(HOSTILE_NAMES))
def test_name_rules_take_linear_time(name: str) -> None:
    make = HOSTILE_NAMES[name]
    small, large = make(SMALL), make(LARGE)
    t_small, t_large = _seconds(small), _seconds(large)
    assert t_large < GROWTH_LIMIT * t_small + SLACK_S, f"{name}: {t_small:.3f}s -> {t_large:.3f}s for 4x the text"
    assert t_large < ABSOLUTE_LIMIT_S, f"{name}: {t_large:.3f}s for {LARGE} characters"
