"""One typed settings object: defaults < belfort.toml < BELFORT_* env < admin overrides in the DB.

Built once at start-up (`load_settings`) and passed down; nothing reads it at import time.
Environment keys use a double underscore between section and field: `BELFORT_WEB__PORT=8080`.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

import appliance.setting_sections as sections
from appliance.errors import BelfortError
from appliance.setting_sections import (
    AsrSettings,
    IdentitySettings,
    InsightSettings,
    LdapSettings,
    MinutesSettings,
    PlainSettings,
    SharesSettings,
    _Section,
)


class WebSettings(_Section):
    host: str = Field("127.0.0.1", description="Address the web UI and API listen on.")
    port: int = Field(8000, description="TCP port of the web UI and API.")
    secret_key: str = Field(
        "", description="Key that signs session cookies; generated into the data folder when empty."
    )
    insecure_http: bool = Field(
        False, description="Serve over plain http: cookies lose the Secure flag (demos only: `belfort up "
        "--demo` sets it; belfort doctor warns). Otherwise put Belfort behind HTTPS."
    )
    max_upload_mb: int = Field(200, description="Largest accepted upload in MiB.")
    sign_in_attempts_per_minute: int = Field(
        5, description="Failed sign-ins allowed per user name and client address per minute."
    )
    sign_in_client_attempts_per_hour: int = Field(
        30, description="Failed sign-ins allowed per client address per hour, all user names together."
    )
    sign_in_slowdown_after: int = Field(
        20, description="Failed sign-ins of one user (all addresses) per 15 minutes after which every "
        "further attempt is delayed, growing to 5 s; never a lock-out."
    )
    token_days: int = Field(90, ge=1, le=3650, description="Lifetime of a new API token in days (default).")
    ask_per_user_per_minute: int = Field(10, ge=1, description="Questions one user may ask per minute (Ask).")
    ask_per_client_per_minute: int = Field(
        30, ge=1, description="Questions one client address may ask per minute (Ask, all users together)."
    )
    default_language: Literal["nl", "fr", "en"] = Field("nl", description="UI language when none chosen.")


class IngestSettings(_Section):
    stable_seconds: float = Field(2.0, description="A dropped file must keep size and mtime this long.")
    poll_seconds: float = Field(2.0, description="Drop-folder scan interval (polling works on SMB/NFS).")
    max_file_mb: int = Field(250, description="Files larger than this are refused with a reason.")
    chunk_chars: int = Field(900, description="Target chunk size in characters.")
    chunk_overlap: int = Field(120, description="Characters shared by neighbouring chunks.")
    ignore_patterns: list[str] = Field(
        default_factory=lambda: [".*", "~$*", "*.tmp", "*.part", "*.crdownload", "Thumbs.db"],
        description="File name patterns the drop-folder watcher never picks up.",
    )
    cage_memory_mb: int = Field(
        1536, ge=0, description="Address-space limit (RLIMIT_AS) of the child process that parses an "
        "untrusted file (extraction, PII detection); a file over it fails as ingest.memory_limit. 0: none."
    )
    cage_cpu_seconds: int = Field(
        60, ge=0, description="CPU-time limit of that child; a file over it fails as ingest.timeout. 0: none."
    )
    cage_wall_seconds: float = Field(
        120.0, ge=0, description="Wall-clock limit of that child; a file over it fails as ingest.timeout. 0: none."
    )


class SearchSettings(_Section):
    embedder: str = Field("e5", description="Embedding engine: e5 | sentence-transformers | "
                          "openai-compatible (model_servers.embedder) | fake.")
    embedder_model: str = Field(
        "multilingual-e5-small-q4", description="Catalog name or folder of the embedding model."
    )
    rrf_k: int = Field(60, description="Reciprocal rank fusion constant.")
    keyword_weight: float = Field(1.0, ge=0, description="Weight of the keyword ranking in the fusion; the vector "
                                  "ranking weighs 1 (1 fits the Chamber dev questions, `belfort eval retrieval`).")
    document_share: float = Field(0.0, ge=0, description="Share of the scores of a document's next best passages "
                                  "added to each of its passages: documents that answer in several places rise "
                                  "(0: off, what fits the Chamber dev questions; long documents gain too much).")
    document_passages: int = Field(1, ge=1, description="How many of a document's best passages count "
                                   "together (the passage itself included); 1: each passage alone.")
    candidates: int = Field(50, description="Candidates taken from each ranker before fusion.")
    document_ranking: bool = Field(True, description="Rank the documents of a long question by the fitted "
                                   "document model (appliance/search/doc_rank.json) before listing passages.")
    document_ranking_min_chars: int = Field(200, ge=1, description="Queries at least this long get the "
                                            "document ranking (what it was fitted on: written questions).")
    max_query_chars: int = Field(2000, description="Longer queries are refused with a hint.")


class LLMSettings(_Section):
    engine: str = Field("llama-cpp", description="LLM engine: llama-cpp | openai-compatible | none.")
    model: str = Field("auto", description="Catalog name of the GGUF model; auto: the hardware profile's "
                       "(Qwen2.5-Coder-1.5B with at least 8 GB RAM free for the LLM, else 0.5B).")
    base_url: str = Field("", description="On-premises OpenAI-compatible endpoint (openai-compatible).")
    context_size: int = Field(0, description="Context window; 0 takes the hardware profile's value.")
    threads: int = Field(0, description="CPU threads; 0 takes the hardware profile's value.")
    gpu_layers: int = Field(-2, description="Layers on the GPU; -2 takes the hardware profile's value.")
    timeout_seconds: float = Field(120.0, description="Longer waits fall back to an extractive answer.")


class AskSettings(_Section):
    answer_mode: Literal["auto", "composed", "free"] = Field(
        "auto", description="composed: the model chooses source sentences, shown as quotes with their "
        "citations; free: the model writes, each sentence checked against its sources; auto: composed on "
        "a CPU-only profile, free with a GPU or an openai-compatible server.")
    min_answerable: float = Field(
        0.35, ge=0.0, le=1.0, description="Answerability (calibrated probability that the answer comes "
        "from the right document; bench/answerability_fit.py) below which Ask says \"I don't know\".")
    min_answerable_long: float = Field(
        0.40, ge=0.0, le=1.0, description="The same for long questions (letters, written questions: where "
        "search ranks documents), whose model reads the document ranking; chosen on its cross-validated "
        "calibration and on the 50 rows it was not fitted on (bench/answerability_fit.py --documents).")


class OcrSettings(_Section):
    engine: Literal["tesseract", "rapidocr", "auto"] = Field(
        "auto", description="OCR engine. auto chooses per page: tesseract (with the PDF/A copy) reads every "
        "page, rapidocr reads again the pages that look like photos or faded copies or whose text looks weak, "
        "and the better-scored text is kept; each page records its engine."
    )
    languages: list[str] = Field(
        default_factory=lambda: ["nld", "fra"], description="Tesseract languages for OCR."
    )
    min_text_quality: float = Field(
        0.6, description="A PDF page whose text layer scores below this (0..1) is OCRed again."
    )
    pdfa: bool = Field(True, description="Keep a searchable PDF/A-2b archival copy beside scanned originals.")
    on_ingest: bool = Field(True, description="Queue OCR for scans and images as soon as they are stored.")
    cage_memory_mb: int = Field(
        2048, ge=0, description="Address-space limit of the child process that OCRs one document (tesseract "
        "runs below it with the same limit); 0: none (needed for rapidocr on a GPU, whose driver reserves more)."
    )
    cage_seconds: float = Field(
        1800.0, ge=0, description="CPU-time and wall-clock limit of OCR of one document; over it the document "
        "fails as ingest.timeout. 0: none."
    )


class PiiSettings(_Section):
    ner: Literal["auto", "frog", "none"] = Field(
        "auto", description="Person-name engine: frog (required), auto (Frog when installed) or none (rules)."
    )
    ner_seconds: float = Field(
        120.0, gt=0, description="Wall-clock budget for person-name tagging (Frog) of one API request or document "
        "(Frog takes about 50 s for 200,000 characters of Dutch on 2 cores); past it the call fails with "
        "pii.ner_timeout (503). Pseudonymised ingest uses the cage's wall clock."
    )
    ner_wait_seconds: float = Field(
        10.0, gt=0, description="The longest one call waits while the name tagger serves another (pii.busy, 503)."
    )
    per_user_per_minute: int = Field(
        20, ge=1, description="PII detection requests (POST /api/v1/pii, GET .../pii) one user may make per minute."
    )
    redact_min_score: float = Field(0.8, description="Batch redaction accepts proposals at or above this score.")
    four_eyes: bool = Field(False, description="A second archivist must approve a redaction before export.")
    grounds: dict[str, str] = Field(
        default_factory=lambda: {
            "privacy": "Bescherming van de persoonlijke levenssfeer",
            "commercial": "Vertrouwelijkheid van commerciële en industriële informatie",
            "security": "Openbare orde en veiligheid",
            "confidential_by_law": "Geheimhoudingsplicht opgelegd door de wet",
        },
        description="Legal grounds (openbaarheid van bestuur) a redaction can cite: key -> label.",
    )


class MailSettings(_Section):
    smtp_host: str = Field("", description="SMTP server Belfort sends routed mail through; empty: mail waits.")
    smtp_port: int = Field(
        25, description="TCP port of the SMTP server (587 for submission or 25 with starttls, 465 with tls)."
    )
    smtp_security: Literal["starttls", "tls", "plain"] = Field(
        "starttls", description="SMTP transport: starttls (required before login or mail), tls (implicit, "
        "port 465) or plain (unencrypted, for a trusted network only; belfort doctor warns)."
    )
    ca_bundle: str = Field(
        "", description="PEM file of the organisation's own CA, trusted for SMTP, IMAP and https webhooks "
        "besides the system's CAs; empty: the system's CAs only."
    )
    smtp_user: str = Field("", description="SMTP user name; empty: no authentication.")
    smtp_password: str = Field("", description="SMTP password (only with smtp_user).")
    from_address: str = Field("belfort@belfort.invalid", description="Sender address of every mail Belfort sends.")
    message_id_domain: str = Field(
        "", description="Domain of Belfort's Message-IDs (loop detection); empty: from_address's domain."
    )
    max_attempts: int = Field(8, description="Delivery attempts before a message is marked dead (an admin can retry).")
    backoff_max_minutes: int = Field(60, description="Longest wait between two delivery attempts.")
    timeout_seconds: float = Field(20.0, description="Network timeout of one SMTP or webhook delivery.")
    deliver_seconds: int = Field(60, description="How often the worker delivers the outbox.")


class IntakeSettings(_Section):
    imap_host: str = Field("", description="IMAP server of the triage mailbox; empty: no mailbox polling.")
    imap_port: int = Field(993, description="TCP port of the IMAP server (993 with tls, 143 with starttls).")
    imap_security: Literal["tls", "starttls", "plain"] = Field(
        "tls", description="IMAP transport: tls (port 993), starttls (required before login) or plain "
        "(unencrypted, for a trusted network only; belfort doctor warns). Certificates: see mail.ca_bundle."
    )
    imap_user: str = Field("", description="IMAP user name of the triage mailbox.")
    imap_password: str = Field("", description="IMAP password of the triage mailbox.")
    imap_folder: str = Field("INBOX", description="Mailbox folder that is polled.")
    imap_done_folder: str = Field(
        "", description="Move fetched mail here after it is stored (empty: only mark it \\Seen)."
    )
    poll_seconds: int = Field(60, description="How often the IMAP mailbox is polled.")
    drop_folder: str = Field("_triage", description="Folder under <data>/inbox/ for dropped .eml/.msg files.")
    max_item_mb: int = Field(25, description="Largest mail stored as a triage item; bigger attachments are refused.")
    auto_route: bool = Field(True, description="Route confident, non-human_only items without a person.")
    api_form_max_kb: int = Field(256, description="Largest accepted web-form submission (POST /api/v1/intake).")


class Settings(_Section):
    data_dir: Path = Field(Path("var"), description="Root of all state: database, inbox, index, jobs.")
    models_dir: Path = Field(Path("var/models"), description="Folder of provisioned model files.")
    profile: Literal["production", "test", "demo"] = Field("production", description="Run profile.")
    log_level: str = Field("INFO", description="Application log level.")
    web: WebSettings = Field(default_factory=WebSettings)
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    search: SearchSettings = Field(default_factory=SearchSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ask: AskSettings = Field(default_factory=AskSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    minutes: MinutesSettings = Field(default_factory=MinutesSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    intake: IntakeSettings = Field(default_factory=IntakeSettings)
    insight: InsightSettings = Field(default_factory=InsightSettings)
    plain: PlainSettings = Field(default_factory=PlainSettings)
    ops: sections.OpsSettings = Field(default_factory=sections.OpsSettings)
    pilot: sections.PilotSettings = Field(default_factory=sections.PilotSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    ldap: LdapSettings = Field(default_factory=LdapSettings)
    shares: SharesSettings = Field(default_factory=SharesSettings)
    store: sections.StoreSettings = Field(default_factory=sections.StoreSettings)
    queue: sections.QueueSettings = Field(default_factory=sections.QueueSettings)
    model_servers: sections.ModelServerSettings = Field(default_factory=sections.ModelServerSettings)
    cluster: sections.ClusterSettings = Field(default_factory=sections.ClusterSettings)


def _deep_merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _known_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            keys += _known_keys(ann, f"{prefix}{name}.")
        else:
            keys.append(prefix + name)
    return keys


# BELFORT_* variables that steer tools (set-up, model provisioning, demo, tests), not settings.
_NOT_SETTINGS = frozenset({
    "BELFORT_CONFIG", "BELFORT_DEMO_PASSWORD", "BELFORT_MODEL_WHEELS", "BELFORT_MODELS_OFFLINE",
    "BELFORT_SKIP_MODELS", "BELFORT_SKIP_LLM", "BELFORT_INSTALL_LLM", "BELFORT_TEST_MODELS",
})
_NOT_SETTINGS |= {"BELFORT_TEST_QUEUE", "BELFORT_TEST_STORE"}  # the test suite's back ends (tests/backends.py)


def _env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in environ.items():
        if not key.startswith("BELFORT_") or key in _NOT_SETTINGS:
            continue
        parts = key[len("BELFORT_") :].lower().split("__")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = _parse_env_value(value)
    return out


def _parse_env_value(value: str) -> Any:
    if value.startswith("[") and value.endswith("]"):
        return [v.strip() for v in value[1:-1].split(",") if v.strip()]
    return value


# Settings that were replaced: an older belfort.toml is told the new key, not a near miss.
_RENAMED = {
    "mail.smtp_starttls": 'replaced by mail.smtp_security = "starttls" | "tls" | "plain"',
    "intake.imap_ssl": 'replaced by intake.imap_security = "tls" | "starttls" | "plain"',
    "web.secure_cookies": "cookies are Secure by default now: remove it (web.insecure_http = true only "
    "for a plain-http demo)",
}


def build_settings(layers: list[Mapping[str, Any]]) -> Settings:
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _deep_merge(merged, layer)
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, _known_keys(Settings), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see README 'Settings' for the keys"
            hint = _RENAMED.get(key, hint)
            raise BelfortError("settings.unknown_key", f"unknown setting '{key}'", hint=hint) from None
        raise BelfortError(
            "settings.invalid", f"setting '{key}': {err['msg']}", hint="see README 'Settings'"
        ) from None


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults < belfort.toml < BELFORT_* env < overrides (the admin's, stored in the DB)."""
    environ = os.environ if environ is None else environ
    layers: list[Mapping[str, Any]] = []
    path = config_file or (Path(environ["BELFORT_CONFIG"]) if "BELFORT_CONFIG" in environ else None)
    if path is None and Path("belfort.toml").exists():
        path = Path("belfort.toml")
    if path is not None:
        if not path.exists():
            raise BelfortError("settings.no_file", f"config file {path} not found", hint="check BELFORT_CONFIG")
        layers.append(tomllib.loads(path.read_text("utf-8")))
    layers.append(_env_overrides(environ))
    if overrides:
        layers.append(overrides)
    return build_settings(layers)


def settings_table() -> list[tuple[str, str, str]]:
    """(key, default, description) for every setting: the README table is generated from this."""
    rows = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, f"{prefix}{name}.")
                continue
            default = field.get_default(call_default_factory=True)
            rows.append((prefix + name, repr(default) if not isinstance(default, Path) else str(default),
                         field.description or ""))

    walk(Settings, "")
    return rows
