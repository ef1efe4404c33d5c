"""A keyword-search world on either store, for the keyword back-end contract tests and
bench/keyword_backends.py: a migrated SQLite file, or a fresh PostgreSQL database with the same
tables and the PostgreSQL keyword DDL; collections, groups, documents and chunks written straight
into it, then indexed by the product's own sync code.

The corpus is synthetic: Dutch and French municipal sentences with accents and inflected forms,
mixed at random (seeded) so term frequencies and lengths vary from chunk to chunk."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlmodel import SQLModel

from appliance.db.engine import make_engine, migrate, write_session
from appliance.db.pg_keywords import PG_KEYWORD_DDL
from appliance.db.tables import Chunk, Collection, CollectionGroup, Document, DocumentVersion, Group
from appliance.errors import BelfortError
from appliance.index.sync import index_chunks

DUTCH = [
    "De gemeenteraad keurt de bouwvergunning voor de nieuwe sporthal goed.",
    "Vergunningen voor terrassen worden jaarlijks vernieuwd door het college.",
    "Een omgevingsvergunning aanvragen kan via het digitale loket van de gemeente.",
    "De éénmalige premie voor dakisolatie wordt uitbetaald na controle.",
    "Het schepencollege besliste over de herinrichting van de markt en de parkeerplaatsen.",
    "Bewoners vroegen een parkeervergunning voor de zone rond het station.",
    "De subsidie voor jeugdverenigingen wordt verhoogd vanaf volgend jaar.",
    "Scholen en kinderdagverblijven krijgen een toelage voor de renovatie.",
    "De belasting op tweede verblijven blijft ongewijzigd in het meerjarenplan.",
    "Het reglement over de afvalophaling werd gewijzigd na klachten van bewoners.",
    "De gunning van de opdracht voor wegenwerken ging naar een lokale aannemer.",
    "Financiële steun voor verenigingen die culturele activiteiten organiseren.",
    "Café-uitbaters vragen een vergunning voor een tijdelijk evenement op het plein.",
    "De brandweerzone adviseert over de veiligheid van de evenementenhal.",
]
FRENCH = [
    "Le conseil communal approuve le permis d'urbanisme pour la nouvelle salle de sport.",
    "Les écoles primaires reçoivent une subvention pour la rénovation des bâtiments.",
    "La crèche communale ouvre ses portes aux familles du quartier.",
    "Les permis de bâtir sont délivrés par le collège des bourgmestre et échevins.",
    "Une prime unique pour l'isolation du toit est versée après contrôle.",
    "Le règlement relatif à la collecte des déchets a été modifié.",
    "Les associations culturelles obtiennent un soutien financier de la commune.",
    "La taxe sur les résidences secondaires reste inchangée dans le plan pluriannuel.",
    "Le marché public des travaux de voirie est attribué à un entrepreneur local.",
    "Les habitants demandent un permis de stationnement près de la gare.",
]
# Queries with accents, stems and repeats, in both languages (each word matches some chunks).
QUERIES = [
    "vergunning", "vergunningen aanvragen", "Éénmalige premie dakisolatie", "eenmalige premie",
    "sporthal bouwvergunning gemeenteraad", "parkeervergunning station", "subsidie jeugdverenigingen",
    "financiele steun verenigingen", "cafe uitbaters evenement", "gunning aannemer wegenwerken",
    "permis d'urbanisme", "écoles primaires rénovation", "ecole", "crèche communale",
    "subventions", "prime unique isolation toit", "permis permis stationnement", "taxe résidences secondaires",
    "règlement déchets", "marché public voirie entrepreneur",
]


@dataclass
class KeywordWorld:
    """An engine with collections `a` and `b`, groups `ga` (reads a) and `gb` (reads a and b)."""

    engine: Engine
    collections: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    chunks: list[int] = field(default_factory=list)
    documents: list[int] = field(default_factory=list)
    settings: Any = None  # for appliance.search.search (its `search` section)

    @property
    def db(self) -> Engine:  # IndexHost
        return self.engine

    @property
    def embedder(self) -> Any:  # IndexHost: keyword only
        raise BelfortError("search.no_embedder", "no embedder in the keyword world")

    @property
    def index(self) -> Any:
        raise BelfortError("search.no_embedder", "no vector index in the keyword world")


def keyword_engine(kind: str, tmp_path: Path) -> Engine:
    """A migrated SQLite file, or a fresh PostgreSQL database with the tables and the keyword DDL."""
    if kind == "sqlite":
        engine = make_engine(tmp_path / "keywords.sqlite")
        migrate(engine)
        return engine
    from tests.backends import fresh_postgres_database

    engine = create_engine(fresh_postgres_database())
    SQLModel.metadata.create_all(engine)
    with engine.begin() as conn:
        for ddl in PG_KEYWORD_DDL:
            conn.exec_driver_sql(ddl)
    return engine


def sentences(rng: random.Random, count: int) -> str:
    pool = DUTCH if rng.random() < 0.65 else FRENCH
    return " ".join(rng.choice(pool) for _ in range(count))


def build_world(kind: str, tmp_path: Path, documents: int = 40, chunks_per_document: int = 3,
                seed: int = 7) -> KeywordWorld:
    """The same world for the same arguments on either store (same ids, same texts)."""
    rng = random.Random(seed)
    world = KeywordWorld(keyword_engine(kind, tmp_path))
    with write_session(world.engine) as s:
        for name in ("a", "b"):
            coll = Collection(name=name, title=name.upper())
            s.add(coll)
            s.flush()
            world.collections[name] = int(coll.id or 0)
        for name, reads in (("ga", ("a",)), ("gb", ("a", "b"))):
            group = Group(name=name)
            s.add(group)
            s.flush()
            world.groups[name] = int(group.id or 0)
            for coll_name in reads:
                s.add(CollectionGroup(collection_id=world.collections[coll_name], group_id=int(group.id or 0)))
        for d in range(documents):
            coll = world.collections["a" if d % 3 else "b"]
            lang = "fr" if d % 4 == 0 else "nl"
            world.documents.append(add_document(s, coll, f"doc{d}.txt", [
                sentences(rng, rng.randint(1, 6)) for _ in range(chunks_per_document)], lang, world.chunks))
    index_chunks(world, world.chunks)
    return world


def add_document(s: Any, collection_id: int, path: str, texts: list[str], language: str, out: list[int]) -> int:
    doc = Document(collection_id=collection_id, source_path=path, title=path, language=language,
                   meta={"structure": {"doc_type": "nota"}})
    s.add(doc)
    s.flush()
    version = DocumentVersion(document_id=int(doc.id or 0), collection_id=collection_id, content_hash=f"h{doc.id}")
    s.add(version)
    s.flush()
    doc.current_version_id = version.id
    for i, text in enumerate(texts):
        chunk = Chunk(version_id=int(version.id or 0), document_id=int(doc.id or 0), collection_id=collection_id,
                      ordinal=i, text=text, char_end=len(text), language=language,
                      context=f"{path} > deel {i}" if i % 2 else "")
        s.add(chunk)
        s.flush()
        out.append(int(chunk.id or 0))
    return int(doc.id or 0)
