"""The running appliance: settings, database and engines, built once and passed down.

Engines load lazily, once per process (the web server, each worker), never at import time.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from appliance.db.engine import make_engine, migrate
from appliance.settings import Settings
from appliance.storage.layout import DataLayout

if TYPE_CHECKING:
    from appliance.index.base import VectorIndex
    from models.base import Embedder, NerTagger, Transcriber


class Appliance:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 transcriber: Transcriber | None = None) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        if embedder is not None:
            self.__dict__["embedder"] = embedder  # tests hand an engine in at this seam
        if transcriber is not None:
            self.__dict__["transcriber"] = transcriber

    @property
    def layout(self) -> DataLayout:
        """Where each file of this appliance lives under its data folder."""
        return DataLayout.of(self.settings)

    @cached_property
    def db(self) -> Engine:
        return make_engine(self.layout.db)

    def migrate(self) -> int:
        for d in self.layout.created_at_start():
            d.mkdir(parents=True, exist_ok=True)
        return migrate(self.db)

    @cached_property
    def embedder(self) -> Embedder:
        from models.catalog import resolve_model_dir
        from models.registry import build_embedder

        s = self.settings.search
        model_dir = resolve_model_dir(self.settings.models_dir, s.embedder_model)
        return build_embedder(s.embedder, model_dir)

    @cached_property
    def transcriber(self) -> Transcriber:
        """The speech engine of this process (faster-whisper, loaded on first use)."""
        from appliance.recordings.transcripts import build_transcriber

        return build_transcriber(self.settings)

    @cached_property
    def ner(self) -> NerTagger | None:
        """The person-name tagger, started once per process (Frog takes seconds to load)."""
        from appliance.privacy.pii import build_ner_tagger

        return build_ner_tagger(self.settings.pii.ner, wait_seconds=self.settings.pii.ner_wait_seconds)

    @cached_property
    def index(self) -> VectorIndex:
        from appliance.index.faiss_index import FaissIndex

        return FaissIndex(self.layout.index, self.embedder)


def open_appliance(settings: Settings, **kw: object) -> Appliance:
    app = Appliance(settings, **kw)  # type: ignore[arg-type]
    app.migrate()
    return app
