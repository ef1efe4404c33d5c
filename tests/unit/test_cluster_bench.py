"""bench/cluster_bench.py's accounting: what counts as lost, duplicated and failed over."""

from __future__ import annotations

from pathlib import Path

from bench.cluster_bench import Load, figures, make_corpus, write_config


def test_the_corpus_has_one_unique_marker_per_document(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, 30)
    assert len({m for _, m in corpus}) == 30 and len({p.read_bytes() for p, _ in corpus}) == 30
    assert all(m in p.read_text("utf-8") for p, m in corpus)


def test_lost_and_duplicated_are_counted_from_what_was_accepted_and_stored() -> None:
    load = Load(["http://x"], "t", ["a"])
    load.latencies = [float(i) for i in range(1, 101)]
    load.found = 50
    out = figures(load, {"202": 10, "500": 1}, {"documents": 10, "contents": 9, "versions": 11}, 1.0)
    assert out["lost"] == 1 and out["upload_errors"] == {"500": 1}
    assert out["duplicated"] == 1 + 1  # a content stored as two documents, a document with two versions
    assert out["search_p50_ms"] == 50.5 and 95 <= out["search_p95_ms"] <= 96
    assert out["search_found_ratio"] == 0.5


def test_the_bench_settings_load(tmp_path: Path) -> None:
    from appliance.settings import load_settings

    path = write_config(tmp_path / "b.toml", store="postgresql+psycopg://postgres@/belfort?host=/tmp/x",
                        redis="unix:///tmp/r.sock?db=0", shared=str(tmp_path / "shared"),
                        llm={"engine": "openai-compatible", "base_url": "http://127.0.0.1:1/v1"})
    s = load_settings(path, environ={})
    assert s.queue.backend == "redis" and s.cluster.follow_index and s.web.ask_per_user_per_minute == 100000
