"""Doctor checks: is this box fit to run Belfort? Used by `belfort doctor`, `belfort up` and the admin console.

Each check says ok, what it found, and a hint naming the fix. A `required` check that fails stops
`belfort doctor` with exit 1; the others are warnings (features of later issues, performance).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.db.engine import MIGRATIONS
from appliance.db.reach import store_checks
from hardware import Hardware, detect, profile
from models.catalog import describe_missing, get_entry, load_catalog, verify_model

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.settings import Settings

MIN_FREE_GB = 1.0
WARN_FREE_GB = 5.0
MIN_RAM_GB = 4.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    hint: str = ""
    required: bool = True

    @property
    def level(self) -> str:
        return "ok" if self.ok else ("error" if self.required else "warning")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}


def check_folders(app: Appliance) -> list[Check]:
    out = []
    for label, folder in zip(("data", "inbox", "failed", "originals", "index"), app.layout.created_at_start()):
        probe = folder / f".belfort-write-test-{uuid.uuid4().hex}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe.write_bytes(b"")
            probe.unlink()
            out.append(Check(f"folder.{label}", True, f"{folder} is writable"))
        except OSError as exc:
            out.append(Check(f"folder.{label}", False, f"{folder} is not writable ({exc.strerror})",
                             hint=f"give the belfort user write access to {folder}"))
    return out


def check_disk(hw: Hardware, where: str) -> Check:
    free = hw.disk_free_gb
    if free < MIN_FREE_GB:
        return Check("disk.free", False, f"{free:.1f} GiB free at {where}",
                     hint="free disk space: ingest stops below 1 GiB")
    if free < WARN_FREE_GB:
        return Check("disk.free", False, f"only {free:.1f} GiB free at {where}",
                     hint="plan more space: originals, index and models grow", required=False)
    return Check("disk.free", True, f"{free:.0f} GiB free at {where}")


def check_database(app: Appliance) -> list[Check]:
    """Which store, whether it answers (db.open: store.unreachable), its schema; on SQLite, WAL mode."""
    return [Check(*row) for row in store_checks(app.db, max(v for v, _, _ in MIGRATIONS))]


def _model_check(app: Appliance, name: str, role: str, required: bool) -> Check:
    models_dir = app.settings.models_dir
    catalog = load_catalog()
    if name not in catalog:
        # A folder outside the catalog (an organisation's own model): we can only say it exists.
        folder = Path(name) if Path(name).is_absolute() else models_dir / name
        ok = folder.is_dir()
        return Check(f"model.{role}", ok, f"{role} model folder {folder} {'found' if ok else 'missing'}",
                     hint="" if ok else f"provision {folder}", required=required)
    entry = get_entry(name, catalog)
    status = verify_model(entry, models_dir)
    if status.verified:
        return Check(f"model.{role}", True, f"{name} present, sha256 verified")
    if not status.present:
        return Check(f"model.{role}", False, f"{name} is not provisioned",
                     hint=describe_missing(entry, models_dir), required=required)
    return Check(f"model.{role}", False, f"{name}: {'; '.join(status.problems())}",
                 hint="the files differ from the pinned ones: " + describe_missing(entry, models_dir),
                 required=required)


def check_models(app: Appliance) -> list[Check]:
    s = app.settings
    out = []
    if s.search.embedder != "fake":
        out.append(_model_check(app, s.search.embedder_model, "embedder", required=True))
    if s.llm.engine == "llama-cpp":
        # Search works without the LLM; answers come with a later feature.
        out.append(_model_check(app, app.llm_choice().name, "llm", required=False))
    if s.profile != "test":
        out.append(_model_check(app, s.asr.model, "transcriber", required=False))
    return out


def check_llm_choice(app: Appliance, hw: Hardware) -> Check:
    """Which LLM runs and why: `llm.model`, or for `auto` the profile of this hardware."""
    from models.registry import choose_llm

    if app.settings.llm.engine != "llama-cpp":
        return Check("llm.model", True, f"no local model: llm.engine is {app.settings.llm.engine}",
                     required=False)
    choice = choose_llm(app.engines.cfg, profile(hw))
    if choice.reason != "fallback":
        return Check("llm.model", True, choice.describe(), required=False)
    return Check("llm.model", False, choice.describe(), required=False,
                 hint=f"run `belfort models install-defaults --only {choice.preferred}` (or `--llm large`), "
                 f"or set llm.model = \"{choice.name}\" to keep the small model")


def check_ocr_engine(app: Appliance, hw: Hardware) -> Check:
    """Which OCR engine reads scans and why; for the per-page choice, whether its second engine is there."""
    from models.registry import ocr_engine_name

    setting = app.settings.ocr.engine
    name = ocr_engine_name(setting, profile(hw))
    if name != "auto":
        why = "set by ocr.engine" if setting != "auto" else "chosen by the hardware profile"
        return Check("ocr.engine", True, f"OCR by {name}: {why}", required=False)
    if importlib.util.find_spec("rapidocr") is None:
        return Check("ocr.engine", False, "OCR chosen per page, but rapidocr is not installed: tesseract reads "
                     "every page, photos and faded copies included", required=False,
                     hint="pip install rapidocr==3.10.0 onnxruntime==1.31.1, or set ocr.engine = \"tesseract\"")
    return Check("ocr.engine", True, "OCR chosen per page: tesseract reads every page, rapidocr reads photos, "
                 "faded copies and pages with weak text as well, the better-scored text is kept and each "
                 "page records its engine", required=False)


def check_diarizer(app: Appliance) -> Check:
    """Speaker turns: a configured diarizer must load; `none` (people set speakers) is fine."""
    from models.base import ModelError
    from models.registry import build_diarizer

    name = app.settings.asr.diarizer
    try:
        engine = build_diarizer(name, app.settings.models_dir)
    except ModelError as exc:
        return Check("asr.diarizer", False, exc.message, hint=exc.hint, required=False)
    return Check("asr.diarizer", True, f"speaker turns by the {name} diarizer" if engine is not None
                 else "no diarizer: speakers are assigned in the transcript editor", required=False)


def check_engines(app: Appliance) -> list[Check]:
    """The engines this process holds (Appliance.engine_status): loaded, not yet used, or why one
    failed to load. Nothing is loaded here; a long-running server shows what its requests loaded."""
    out = []
    for st in app.engine_status():
        if st.code:
            message = f"{st.kind} engine {st.name} did not load: {st.code}: {st.message}"
        elif st.loaded:
            message = f"{st.kind} engine {st.name} loaded"
        else:
            message = f"{st.kind} engine {st.name or 'none'}: loads on first use"
        out.append(Check(f"engine.{st.kind}", st.ok, message, hint=st.hint, required=False))
    return out


def check_tesseract(run: Callable[[list[str]], str] | None = None) -> list[Check]:
    exe = shutil.which("tesseract")
    if not exe:
        return [Check("ocr.tesseract", False, "tesseract not found", required=False,
                      hint="apt-get install tesseract-ocr tesseract-ocr-nld tesseract-ocr-fra")]

    def _run(cmd: list[str]) -> str:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=20, check=False)
        return done.stdout + done.stderr

    try:
        langs = set((run or _run)([exe, "--list-langs"]).split())
    except (OSError, subprocess.TimeoutExpired):
        langs = set()
    out = [Check("ocr.tesseract", True, f"tesseract at {exe}", required=False)]
    for code, pkg in (("nld", "tesseract-ocr-nld"), ("fra", "tesseract-ocr-fra")):
        ok = code in langs
        out.append(Check(f"ocr.lang.{code}", ok, f"tesseract language {code} {'installed' if ok else 'missing'}",
                         hint="" if ok else f"apt-get install {pkg}", required=False))
    return out


def check_llama(app: Appliance) -> Check:
    # find_spec only looks for the package: importing it would load the native library.
    ok = importlib.util.find_spec("llama_cpp") is not None
    needed = app.settings.llm.engine == "llama-cpp"
    return Check("llm.llama_cpp", ok or not needed,
                 "llama-cpp-python installed" if ok else "llama-cpp-python not installed",
                 hint="" if ok else "pip install -e '.[llm]' with CMAKE_ARGS='-DGGML_NATIVE=OFF …' (see ops/setup.sh)",
                 required=False)


def check_cpu(hw: Hardware) -> list[Check]:
    return [
        Check("cpu.avx2", hw.avx2, f"{hw.cpu_count} CPU core(s), AVX2 {'yes' if hw.avx2 else 'no'}",
              hint="" if hw.avx2 else "without AVX2 the LLM and embeddings run several times slower",
              required=False),
        Check("ram", hw.ram_gb >= MIN_RAM_GB, f"{hw.ram_gb:.1f} GiB RAM",
              hint="" if hw.ram_gb >= MIN_RAM_GB else f"at least {MIN_RAM_GB:.0f} GiB is needed for the default models",
              required=False),
        Check("gpu", True, f"GPU: {hw.gpu} ({hw.vram_gb:.0f} GiB)" if hw.gpu else "no NVIDIA GPU (CPU profile)",
              required=False),
    ]


def check_frog(app: Appliance) -> Check:
    """Person names in PII detection: Frog is required only when the settings ask for it by name."""
    from models.frog import frog_check

    ok, message, hint = frog_check()
    if not ok and app.settings.pii.ner != "frog":
        message += "; names are found by context rules only"
    return Check("pii.frog", ok, message, hint=hint, required=app.settings.pii.ner == "frog")


def check_minutes_templates(app: Appliance) -> list[Check]:
    """The municipality's house-style templates of minutes exports, when configured, must exist."""
    out = []
    for suffix in ("docx", "odt"):
        path = getattr(app.settings.minutes, f"{suffix}_template")
        if path:
            ok = Path(path).is_file() and Path(path).suffix.lower() == f".{suffix}"
            out.append(Check(f"minutes.{suffix}_template", ok, f"{suffix} template of minutes {path}"
                             + (" found" if ok else " missing"), required=False,
                             hint=f"set minutes.{suffix}_template to an existing .{suffix} file, or empty"))
    return out


def check_triage_mail(app: Appliance) -> list[Check]:
    """Triage routing: an SMTP server for routed mail, and outbox messages that gave up."""
    from appliance.mail import list_messages

    mail = app.settings.mail
    smtp = Check("mail.smtp", bool(mail.smtp_host),
                 f"routed mail goes out through {mail.smtp_host}:{mail.smtp_port}" if mail.smtp_host
                 else "no SMTP server set: routed mail waits in the outbox",
                 hint="set mail.smtp_host, smtp_port and from_address in belfort.toml", required=False)
    try:
        dead = len(list_messages(app, state="dead", limit=1000))
    except Exception:  # noqa: BLE001 - the database check reports a broken database
        return [smtp]
    return [smtp, Check("mail.outbox", dead == 0, f"{dead} outbox message(s) could not be delivered",
                        hint="belfort triage outbox --state dead; fix the target, then belfort triage retry ID",
                        required=False)]


def check_mail_transport(app: Appliance) -> list[Check]:
    """Mail passwords and contents go over verified TLS; plain only where a setting says so, with a warning."""
    from appliance.errors import BelfortError
    from appliance.mail import tls_context

    mail, intake = app.settings.mail, app.settings.intake
    out = []
    for key, protocol, host, port, security in (
        ("mail.smtp_security", "SMTP", mail.smtp_host, mail.smtp_port, mail.smtp_security),
        ("intake.imap_security", "IMAP", intake.imap_host, intake.imap_port, intake.imap_security),
    ):
        if not host:
            continue
        server = f"{protocol} {host}:{port}"
        if security == "plain":
            out.append(Check(key, False, f"{server} in clear: its password and every mail can be read on "
                             "the network", required=False,
                             hint=f'set {key} = "starttls" or "tls" (for a certificate of the '
                                  "organisation's own CA, also mail.ca_bundle)"))
        else:
            out.append(Check(key, True, f"{server} over {security.upper()}, certificate and host name "
                             "verified", required=False))
    if mail.ca_bundle:
        try:
            tls_context(mail)
            out.append(Check("mail.ca_bundle", True,
                             f"the CA in {mail.ca_bundle} is trusted for SMTP, IMAP and webhooks", required=False))
        except BelfortError as exc:
            out.append(Check("mail.ca_bundle", False, exc.message, hint=exc.hint, required=False))
    return out


def check_web_transport(app: Appliance) -> Check:
    """Session cookies are Secure unless web.insecure_http says the UI runs on plain http (a demo)."""
    if app.settings.web.insecure_http:
        return Check("web.https", False, "web.insecure_http is on: session cookies travel without Secure and "
                     "can be read on the network", required=False,
                     hint="serve Belfort behind HTTPS and remove web.insecure_http (only demos run on plain http)")
    return Check("web.https", True, "cookies are Secure: the UI must be reached over HTTPS", required=False)


def check_cage(app: Appliance) -> Check:
    """Untrusted files are parsed in a child process with memory, CPU and time limits (issue 19)."""
    from appliance.cage import probe_cage

    s = app.settings.ingest
    problem = probe_cage(app.settings)
    if problem:
        return Check("ingest.cage", False, f"parsers cannot run in their limited child process: {problem}",
                     hint="the service needs fork and Unix sockets (multiprocessing's fork server); see the log")
    if not (s.cage_memory_mb and s.cage_cpu_seconds and s.cage_wall_seconds):
        return Check("ingest.cage", False, "a limit of the parser's child process is off (0): a hostile file "
                     "can use all memory or time", required=False,
                     hint="set ingest.cage_memory_mb, ingest.cage_cpu_seconds and ingest.cage_wall_seconds")
    return Check("ingest.cage", True, f"untrusted files are parsed in a child process limited to "
                 f"{s.cage_memory_mb} MiB, {s.cage_cpu_seconds} s of CPU and {s.cage_wall_seconds:.0f} s")


def check_admin_second_factor(app: Appliance) -> Check:
    """Administrators who signed in without any second factor in the past week (TOTP is for local accounts)."""
    from appliance.access import admins_without_second_factor

    found = admins_without_second_factor(app)
    if not found:
        return Check("identity.admin_second_factor", True, "every administrator sign-in of the past 7 days had a "
                     "second factor (or the identity provider's own policy)", required=False)
    names = ", ".join(f"{a.username} ({a.auth_source})" for a in found[:10]) + (" …" if len(found) > 10 else "")
    return Check("identity.admin_second_factor", False, f"administrator(s) signed in without a second factor: {names}",
                 hint="LDAP has no second factor: give admin rights through an OIDC provider that requires MFA, or "
                      "a local account (TOTP, identity.admin_second_factor); at the provider, require MFA for them",
                 required=False)


def check_queue(app: Appliance) -> list[Check]:
    """On the scale-out profile the job queue is the cluster's Redis: does it answer?"""
    from appliance.storage.redis_link import REDIS_DOWN, redis_problem

    q = app.settings.queue
    if q.backend != "redis":
        return []
    down = redis_problem(q.redis_url)
    if down is not None:
        return [Check("queue.redis", False, f"{down.message} ({REDIS_DOWN})", hint=down.hint)]
    return [Check("queue.redis", True, "the job queue's Redis answers")]


def run_checks(app: Appliance, hw: Hardware | None = None) -> list[Check]:
    s = app.settings
    hw = hw or detect(s.data_dir)
    checks = check_folders(app)
    checks.append(check_disk(hw, str(s.data_dir)))
    store = check_database(app)
    checks += store
    reachable = store[0].name != "db.open"
    checks += check_queue(app)
    checks += check_models(app)
    checks += check_tesseract()
    checks.append(check_frog(app))
    checks.append(check_llama(app))
    checks.append(check_llm_choice(app, hw))
    checks.append(check_ocr_engine(app, hw))
    checks.append(check_diarizer(app))
    checks += check_engines(app)
    checks += check_minutes_templates(app)
    checks += check_triage_mail(app) if reachable else []
    checks.append(check_web_transport(app))
    checks += check_mail_transport(app)
    checks += check_cpu(hw)
    checks.append(check_cage(app))
    if reachable:
        checks.append(check_admin_second_factor(app))
    checks += check_model_servers(s)
    return checks


def check_model_servers(settings: Settings) -> list[Check]:
    """Each configured model server up or down, and per kind whether any is (Ask falls back without an LLM;
    without embeddings or speech those features stop)."""
    from appliance.model_servers import DOWN_HINT, server_health

    out: list[Check] = []
    for kind, health in server_health(settings).items():
        out += [Check(f"model_server.{kind}", h.up, f"{h.url}: {h.message}", hint="" if h.up else DOWN_HINT,
                      required=False) for h in health]
        up = sum(h.up for h in health)
        out.append(Check(f"model_servers.{kind}", up > 0, f"{up} of {len(health)} {kind} server(s) up",
                         hint="" if up else f"list reachable servers in model_servers.{kind}", required=kind != "llm"))
    return out


def failed_required(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.required and not c.ok]


def summary(checks: list[Check]) -> str:
    errors = len(failed_required(checks))
    warnings = sum(1 for c in checks if not c.ok and not c.required)
    return f"{len(checks)} checks: {errors} error(s), {warnings} warning(s)"
