"""The scale-out profile under load, next to one box doing the same work (issue 16's Done-when).

    python bench/cluster_bench.py --json [--documents 200] [--seconds 60] [--searchers 4] [--askers 1]

Cluster: a real PostgreSQL and Redis, two web processes (`belfort serve`, each following the index),
two workers (`belfort worker`) and two llama.cpp model servers, all on loopback with their data under
one temp folder. The bench uploads the documents through the API (so they go through the queue),
runs searchers and askers against both web processes for `--seconds`, and halfway kills one worker
and one model server (SIGKILL). Then it waits for the queue to drain and counts:
documents_ingested, lost (uploaded but never stored), duplicated (stored twice), search latency,
answers_served (200), answers_with_model (a model wrote them), answers_failed (errors),
answers_failed_over (answers a model wrote after one model server died: the pool sent them to the
other one).

single_box: the same documents and load on the default profile (SQLite, the SQLite queue, one web
process, one worker, the LLM in process); nothing is killed there (one box has nothing to fail over
to). Models: var/test-models (multilingual-e5-small-q4, smollm2-135m-instruct-q4_1).

Parts of the scale-out profile this checkout lacks are named (the branch that brings them) and the
cluster half is then reported as {"error": ...}; the single_box half runs regardless.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cluster_services import (
    REPO,
    BenchError,
    Postgres,
    Proc,
    belfort,
    free_port,
    missing_pieces,
    model_server,
    start_redis,
    stop_all,
    wait_http,
)

MODELS = REPO / "var" / "test-models"
LLM = "smollm2-135m-instruct-q4_1"
LLM_FILE = MODELS / LLM / "SmolLM2-135M-Instruct.Q4_1.gguf"
TOPICS = [
    ("parkeren", "De bewonerskaart voor parkeren in de blauwe zone kost {n} euro per jaar."),
    ("afval", "Het recyclagepark neemt grofvuil aan op zaterdag; een beurt kost {n} euro."),
    ("zwembad", "Het stedelijk zwembad is open van {n} tot twintig uur, ook op feestdagen."),
    ("omgeving", "Een omgevingsvergunning voor een carport vraagt u aan via het loket; de termijn is {n} dagen."),
    ("huwelijk", "Een huwelijk in het stadhuis plant u minstens {n} weken vooraf bij de dienst burgerzaken."),
    ("subsidie", "De premie voor dakisolatie bedraagt {n} euro per vierkante meter, binnen het budget."),
]
QUESTIONS = ["Hoeveel kost een bewonerskaart?", "Wanneer is het zwembad open?", "Wat kost grofvuil?",
             "Hoe vraag ik een omgevingsvergunning aan?"]


def make_corpus(folder: Path, n: int, seed: int = 16) -> list[tuple[Path, str]]:
    """`n` text documents, each with a unique marker word that search must find."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        marker = f"kenmerk{i:05d}x"
        topics = rng.sample(TOPICS, 3)
        body = "\n\n".join(t.format(n=rng.randint(2, 90)) for _, t in topics)
        path = folder / f"{topics[0][0]}-{i:05d}.txt"
        path.write_text(f"Dossier {marker}: {topics[0][0]}\n\n{body}\n\nReferentie {marker}.\n", "utf-8")
        out.append((path, marker))
    return out


def write_config(path: Path, *, store: str = "", redis: str = "", shared: str = "",
                 llm: dict[str, Any] | None = None, servers: list[str] | None = None) -> Path:
    lines = [f'models_dir = "{MODELS}"', 'profile = "production"', "",
             "[search]", 'embedder = "e5"', 'embedder_model = "multilingual-e5-small-q4"', "",
             "[web]", "insecure_http = true", "ask_per_user_per_minute = 100000",
             "ask_per_client_per_minute = 100000", "", "[ocr]", "on_ingest = false", "", "[pii]", 'ner = "none"', "",
             # The workload measures serving, not answer quality: 200 documents that give the same facts with
             # different figures would stop every question at the answerability gate, and no model would be asked.
             "[ask]", "min_answerable = 0.0",
             # Both profiles serve the same small model, so both compose (a model behind a server would
             # otherwise write freely: auto means free there); the cluster's choices then go through the
             # servers as constrained JSON, like the single box's in-process grammar.
             'answer_mode = "composed"', ""]
    if store:
        lines += ["[store]", f'url = "{store}"', ""]
    if redis:
        lines += ["[queue]", 'backend = "redis"', f'redis_url = "{redis}"', ""]
    if shared:
        lines += ["[cluster]", f'shared_dir = "{shared}"', "follow_index = true", "follow_seconds = 1.0", ""]
    if servers:
        lines += ["[model_servers]", f"llm = {json.dumps(servers)}", ""]
    lines += ["[llm]"] + [f"{k} = {json.dumps(v)}" for k, v in (llm or {}).items()]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


SETUP = """
import sys
from pathlib import Path
from appliance import access
from appliance.context import open_appliance
from appliance.documents.ingest import ensure_collection
from appliance.settings import load_settings
app = open_appliance(load_settings(Path(sys.argv[1])))
ensure_collection(app, "bench", groups=["bench"])  # a token without the admin scope reads by group
access.create_user(app, "bench", sys.argv[2], role="archivist", groups=["bench"])
print(access.create_token(app, "bench", "bench", scopes="read,ask,ingest"))
"""


def prepare(config: Path, data_dir: Path) -> str:
    """Migrate, make the collection, an admin and its API token (in a child, like `belfort admin`)."""
    done = subprocess.run([sys.executable, "-c", SETUP, str(config), secrets.token_urlsafe(24)], cwd=REPO,
                          capture_output=True, text=True, check=False, timeout=600,
                          env={"PYTHONPATH": str(REPO), "BELFORT_DATA_DIR": str(data_dir), "PATH": "/usr/bin:/bin"})
    if done.returncode:
        raise BenchError(f"setup failed: {done.stderr.strip()[-800:]}")
    return done.stdout.strip().splitlines()[-1]


def counts(db_url: str) -> dict[str, int]:
    """Documents of the bench collection, their distinct contents and versions, read from the database."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT COUNT(DISTINCT d.id), COUNT(DISTINCT v.content_hash), COUNT(v.id) FROM document d "
                "JOIN collection c ON c.id = d.collection_id LEFT JOIN documentversion v ON v.document_id = d.id "
                "WHERE c.name = 'bench' AND d.parent_id IS NULL")).one()
    except SQLAlchemyError as exc:
        raise BenchError(f"cannot count the stored documents: {str(exc.orig or exc).splitlines()[0]}") from exc
    finally:
        engine.dispose()
    return {"documents": int(row[0]), "contents": int(row[1]), "versions": int(row[2])}


def upload(bases: list[str], token: str, corpus: list[tuple[Path, str]], threads: int = 4) -> dict[str, int]:
    """Upload every file through POST /api/v1/documents, round robin over the web processes; a refused
    or timed-out upload is tried once more. Returns {status or error name: count} of the last tries."""
    outcome: dict[str, int] = {}
    lock = threading.Lock()

    def send(client: httpx.Client, base: str, path: Path) -> str:
        try:
            r = client.post(f"{base}/api/v1/documents", data={"collection": "bench"},
                            files={"file": (path.name, path.read_bytes(), "text/plain")})
            return str(r.status_code)
        except httpx.HTTPError as exc:
            return type(exc).__name__

    def work(part: list[tuple[int, Path]]) -> None:
        with httpx.Client(timeout=120, headers={"Authorization": f"Bearer {token}"}) as client:
            for i, path in part:
                got = send(client, bases[i % len(bases)], path)
                if got != "202":
                    got = send(client, bases[(i + 1) % len(bases)], path)
                with lock:
                    outcome[got] = outcome.get(got, 0) + 1
    items = list(enumerate(p for p, _ in corpus))
    pool = [threading.Thread(target=work, args=(items[k::threads],)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return outcome


class Load:
    """Searchers and askers against the web processes for a bounded time; `on_half` runs halfway."""

    def __init__(self, bases: list[str], token: str, markers: list[str]) -> None:
        self.bases, self.token, self.markers = bases, token, markers
        self.latencies: list[float] = []
        self.search_errors = self.found = 0
        self.served = self.failed = self.with_model = self.after_kill = 0
        self.statuses: dict[str, int] = {}  # the answers' status (answered, refused, ...) as the API says
        self.killed_at: float | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        return httpx.Client(timeout=120, headers={"Authorization": f"Bearer {self.token}"})

    def _search(self, stop: float, k: int) -> None:
        rng = random.Random(k)
        with self._client() as client:
            while time.monotonic() < stop:
                marker = rng.choice(self.markers)
                started = time.perf_counter()
                hits: list[dict[str, Any]] | None = None
                try:
                    r = client.get(f"{rng.choice(self.bases)}/api/v1/search", params={"q": marker, "limit": 5})
                    hits = r.json().get("hits", []) if r.status_code == 200 else None
                except (httpx.HTTPError, ValueError):
                    pass
                ms = (time.perf_counter() - started) * 1000
                with self._lock:
                    if hits is not None:
                        self.latencies.append(ms)
                        self.found += any(marker in str(h.get("text", "")) for h in hits)
                    else:
                        self.search_errors += 1

    def _ask(self, stop: float, k: int) -> None:
        rng = random.Random(100 + k)
        with self._client() as client:
            while time.monotonic() < stop:
                time.sleep(0.2)
                try:
                    r = client.post(f"{rng.choice(self.bases)}/api/v1/ask", json={"question": rng.choice(QUESTIONS)})
                    body = r.json() if r.status_code == 200 else {}
                except (httpx.HTTPError, ValueError):
                    r, body = None, {}
                with self._lock:
                    status = str(body.get("status", "")) if body else ""
                    self.statuses[status] = self.statuses.get(status, 0) + 1
                    if r is None or r.status_code != 200:
                        self.failed += 1
                        continue
                    self.served += 1
                    if body.get("model"):
                        self.with_model += 1
                        self.after_kill += self.killed_at is not None

    def run(self, seconds: float, searchers: int, askers: int, on_half: Callable[[], None] | None) -> None:
        stop = time.monotonic() + seconds
        pool = [threading.Thread(target=self._search, args=(stop, k)) for k in range(searchers)]
        pool += [threading.Thread(target=self._ask, args=(stop, k)) for k in range(askers)]
        for t in pool:
            t.start()
        time.sleep(seconds / 2)
        if on_half is not None:
            on_half()
            self.killed_at = time.monotonic()
        for t in pool:
            t.join()


def drain(db_url: str, want: int, idle_s: float = 60.0, cap_s: float = 900.0) -> dict[str, int]:
    """Wait until every upload is stored, or nothing moved for `idle_s` (then what is missing is lost)."""
    last, moved, deadline = counts(db_url), time.monotonic(), time.monotonic() + cap_s
    while last["contents"] < want and time.monotonic() - moved < idle_s and time.monotonic() < deadline:
        time.sleep(3)
        now = counts(db_url)
        if now != last:
            last, moved = now, time.monotonic()
    return last


def figures(load: Load, uploads: dict[str, int], stored: dict[str, int], seconds: float) -> dict[str, Any]:
    """`lost`: accepted uploads (202) never stored; refused uploads are counted apart (upload_errors)."""
    uploaded = uploads.get("202", 0)
    lat = sorted(load.latencies)
    pct = statistics.quantiles(lat, n=100) if len(lat) >= 2 else lat * 99 or [0.0] * 99
    return {
        "documents_uploaded": uploaded, "documents_ingested": stored["contents"],
        "upload_errors": {k: v for k, v in uploads.items() if k != "202"},
        "lost": max(0, uploaded - stored["contents"]),
        "duplicated": (stored["documents"] - stored["contents"]) + (stored["versions"] - stored["documents"]),
        "searches": len(lat), "search_errors": load.search_errors,
        "search_found_ratio": round(load.found / len(lat), 3) if lat else 0.0,
        "search_p50_ms": round(pct[49], 1), "search_p95_ms": round(pct[94], 1),
        "answers_served": load.served, "answers_with_model": load.with_model,
        "answers_failed": load.failed, "answer_statuses": load.statuses, "answers_failed_over": load.after_kill, "seconds": seconds,
    }


def _exercise(bases: list[str], token: str, corpus: list[tuple[Path, str]], db_url: str,
              args: argparse.Namespace, on_half: Callable[[], None] | None) -> dict[str, Any]:
    started = time.monotonic()
    uploads = upload(bases, token, corpus)
    load = Load(bases, token, [m for _, m in corpus])
    load.run(args.seconds, args.searchers, args.askers, on_half)
    stored = drain(db_url, uploads.get("202", 0))
    out = figures(load, uploads, stored, round(time.monotonic() - started, 1))
    return out


def run_single_box(root: Path, corpus: list[tuple[Path, str]], args: argparse.Namespace) -> dict[str, Any]:
    """The default profile: SQLite, the SQLite queue, one web process and one worker, the LLM in process."""
    data, logs = root / "single", root / "logs"
    config = write_config(root / "single.toml", llm={"engine": "llama-cpp", "model": LLM, "threads": 1,
                                                     "context_size": 2048})
    token = prepare(config, data)
    env = {"BELFORT_DATA_DIR": str(data)}
    port = free_port()
    procs = [belfort("single-web", config, ["serve", "--host", "127.0.0.1", "--port", str(port)], logs, env),
             belfort("single-worker", config, ["worker"], logs, env)]
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v1/health", procs[0], 180)
        out = _exercise([f"http://127.0.0.1:{port}"], token, corpus, f"sqlite:///{data / 'belfort.sqlite3'}", args,
                        None)
    finally:
        stop_all(procs)
    return {"store": "sqlite", "queue": "sqlite", **out}


def _model_servers(root: Path, config: Path, logs: Path) -> tuple[list[Proc], list[str]]:
    if not LLM_FILE.is_file():
        raise BenchError(f"the test LLM is missing: {LLM_FILE} (see tests/llm_fixture.py)")
    ports = [free_port(), free_port()]
    procs = [model_server(f"model-{k}", config, LLM, LLM_FILE, p, logs) for k, p in enumerate(ports, 1)]
    urls = [f"http://127.0.0.1:{p}/v1" for p in ports]
    for proc, url in zip(procs, urls, strict=True):
        wait_http(f"{url}/models", proc, 180)
    return procs, urls


def run_cluster(root: Path, corpus: list[tuple[Path, str]], args: argparse.Namespace) -> dict[str, Any]:
    """PostgreSQL, Redis, two web processes, two workers, two model servers; one worker and one model
    server killed halfway."""
    logs, pg = root / "logs", Postgres(root / "pg")
    procs: list[Proc] = []
    try:
        pg_url = pg.start()
        redis_url, redis = start_redis(root / "redis", logs)
        procs.append(redis)
        missing = missing_pieces(pg_url, redis_url)
        if not args.force and any(not m.startswith("modelpool: no `belfort model-server`") for m in missing):
            return {"store": "postgresql", "queue": "redis", "error": "the scale-out profile is incomplete in this "
                    "checkout: " + "; ".join(missing), "missing": missing}
        llm_cfg: dict[str, Any] = {"engine": "openai-compatible", "model": LLM, "timeout_seconds": 60}
        config = write_config(root / "cluster.toml", store=pg_url, redis=redis_url, shared=str(root / "shared"))
        servers, urls = _model_servers(root, config, logs)
        procs += servers
        pooled = not any(m.startswith("modelpool: no model_servers") for m in missing)
        write_config(config, store=pg_url, redis=redis_url, shared=str(root / "shared"),
                     llm={**llm_cfg, "base_url": urls[0]}, servers=urls if pooled else None)
        token = prepare(config, root / "web1")
        ports = [free_port(), free_port()]
        for k, port in enumerate(ports, 1):
            procs.append(belfort(f"web{k}", config, ["serve", "--host", "127.0.0.1", "--port", str(port)], logs,
                                 {"BELFORT_DATA_DIR": str(root / f"web{k}")}))
        workers = [belfort(f"worker{k}", config, ["worker"], logs, {"BELFORT_DATA_DIR": str(root / "worker")})
                   for k in (1, 2)]
        procs += workers
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for proc, base in zip(procs[-4:-2], bases, strict=True):
            wait_http(f"{base}/api/v1/health", proc, 180)

        def kill_half() -> None:
            workers[0].kill()
            servers[0].kill()

        out = _exercise(bases, token, corpus, pg_url, args, kill_half)
        return {"store": "postgresql", "queue": "redis", **out, "notes": missing}
    finally:
        stop_all(procs, [pg])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--documents", type=int, default=200, help="documents uploaded (default 200)")
    p.add_argument("--seconds", type=float, default=60.0, help="seconds of search and ask load (default 60)")
    p.add_argument("--searchers", type=int, default=4, help="concurrent searchers (default 4)")
    p.add_argument("--askers", type=int, default=1, help="concurrent askers (default 1)")
    p.add_argument("--skip-single-box", action="store_true", help="only the scale-out profile")
    p.add_argument("--skip-cluster", action="store_true", help="only the single-box profile")
    p.add_argument("--force", action="store_true", help="run the scale-out half even where pieces are missing "
                   "(to try the process orchestration; its figures then mean nothing)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder (logs, data) and print it")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="belfort-cluster-bench-"))
    corpus = make_corpus(root / "corpus", args.documents)
    result: dict[str, Any] = {"store": "postgresql", "queue": "redis", "documents": args.documents,
                              "seconds": args.seconds, "searchers": args.searchers, "askers": args.askers}
    try:
        if not args.skip_cluster:
            try:
                result.update(run_cluster(root, corpus, args))
            except BenchError as exc:
                result["error"] = str(exc)
        if not args.skip_single_box:
            try:
                result["single_box"] = run_single_box(root, corpus, args)
            except BenchError as exc:
                result["single_box"] = {"error": str(exc)}
    finally:
        if args.keep:
            result["folder"] = str(root)
        else:
            import shutil

            shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(result, indent=None if args.json else 2))
    return 1 if "error" in result or "error" in result.get("single_box", {}) else 0


if __name__ == "__main__":
    sys.exit(main())
