"""The appliance the tasks of this process work on: opened once per data folder (engines load once)."""

from __future__ import annotations

import threading

from appliance.context import Appliance, open_appliance
from appliance.settings import Settings

_apps: dict[str, Appliance] = {}
_apps_lock = threading.Lock()


def worker_appliance(settings: Settings) -> Appliance:
    """The appliance of this process for these settings, opened (and the index checked) once."""
    key = str(settings.data_dir.resolve())
    with _apps_lock:
        app = _apps.get(key)
        if app is None:
            app = open_appliance(settings)
            _prepare(app)
            _apps[key] = app
        return app


def use_appliance(app: Appliance) -> None:
    """Hand an already opened appliance to the tasks (tests, or `belfort up` sharing one process)."""
    with _apps_lock:
        if str(app.settings.data_dir.resolve()) not in _apps:
            _prepare(app)
        _apps[str(app.settings.data_dir.resolve())] = app


def _prepare(app: Appliance) -> None:
    from appliance.documents import prepare_ingest

    prepare_ingest(app)
