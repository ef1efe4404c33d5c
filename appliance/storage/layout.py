"""The data folder: every path Belfort keeps state under, named in one place.

The on-disk layout is the one installations already have; a new path is added here, never joined by
hand at the place that uses it. In the scale-out profile (`cluster.shared_dir`) the files every node
must see (originals, recordings, uploads, inbox, failed) lie on a shared mount with the same relative
names, so the paths stored in the database do not change; the index, caches and keys stay local.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appliance.settings import Settings
from appliance.storage.content import ContentStore

# The top folders that live on the shared mount when there is one (relative names unchanged).
SHARED_FOLDERS = ("originals", "recordings", "uploads", "inbox", "failed")


@dataclass(frozen=True)
class DataLayout:
    root: Path
    shared_root: Path | None = None  # cluster.shared_dir; None: everything under `root`

    @classmethod
    def of(cls, settings: Settings) -> DataLayout:
        shared = settings.cluster.shared_dir
        return cls(Path(settings.data_dir), Path(shared) if shared else None)

    @property
    def shared(self) -> Path:
        """The root of the files every node sees: the shared mount, or the data folder on one box."""
        return self.shared_root if self.shared_root is not None else self.root

    # --- databases and keys ---
    @property
    def db(self) -> Path:
        return self.root / "belfort.sqlite3"

    @property
    def jobs_db(self) -> Path:
        return self.root / "jobs.sqlite3"

    @property
    def secret_key(self) -> Path:
        return self.root / "secret_key"

    @property
    def pseudonym_key(self) -> Path:
        return self.root / "pseudonyms.key"

    @property
    def secrets_key(self) -> Path:
        """Seals TOTP secrets, OIDC client secrets and share passwords (appliance.access.sealing)."""
        return self.root / "secrets.key"

    # --- documents ---
    @property
    def inbox(self) -> Path:
        return self.shared / "inbox"

    @property
    def failed(self) -> Path:
        return self.shared / "failed"

    @property
    def originals(self) -> Path:
        return self.shared / "originals"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def staging(self) -> Path:
        """Copies being ingested (old leftovers are cleaned at start-up)."""
        return self.root / "staging"

    @property
    def uploads(self) -> Path:
        """Uploads waiting for their ingest job."""
        return self.shared / "uploads"

    def originals_store(self) -> ContentStore:
        return ContentStore(self.originals)

    def stored(self, relative: str) -> Path:
        """A path kept in the database relative to the data folder (a version's original, its PDF/A);
        one under a shared folder resolves on the shared mount."""
        top = Path(relative).parts[0] if relative else ""
        return (self.shared if top in SHARED_FOLDERS else self.root) / relative

    def relative(self, path: Path) -> str:
        if self.shared_root is not None and path.is_relative_to(self.shared_root):
            return str(path.relative_to(self.shared_root))
        return str(path.relative_to(self.root))

    # --- recordings ---
    @property
    def recordings(self) -> Path:
        return self.shared / "recordings"

    def recordings_store(self) -> ContentStore:
        return ContentStore(self.recordings, fan_out=False)

    # --- triage ---
    @property
    def triage(self) -> Path:
        return self.root / "triage"

    @property
    def triage_originals(self) -> Path:
        return self.triage / "originals"

    def triage_store(self) -> ContentStore:
        return ContentStore(self.triage_originals, read_only=True)

    @property
    def triage_models(self) -> Path:
        return self.triage / "models"

    @property
    def insight_cache(self) -> Path:
        """Derived data of themes (text vectors by hash): safe to delete, rebuilt on the next run."""
        return self.root / "insight"

    @property
    def triage_taxonomy(self) -> Path:
        return self.triage / "taxonomy.yaml"

    @property
    def triage_training(self) -> Path:
        return self.triage / "training.jsonl"

    @property
    def imap_state(self) -> Path:
        return self.triage / "imap-state.json"

    # --- AI register ---
    @property
    def evaluations(self) -> Path:
        """One JSON line per `belfort eval` run: the figures the AI register reports."""
        return self.root / "governance" / "evaluations.jsonl"

    @property
    def ai_register_file(self) -> Path:
        """The organisation's own register fields (contact, legal basis, ...), edited by hand."""
        return self.root / "governance" / "ai-register.toml"

    # --- demo and evaluation ---
    @property
    def demo_password(self) -> Path:
        return self.root / "demo-password.txt"

    @property
    def demo_corpus(self) -> Path:
        return self.root / "demo-corpus"

    @property
    def eval_embeddings(self) -> Path:
        return self.root / "cache" / "eval-embeddings"

    def created_at_start(self) -> tuple[Path, ...]:
        """The folders `migrate` creates (and the doctor checks are writable)."""
        return (self.root, self.inbox, self.failed, self.originals, self.index,
                *((self.shared_root,) if self.shared_root is not None else ()))
