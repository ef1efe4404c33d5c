"""The running appliance: settings, database and engines, built once and passed down.

Everything an appliance holds is declared here. Engines load lazily, once per process (the web
server, each worker), never at import time, through `models.registry` from the settings and one
hardware profile probed once. Tests and evaluations hand an engine in with `engines.set`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Engine

from appliance.db.engine import make_engine, migrate
from appliance.db.reach import wait_for_store
from appliance.settings import Settings
from appliance.storage.layout import DataLayout
from hardware.profile import Profile, machine_profile
from models.base import ModelError
from models.registry import ENGINE_KINDS, EngineSettings, LlmChoice, Registry

if TYPE_CHECKING:
    from appliance.index.base import VectorIndex
    from models.base import LLM, Diarizer, Embedder, NerTagger, OcrEngine, Transcriber

log = logging.getLogger(__name__)

def engine_settings(settings: Settings) -> EngineSettings:
    """The plain values the engine room builds from (models/ never sees `Settings`)."""
    s = settings
    return EngineSettings(
        models_dir=s.models_dir, llm_engine=s.llm.engine, llm_model=s.llm.model, llm_base_url=s.llm.base_url,
        llm_timeout=s.llm.timeout_seconds, llm_context_size=s.llm.context_size, llm_threads=s.llm.threads,
        llm_gpu_layers=s.llm.gpu_layers, embedder=s.search.embedder, embedder_model=s.search.embedder_model,
        asr_model=s.asr.model, diarizer=s.asr.diarizer, ocr_engine=s.ocr.engine,
        ocr_languages=tuple(s.ocr.languages), ner=s.pii.ner, ner_wait_seconds=s.pii.ner_wait_seconds,
        asr_engine=s.asr.engine, llm_servers=tuple(s.model_servers.llm),
        embedder_servers=tuple(s.model_servers.embedder), asr_servers=tuple(s.model_servers.transcriber),
        server_timeout=s.model_servers.timeout_seconds, server_retry=s.model_servers.retry_seconds,
    )


@dataclass(frozen=True)
class EngineStatus:
    """One engine of the process: what the settings name, whether it is loaded, and why not."""

    kind: str
    name: str  # the loaded engine's name (model), else the engine the settings name
    loaded: bool
    code: str = ""  # the ModelError code of a failed load ('' when none failed)
    message: str = ""
    hint: str = ""
    sha256: str = ""  # of the loaded model file, where the engine knows it
    load_seconds: float = 0.0  # how long building it took in this process (0: handed in or not built)

    @property
    def ok(self) -> bool:
        return not self.code

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass
class _Slot:
    built: bool = False
    engine: Any = None
    error: ModelError | None = None
    seconds: float = 0.0  # time spent building it


class Engines:
    """The engines of one appliance, each built on first use and then shared by every thread.

    A failed load is remembered for `status`; the LLM keeps its failure (Ask answers extractively
    without one), the other kinds try again on the next use and raise the ModelError.
    """

    def __init__(self, cfg: EngineSettings, profile: Callable[[], Profile],
                 factory: type[Registry] = Registry) -> None:
        self.cfg = cfg
        self._profile = profile  # probed on the first build, not when an appliance is made
        self._factory = factory
        self._slots = {kind: _Slot() for kind in ENGINE_KINDS}
        self.on_load: Callable[[], None] | None = None  # told after each build (the worker's engine report)
        self._locks = {kind: threading.Lock() for kind in ENGINE_KINDS}

    @cached_property
    def registry(self) -> Registry:
        return self._factory(self.cfg, self._profile())

    def set(self, kind: str, engine: Any) -> None:
        """The seam for tests, evaluations and the CLI's --model: hand an engine in (None: none)."""
        self._slots[self._kind(kind)] = _Slot(built=True, engine=engine)

    def get(self, kind: str) -> Any:
        slot = self._slots[self._kind(kind)]
        if slot.built:
            return slot.engine
        with self._locks[kind]:
            slot = self._slots[kind]
            if not slot.built:
                slot = self._build(kind)
        if slot.error is not None and kind != "llm":
            raise slot.error
        return slot.engine

    def _build(self, kind: str) -> _Slot:
        started = time.perf_counter()
        try:
            slot = _Slot(built=True, engine=self.registry.build(kind))
        except ModelError as exc:
            log.warning("%s engine unavailable: %s (%s)", kind, exc.code, exc.message)
            slot = _Slot(built=kind == "llm", error=exc)
        slot.seconds = round(time.perf_counter() - started, 3)
        self._slots[kind] = slot
        if self.on_load is not None:
            self.on_load()
        return slot

    def status(self, load: tuple[str, ...] = ()) -> list[EngineStatus]:
        """Every engine kind, in ENGINE_KINDS order; `load` names the kinds to load first."""
        for kind in load:
            try:
                self.get(kind)
            except ModelError:
                pass  # recorded in its slot
        return [self._status(kind) for kind in ENGINE_KINDS]

    def _status(self, kind: str) -> EngineStatus:
        slot = self._slots[kind]
        if slot.error is not None:
            err = slot.error
            return EngineStatus(kind, self.cfg.configured(kind), False, err.code, err.message, err.hint)
        if slot.engine is None:
            return EngineStatus(kind, self.cfg.configured(kind), False)
        engine = slot.engine
        return EngineStatus(kind, str(getattr(engine, "name", kind)), True, sha256=str(getattr(engine, "sha256", "")),
                            load_seconds=slot.seconds)

    @staticmethod
    def _kind(kind: str) -> str:
        if kind not in ENGINE_KINDS:
            raise ModelError("engine.unknown_kind", f"unknown kind of engine '{kind}'",
                             hint="available: " + ", ".join(ENGINE_KINDS))
        return kind


class Appliance:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None,
                 transcriber: Transcriber | None = None) -> None:
        self.settings = settings
        self.engines = Engines(engine_settings(settings), lambda: self.hardware)
        if embedder is not None:
            self.engines.set("embedder", embedder)  # tests hand an engine in at this seam
        if transcriber is not None:
            self.engines.set("transcriber", transcriber)
        # Caches of the triage feature, per process: (taxonomy mtime, model version) -> classifier,
        # and the id of the triage group once it exists.
        self.triage_classifier: tuple[object, object] | None = None
        self.triage_group_id: int | None = None
        self._index: VectorIndex | None = None
        self._index_lock = threading.Lock()

    @cached_property
    def hardware(self) -> Profile:
        """The hardware profile, probed once; every engine is sized from it."""
        return machine_profile(self.settings.data_dir)

    @property
    def registry(self) -> Registry:
        """For an engine other than the configured one (the CLI's --model, evaluations)."""
        return self.engines.registry

    @property
    def layout(self) -> DataLayout:
        """Where each file of this appliance lives under its data folder."""
        return DataLayout.of(self.settings)

    @cached_property
    def db(self) -> Engine:
        """The store: PostgreSQL where store.url names it (the scale-out profile), else the SQLite file."""
        return make_engine(self.settings.store.url or self.layout.db)

    def migrate(self, wait: bool = True) -> int:
        """Create the data folders and bring the schema up to date. A database that does not answer is
        waited for (store.connect_wait_seconds; not with `wait` off), then raises store.unreachable."""
        for d in self.layout.created_at_start():
            d.mkdir(parents=True, exist_ok=True)
        wait_for_store(self.db, self.settings.store.connect_wait_seconds if wait else 0.0)
        return migrate(self.db)

    @property
    def llm(self) -> LLM | None:
        """The LLM, or None when none is configured or it cannot load (see `llm_status`)."""
        return cast("LLM | None", self.engines.get("llm"))

    @property
    def embedder(self) -> Embedder:
        return cast("Embedder", self.engines.get("embedder"))

    @property
    def transcriber(self) -> Transcriber:
        """The speech engine of this process (faster-whisper, loaded on first use)."""
        return cast("Transcriber", self.engines.get("transcriber"))

    @property
    def diarizer(self) -> Diarizer | None:
        """The speaker diarizer, None when people set speakers in the editor."""
        return cast("Diarizer | None", self.engines.get("diarizer"))

    @property
    def ner(self) -> NerTagger | None:
        """The person-name tagger, started once per process (Frog takes seconds to load)."""
        return cast("NerTagger | None", self.engines.get("ner"))

    @property
    def ocr(self) -> OcrEngine:
        """An in-process OCR engine; ingest OCRs in a caged child by `ocr_engine_name` instead."""
        return cast("OcrEngine", self.engines.get("ocr"))

    @cached_property
    def ocr_engine_name(self) -> str:
        return self.registry.ocr_name()

    def engine_status(self, load: tuple[str, ...] = ()) -> list[EngineStatus]:
        """Every engine's status (the doctor, the admin console, the API); `load` loads kinds first."""
        return self.engines.status(load)

    def llm_choice(self) -> LlmChoice:
        """Which LLM model runs and why (`llm.model`, or the hardware profile's for `auto`)."""
        return self.registry.llm_choice()

    def llm_status(self) -> dict[str, Any]:
        """{'ok', 'engine', 'model', 'sha256', 'code', 'message', 'hint'} (loads the model if needed)."""
        llm = self.llm
        st = self.engines.status()[ENGINE_KINDS.index("llm")]
        out: dict[str, Any] = {"ok": llm is not None, "engine": self.settings.llm.engine,
                               "model": getattr(llm, "name", self.llm_choice().name),
                               "sha256": getattr(llm, "sha256", "")}
        if st.code:
            out.update(code=st.code, message=st.message, hint=st.hint)
        elif llm is None:
            out.update(code="llm.disabled", message="no LLM configured (llm.engine = none)",
                       hint="set llm.engine to llama-cpp and provision a model")
        return out

    @property
    def index(self) -> VectorIndex:
        """The vector index of this appliance: FAISS under the data folder unless `use_index` set one."""
        with self._index_lock:
            if self._index is None:
                from appliance.index.faiss_index import FaissIndex

                self._index = FaissIndex(self.layout.index, self.embedder)
            return self._index

    def use_index(self, index: VectorIndex) -> None:
        """The seam for tests: this index (a MemoryIndex) in place of the FAISS one."""
        with self._index_lock:
            self._index = index


def open_appliance(settings: Settings, **kw: object) -> Appliance:
    app = Appliance(settings, **kw)  # type: ignore[arg-type]
    app.migrate()
    return app
