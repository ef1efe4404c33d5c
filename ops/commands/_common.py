"""Helpers shared by the sub-command modules."""

from __future__ import annotations

import argparse
from pathlib import Path

from appliance.context import Appliance, open_appliance
from appliance.settings import load_settings


def appliance_from(args: argparse.Namespace) -> Appliance:
    config = getattr(args, "config", None)
    return open_appliance(load_settings(Path(config) if config else None))


def register(sub: argparse._SubParsersAction) -> None:  # this module adds no command
    return None
