"""The engine room: every engine kind (LLM, embedder, transcriber, diarizer, OCR, NER) is built here,
by name, from plain settings values and one hardware profile. Heavy imports live inside the factories.

An unknown name lists the available ones; an engine whose files are absent raises ModelError
naming the file to provision (and its sha256 where the catalog pins one). Nothing here imports
`appliance`: the appliance hands in an `EngineSettings` and the profile it probed once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, TypeVar

from hardware.profile import LARGE_LLM_MIN_GB, Profile
from models.base import LLM, Diarizer, Embedder, ModelError, NerTagger, OcrEngine, Transcriber

DEFAULT_ASR_MODEL = "whisper-base"


@dataclass(frozen=True)
class EngineSettings:
    """The settings values the engines are built from (the appliance's `Settings`, flattened)."""

    models_dir: Path
    llm_engine: str = "none"  # llama-cpp | openai-compatible | none
    llm_model: str = ""  # catalog name, folder or .gguf path; the model name of an endpoint
    llm_base_url: str = ""
    llm_timeout: float = 120.0
    llm_context_size: int = 0  # 0: the profile's
    llm_threads: int = 0  # 0: the profile's
    llm_gpu_layers: int = -2  # -2: the profile's
    embedder: str = "fake"
    embedder_model: str = ""
    asr_model: str = DEFAULT_ASR_MODEL
    diarizer: str = "none"
    ocr_engine: str = "auto"  # tesseract | rapidocr | auto (the profile's)
    ocr_languages: tuple[str, ...] = ("nld", "fra")
    ner: str = "auto"  # frog | auto (Frog when installed) | none
    ner_wait_seconds: float | None = None
    asr_engine: str = "faster-whisper"  # faster-whisper | openai-compatible
    # OpenAI-compatible model servers (models.pool): per kind, and how they are waited for and retried.
    llm_servers: tuple[str, ...] = ()
    embedder_servers: tuple[str, ...] = ()
    asr_servers: tuple[str, ...] = ()
    server_timeout: float = 30.0
    server_retry: float = 30.0

    def configured(self, kind: str) -> str:
        """The engine these settings name for `kind` (one of ENGINE_KINDS)."""
        return {"llm": self.llm_engine, "embedder": self.embedder, "transcriber": self.asr_model,
                "diarizer": self.diarizer, "ner": self.ner, "ocr": self.ocr_engine}[kind]


# Every kind of engine, in the order status and the doctor list them; each is a `Registry` method.
ENGINE_KINDS = ("llm", "embedder", "transcriber", "diarizer", "ner", "ocr")


F = TypeVar("F", bound=Callable[..., Any])


def pick(table: dict[str, F], kind: str, name: str, *, label: str = "") -> F:
    try:
        return table[name]
    except KeyError:
        raise ModelError(
            f"{kind}.unknown_engine",
            f"unknown {label or kind} engine '{name}'",
            hint="available: " + ", ".join(sorted(table)),
        ) from None


# --- embedders --------------------------------------------------------------------------------


def _e5(model_dir: Path, **kw: Any) -> Embedder:
    from models.e5 import E5Embedder

    return E5Embedder(model_dir, **kw)


def _sentence_tf(model_dir: Path, **kw: Any) -> Embedder:
    from models.sentence_tf import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_dir, **kw)


def _fake(model_dir: Path, **kw: Any) -> Embedder:
    from models.fakes import FakeEmbedder

    return FakeEmbedder(**kw)


EMBEDDERS: dict[str, Callable[..., Embedder]] = {
    "e5": _e5,
    "sentence-transformers": _sentence_tf,
    "fake": _fake,
}


def build_embedder(name: str, model_dir: Path, **kw: Any) -> Embedder:
    return pick(EMBEDDERS, "embedder", name)(model_dir, **kw)


# --- LLMs -------------------------------------------------------------------------------------


class LlmRuntime(TypedDict):
    n_ctx: int
    n_threads: int
    n_gpu_layers: int
    n_batch: int


def llm_runtime(cfg: EngineSettings, prof: Profile) -> LlmRuntime:
    """Context, threads, GPU layers and batch: explicit settings win, else the hardware profile."""
    return {
        "n_ctx": cfg.llm_context_size or max(prof.llm_context, 2048),
        "n_threads": cfg.llm_threads or prof.llm_threads,
        "n_gpu_layers": cfg.llm_gpu_layers if cfg.llm_gpu_layers >= -1 else prof.llm_gpu_layers,
        "n_batch": prof.llm_batch,
    }


def llm_model_file(models_dir: Path, name: str) -> tuple[Path, str]:
    """(path of the GGUF, expected sha256 or '') for a catalog name, a folder or a .gguf path."""
    candidate = Path(name).expanduser()
    if candidate.suffix == ".gguf" or candidate.is_absolute():
        return candidate, ""
    from models.catalog import get_entry, resolve_model_dir

    folder = resolve_model_dir(models_dir, name)
    try:
        entry = get_entry(name)
    except ModelError:
        return folder, ""  # a folder of IT's own: no pinned checksum
    return folder / entry.main_file.path, entry.main_file.sha256


# `llm.model = "auto"`: the hardware profile's size class -> the model that runs (see hardware.profile).
AUTO_LLM = "auto"
SMALL_LLM = "qwen2.5-coder-0.5b-instruct-q4_k_m"
PROFILE_LLMS = {"1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m", "0.5b": SMALL_LLM}


@dataclass(frozen=True)
class LlmChoice:
    """Which LLM model runs and why: `reason` is setting | profile | fallback (the profile's model is
    not provisioned, the small one runs instead)."""

    name: str
    reason: str
    preferred: str = ""  # the profile's model, where it differs from `name`
    memory_gb: float = 0.0

    def describe(self) -> str:
        if self.reason == "setting":
            return f"{self.name} runs: set by llm.model"
        room = f"{self.memory_gb:g} GB free for the LLM"
        if self.reason == "fallback":
            return (f"{self.name} runs: this machine ({room}) suits {self.preferred}, "
                    f"which is not provisioned")
        need = "at least" if self.name != SMALL_LLM else "less than"
        return f"{self.name} runs: chosen by the hardware profile ({room}, {need} {LARGE_LLM_MIN_GB:g} GB)"


def _provisioned(models_dir: Path, name: str) -> bool:
    try:
        path, _ = llm_model_file(models_dir, name)
    except ModelError:
        return False
    return path.is_file() or (path.is_dir() and any(path.glob("*.gguf")))


def choose_llm(cfg: EngineSettings, prof: Profile) -> LlmChoice:
    """The model of `llm.model`; for `auto`, the profile's size class, else the small model when the
    profile's is absent (a box with room for 1.5B still answers with 0.5B rather than not at all)."""
    if cfg.llm_model and cfg.llm_model != AUTO_LLM:
        return LlmChoice(cfg.llm_model, "setting")
    preferred = PROFILE_LLMS.get(prof.llm_size, SMALL_LLM)
    if preferred == SMALL_LLM or _provisioned(cfg.models_dir, preferred):
        return LlmChoice(preferred, "profile", memory_gb=prof.llm_memory_gb)
    return LlmChoice(SMALL_LLM, "fallback", preferred=preferred, memory_gb=prof.llm_memory_gb)


def _llama_cpp(cfg: EngineSettings, prof: Profile) -> LLM:
    from models.llamacpp import LlamaCppLLM

    path, sha = llm_model_file(cfg.models_dir, choose_llm(cfg, prof).name)
    if not path.exists():
        raise ModelError("llm.model_missing", f"model file {path} not found",
                         hint="provision it with `belfort models install-defaults` (or `belfort models import`)")
    return LlamaCppLLM(path, expected_sha256=sha, queue_timeout=cfg.llm_timeout, **llm_runtime(cfg, prof))


def _openai_compatible(cfg: EngineSettings, prof: Profile) -> LLM:
    from models.openai_compat import OpenAICompatLLM

    # `auto` is a choice among local files; a model server is asked for the setting's model, else the
    # small default (as before `auto` existed).
    model = cfg.llm_model if cfg.llm_model and cfg.llm_model != AUTO_LLM else SMALL_LLM
    servers = cfg.llm_servers or (cfg.llm_base_url,)
    return OpenAICompatLLM(servers, model, timeout=cfg.server_timeout, retry_seconds=cfg.server_retry)


def _no_llm(cfg: EngineSettings, prof: Profile) -> LLM | None:
    return None


LLMS: dict[str, Callable[[EngineSettings, Profile], LLM | None]] = {
    "llama-cpp": _llama_cpp,
    "openai-compatible": _openai_compatible,
    "none": _no_llm,
}


def build_llm(cfg: EngineSettings, prof: Profile) -> LLM | None:
    """The configured LLM, or None for `none` (Ask then answers extractively)."""
    return pick(LLMS, "llm", cfg.llm_engine, label="LLM")(cfg, prof)


# --- speech -----------------------------------------------------------------------------------


def build_transcriber(cfg: EngineSettings, prof: Profile, model: str | None = None, *, device: str = "",
                      compute_type: str = "", word_timestamps: bool | None = None) -> Transcriber:
    """faster-whisper for `model` (default the settings' ASR model). Device and precision follow the
    profile (int8 on CPU, float16 on a GPU); word times are on when a diarizer is configured (segments
    are cut where the speaker changes)."""
    from models.catalog import resolve_model_dir
    from models.whisper import WhisperTranscriber

    if cfg.asr_engine == "openai-compatible":
        from models.openai_asr import OpenAICompatTranscriber

        return OpenAICompatTranscriber(cfg.asr_servers, model or cfg.asr_model, timeout=cfg.server_timeout,
                                       retry_seconds=cfg.server_retry)
    folder = resolve_model_dir(cfg.models_dir, model or cfg.asr_model or DEFAULT_ASR_MODEL)
    compute_type = compute_type or prof.whisper_compute_type
    device = device or ("cuda" if compute_type == "float16" else "cpu")
    if word_timestamps is None:
        word_timestamps = cfg.diarizer != "none"
    return WhisperTranscriber(folder, device=device, compute_type=compute_type, word_timestamps=word_timestamps)


def _no_diarizer(models_dir: Path) -> Diarizer | None:
    return None


def _channel(models_dir: Path) -> Diarizer:
    from models.diarize import ChannelDiarizer

    return ChannelDiarizer()


def _pyannote(models_dir: Path) -> Diarizer:
    from models.diarize import PYANNOTE_DIR, PyannoteDiarizer

    return PyannoteDiarizer(Path(models_dir) / PYANNOTE_DIR)


DIARIZERS: dict[str, Callable[[Path], Diarizer | None]] = {
    "none": _no_diarizer,
    "channel": _channel,
    "pyannote": _pyannote,
}


def build_diarizer(name: str, models_dir: Path) -> Diarizer | None:
    """The named diarizer, or None for `none` (speakers are set by people)."""
    return pick(DIARIZERS, "diarizer", name)(models_dir)


# --- OCR and names ----------------------------------------------------------------------------


def _tesseract(languages: tuple[str, ...]) -> OcrEngine:
    from models.tesseract import TesseractOcr

    return TesseractOcr(languages)


def _rapidocr(languages: tuple[str, ...]) -> OcrEngine:
    from models.rapidocr import RapidOcr

    return RapidOcr()


def _auto_ocr(languages: tuple[str, ...]) -> OcrEngine:
    from models.ocr_choice import AutoOcr
    from models.tesseract import tesseract_lexicon

    return AutoOcr(_tesseract(languages), lambda: _rapidocr(languages), lambda: tesseract_lexicon(languages))


OCR_ENGINES: dict[str, Callable[[tuple[str, ...]], OcrEngine]] = {
    "tesseract": _tesseract,
    "rapidocr": _rapidocr,
    "auto": _auto_ocr,  # per page: tesseract, and rapidocr too where the page needs it (models.ocr_choice)
}


def ocr_engine_name(setting: str, prof: Profile | None) -> str:
    """The setting `auto` takes the profile's choice (the per-page `auto` engine without one); other
    names must be known."""
    if setting == "auto":
        return prof.ocr_engine if prof is not None else "auto"
    pick(OCR_ENGINES, "ocr", setting, label="OCR")
    return setting


def build_ocr(name: str, languages: tuple[str, ...] = ("nld", "fra")) -> OcrEngine:
    return pick(OCR_ENGINES, "ocr", name, label="OCR")(tuple(languages))


def _frog(wait_seconds: float | None) -> NerTagger:
    from models.frog import FrogTagger

    return FrogTagger(wait_seconds=wait_seconds)


def _frog_if_installed(wait_seconds: float | None) -> NerTagger | None:
    try:
        return _frog(wait_seconds)
    except ModelError:
        return None


def _no_ner(wait_seconds: float | None) -> NerTagger | None:
    return None


NER_TAGGERS: dict[str, Callable[[float | None], NerTagger | None]] = {
    "auto": _frog_if_installed,
    "frog": _frog,
    "none": _no_ner,
}
NER_ENGINES = tuple(NER_TAGGERS)


def build_ner(name: str = "auto", *, wait_seconds: float | None = None) -> NerTagger | None:
    """'frog' (required), 'none' (rule-only mode) or 'auto' (Frog when installed, else rules only).
    `wait_seconds` caps how long one call waits while the tagger serves another (ner.busy)."""
    return pick(NER_TAGGERS, "ner", name, label="NER")(wait_seconds)


# --- all kinds, from one settings object and one profile ----------------------------------------


class Registry:
    """Builds each engine kind from one `EngineSettings` and one hardware profile (probed once by the
    caller). Every call builds a new engine: the caller keeps it (the appliance does, per process)."""

    def __init__(self, cfg: EngineSettings, prof: Profile) -> None:
        self.cfg = cfg
        self.profile = prof

    def build(self, kind: str) -> Any:
        """The configured engine of `kind` (one of ENGINE_KINDS); unknown kinds list the available ones."""
        factory: Callable[[], Any] = pick({k: getattr(self, k) for k in ENGINE_KINDS}, "engine", kind,
                                          label="kind of")
        return factory()

    def llm(self) -> LLM | None:
        return build_llm(self.cfg, self.profile)

    def llm_runtime(self) -> LlmRuntime:
        return llm_runtime(self.cfg, self.profile)

    def llm_choice(self) -> LlmChoice:
        return choose_llm(self.cfg, self.profile)

    def embedder(self) -> Embedder:
        from models.catalog import resolve_model_dir

        if self.cfg.embedder == "openai-compatible":
            from models.openai_compat import OpenAICompatEmbedder

            return OpenAICompatEmbedder(self.cfg.embedder_servers, self.cfg.embedder_model,
                                        timeout=self.cfg.server_timeout, retry_seconds=self.cfg.server_retry)

        return build_embedder(self.cfg.embedder, resolve_model_dir(self.cfg.models_dir, self.cfg.embedder_model))

    def transcriber(self, model: str | None = None, **kw: Any) -> Transcriber:
        return build_transcriber(self.cfg, self.profile, model, **kw)

    def diarizer(self, name: str | None = None) -> Diarizer | None:
        return build_diarizer(name or self.cfg.diarizer, self.cfg.models_dir)

    def ocr_name(self) -> str:
        return ocr_engine_name(self.cfg.ocr_engine, self.profile)

    def ocr(self, name: str | None = None) -> OcrEngine:
        return build_ocr(name or self.ocr_name(), self.cfg.ocr_languages)

    def ner(self, name: str | None = None) -> NerTagger | None:
        return build_ner(name or self.cfg.ner, wait_seconds=self.cfg.ner_wait_seconds)
