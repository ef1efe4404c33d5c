"""What a zero-shot scorer compares items with: several prototype texts per category, and their vectors.

A category's prototypes are its profile (name, department, description), each example the admin
wrote (in any language: a French example is how a French mail finds its category), and each phrase
of the description. Descriptions are usually lists ("Identiteitskaart, rijbewijs, uittreksels,
huwelijk"): an item about one of those things is close to that phrase, not to the average of all of
them, which is what one vector per category measures.

Vectors are cached on disk per taxonomy content (+ embedder id), so a restart or a rerun of an
evaluation on the appliance's two cores does not embed the taxonomy again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from appliance.storage.files import atomic_writer
from appliance.triage.taxonomy import Category, Taxonomy
from models.base import Embedder

log = logging.getLogger(__name__)

CACHE_FORMAT = 2  # part of the cache key: bump when the prototype texts are built differently
# Mail that names no topic, in each language the appliance reads. A prototype close to these is close
# to any mail in that language (a lone French example is near every French mail): its hubness says so.
BACKGROUND = (
    "Goedendag, ik heb een vraag en hoop dat u mij kunt helpen. Met vriendelijke groeten.",
    "Beste, graag had ik wat meer informatie gekregen. Alvast bedankt voor uw antwoord.",
    "Geachte, hierbij stuur ik u mijn bericht. Kunt u mij laten weten wat de volgende stap is?",
    "Bonjour, j'ai une question et j'espère que vous pourrez m'aider. Cordialement.",
    "Madame, Monsieur, je voudrais recevoir plus d'informations. Merci d'avance pour votre réponse.",
    "Bonjour, je vous envoie ce message. Pouvez-vous me dire quelle est la prochaine étape ?",
    "Hello, I have a question and hope you can help me. Kind regards.",
    "Dear Sir or Madam, I would like some more information. Thank you in advance for your reply.",
    "Hi, I am sending you this message. Could you tell me what the next step is?",
    "Guten Tag, ich habe eine Frage und hoffe, dass Sie mir helfen können. Mit freundlichen Grüßen.",
    "Sehr geehrte Damen und Herren, ich hätte gern weitere Informationen. Vielen Dank im Voraus.",
    "Hallo, ich schicke Ihnen diese Nachricht. Können Sie mir sagen, was der nächste Schritt ist?",
)
MIN_PHRASE_CHARS = 3
# Where a description's list splits: punctuation and the coordinating words of nl, fr and en.
_SPLIT = re.compile(r"[,;:.()/]|\s(?:en|of|and|or|et|ou)\s", re.IGNORECASE)


def description_phrases(description: str) -> list[str]:
    """The items of a description's list, in order, without duplicates."""
    phrases = (p.strip(" .-") for p in _SPLIT.split(description or ""))
    return list(dict.fromkeys(p for p in phrases if len(p) >= MIN_PHRASE_CHARS))


@dataclass(frozen=True)
class Prototype:
    text: str  # what items are compared with
    role: str  # profile | example | phrase
    probe: str = ""  # how it reads as an incoming item when it is held out for calibration ('' never)


def category_prototypes(category: Category, department_name: str = "") -> list[Prototype]:
    """Profile first, then examples, then description phrases. A phrase is held out as an item
    without its 'label:' prefix (items do not name their category) and never stands in for the profile,
    which holds every phrase of the description."""
    label = category.name or category.key
    head = f"{label} ({department_name})" if department_name and department_name != label else label
    profile = f"{head}: {category.description}" if category.description else head
    out = [Prototype(profile, "profile")]
    out += [Prototype(e, "example", e) for e in category.examples]
    phrases = description_phrases(category.description)
    if len(phrases) > 1:  # a one-phrase description is the profile already
        out += [Prototype(f"{label}: {p}", "phrase", p) for p in phrases]
    unique: dict[str, Prototype] = {}
    for p in out:
        unique.setdefault(p.text, p)
    return list(unique.values())


def taxonomy_prototypes(taxonomy: Taxonomy) -> list[list[Prototype]]:
    groups = []
    for category in taxonomy.categories:
        department = taxonomy.department(category.department)
        groups.append(category_prototypes(category, department.name if department else ""))
    return groups


@dataclass(frozen=True)
class PrototypeVectors:
    """The prototypes embedded both ways: as passages (what items are compared with) and as queries
    (what a held-out prototype looks like when it plays an item, for calibration)."""

    passages: np.ndarray  # (P, dim) float32: the prototype texts
    queries: np.ndarray  # (P, dim) float32: their probes (zeros where a prototype has none)
    background: np.ndarray  # (len(BACKGROUND), dim) float32: the topic-less mails, as queries
    key: str


def cache_key(groups: list[list[Prototype]], embedder_id: str) -> str:
    content = [[(p.text, p.role, p.probe) for p in g] for g in groups]
    h = hashlib.sha256(json.dumps([CACHE_FORMAT, embedder_id, content], ensure_ascii=False).encode())
    return h.hexdigest()[:24]


def embed_prototypes(embedder: Embedder, groups: list[list[Prototype]], cache_dir: Path | None = None
                     ) -> PrototypeVectors:
    """Passage vectors of the prototypes, query vectors of their probes; from the cache when this
    taxonomy was embedded before."""
    key = cache_key(groups, embedder.id)
    flat = [p for group in groups for p in group]
    path = cache_dir / f"prototypes-{key}.npz" if cache_dir is not None else None
    if path is not None:
        cached = _read(path, len(flat), embedder.dim)
        if cached is not None:
            return PrototypeVectors(*cached, key)
    passages = np.asarray(embedder.embed_passages([p.text for p in flat]), dtype=np.float32)
    passages = passages.reshape(len(flat), embedder.dim)
    probed = [i for i, p in enumerate(flat) if p.probe]
    # one query call for the probes and the background (each call has a fixed cost)
    vecs = np.asarray(embedder.embed_queries([flat[i].probe for i in probed] + list(BACKGROUND)),
                      dtype=np.float32).reshape(len(probed) + len(BACKGROUND), embedder.dim)
    queries = np.zeros_like(passages)
    queries[probed] = vecs[: len(probed)]
    background = vecs[len(probed):]
    if path is not None:
        _write(path, passages, queries, background)
    return PrototypeVectors(passages, queries, background, key)


def _read(path: Path, rows: int, dim: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            passages, queries, background = data["passages"], data["queries"], data["background"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # absent or unreadable: embed again, the write replaces it
    if passages.shape != (rows, dim) or queries.shape != (rows, dim) or background.shape[1:] != (dim,):
        return None
    return passages, queries, background


def _write(path: Path, passages: np.ndarray, queries: np.ndarray, background: np.ndarray) -> None:
    """Best effort: a cache that cannot be written (read-only folder, full disk) costs time only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_writer(path, "wb") as fh:
            np.savez(fh, passages=passages, queries=queries, background=background)
    except OSError as exc:
        log.warning("triage: prototype vectors not cached in %s (%s)", path.parent, exc)
