"""JSON API /api/v1: tokens, permission isolation, upload, jobs, health, OpenAPI and the error shape."""

from __future__ import annotations

import pytest

from appliance.access import accounts
from appliance.access import tokens as api_tokens
from tests.filefactory import make_corrupt_pdf
from tests.integration.web_support import bearer


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    # The pinned error shape: one object "error" with exactly these three string fields.
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "hint"}
    assert all(isinstance(v, str) for v in body["error"].values())
    assert body["error"]["code"] == code


def test_health_needs_no_token_and_reveals_no_content(client):
    r = client.get("/api/v1/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["schema_version"] >= 1
    assert set(r.json()) == {"status", "version", "schema_version"}


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer blf_nope"}, {"Authorization": "Basic eDp5"}]
)
def test_missing_or_unknown_token_is_401_with_the_error_shape(client, headers):
    r = client.get("/api/v1/search", params={"q": "sporthal"}, headers=headers)
    assert_error(
        r, 401, "auth.required" if "Bearer" not in headers.get("Authorization", "") else "auth.invalid_token"
    )
    assert r.headers["www-authenticate"] == "Bearer"


def test_revoked_token_is_refused(world, client):
    assert client.get("/api/v1/documents", headers=bearer(world, "anna")).status_code == 200
    api_tokens.revoke_token(world.app, world.tokens["anna"])
    assert_error(client.get("/api/v1/documents", headers=bearer(world, "anna")), 401, "auth.invalid_token")


def test_session_cookie_does_not_authenticate_the_api(world, client):
    from tests.integration.web_support import sign_in

    assert sign_in(client, "anna").status_code == 303
    assert_error(client.get("/api/v1/documents"), 401, "auth.required")


def test_search_returns_escaped_snippets_and_links(world, client):
    r = client.get(
        "/api/v1/search", params={"q": "omgevingsvergunning sporthal"}, headers=bearer(world, "anna")
    )
    assert r.status_code == 200
    hits = r.json()["hits"]
    assert hits and hits[0]["document_id"] == world.docs["bouw"]
    top = hits[0]
    assert top["page"] == 2 and top["collection"] == "bouw"
    assert "<mark>" in top["snippet_html"]
    assert top["original_url"] == f"/documents/{world.docs['bouw']}/original#page=2"
    assert top["document_url"].startswith(f"/documents/{world.docs['bouw']}?page=2&")
    assert top["document_url"].endswith(f"#chunk-{top['chunk_id']}")


def test_token_of_group_a_never_sees_collection_b(world, client):
    """wout (welzijn) shares the word 'omgevingsvergunning' with bouw, yet sees nothing of bouw."""
    headers = bearer(world, "wout")
    r = client.get(
        "/api/v1/search", params={"q": "omgevingsvergunning sporthal Vaartstraat"}, headers=headers
    )
    body = r.json()
    assert {h["collection"] for h in body["hits"]} == {"welzijn"}
    assert body["total"] == len(body["hits"]) == 1
    assert all(
        "sporthal" not in h["snippet_html"].lower() and "sporthal" not in h["text"].lower()
        for h in body["hits"]
    )
    # Filtering on the forbidden collection by name yields nothing rather than its documents.
    r = client.get("/api/v1/search", params={"q": "sporthal", "collection": "bouw"}, headers=headers)
    assert r.status_code in (200, 404)
    if r.status_code == 200:
        assert r.json()["hits"] == [] and r.json()["total"] == 0
    listed = client.get("/api/v1/documents", headers=headers).json()
    assert [d["id"] for d in listed["items"]] == [world.docs["welzijn"]] and listed["total"] == 1
    assert (
        client.get("/api/v1/documents", params={"collection": "bouw"}, headers=headers).json()["items"] == []
    )
    bouw = world.docs["bouw"]
    missing = client.get("/api/v1/documents/999999", headers=headers)
    for path in (f"/api/v1/documents/{bouw}", f"/api/v1/documents/{bouw}/original"):
        r = client.get(path, headers=headers)
        assert_error(r, 404, missing.json()["error"]["code"])  # indistinguishable from a missing document


def test_reader_gets_document_and_original(world, client):
    bouw = world.docs["bouw"]
    r = client.get(f"/api/v1/documents/{bouw}", headers=bearer(world, "anna"))
    assert r.status_code == 200 and r.json()["collection"] == "bouw" and r.json()["kind"] == "pdf"
    r = client.get(f"/api/v1/documents/{bouw}/original", headers=bearer(world, "anna"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-type"].startswith("application/pdf")
    assert r.headers["content-disposition"].startswith("inline")


def test_admin_token_reads_every_collection(world, client):
    items = client.get("/api/v1/documents", headers=bearer(world, "admin")).json()["items"]
    assert {d["collection"] for d in items} == {"bouw", "welzijn"}


def test_upload_queues_ingest_and_becomes_searchable(world, client):
    files = {
        "file": (
            "../../etc/Notulen raad.txt",
            b"De raad besliste over de kermis op het Marktplein.",
            "text/plain",
        )
    }
    r = client.post(
        "/api/v1/documents", data={"collection": "bouw"}, files=files, headers=bearer(world, "archie")
    )
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["filename"] == "Notulen raad.txt" and body["collection"] == "bouw" and body["size"] > 0
    jobs = client.get("/api/v1/jobs", headers=bearer(world, "archie")).json()
    job = next(j for j in jobs if j["job_id"] == body["job_id"])
    assert job["state"] == "done" and job["progress"] == 1.0 and job["target"] == "Notulen raad.txt"
    hits = client.get(
        "/api/v1/search", params={"q": "kermis Marktplein"}, headers=bearer(world, "anna")
    ).json()["hits"]
    assert hits and hits[0]["source_path"] == "Notulen raad.txt"
    assert len(list((world.app.settings.data_dir / "uploads").iterdir())) <= 1  # earlier folders pruned
    # Nothing escaped the staging folder.
    assert not (world.app.settings.data_dir.parent / "etc").exists()


def test_upload_needs_archivist_and_a_readable_collection(world, client):
    files = {"file": ("a.txt", b"tekst", "text/plain")}
    r = client.post(
        "/api/v1/documents", data={"collection": "bouw"}, files=files, headers=bearer(world, "anna")
    )
    assert_error(r, 403, "auth.forbidden")
    r = client.post(
        "/api/v1/documents", data={"collection": "welzijn"}, files=files, headers=bearer(world, "archie")
    )
    assert_error(r, 404, "collection.not_found")


def test_upload_over_the_limit_is_refused_clearly(appliance, tmp_path):
    from appliance.context import open_appliance
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings
    from tests.integration.web_support import World

    small = open_appliance(
        make_settings(tmp_path / "small", web={"max_upload_mb": 1}), embedder=FakeEmbedder()
    )
    from appliance import documents

    documents.ensure_collection(small, "bouw", "Bouw", ["g"])
    accounts.create_user(small, "archie", "een lang wachtwoord", role="archivist", groups=["g"])
    token = api_tokens.create_token(small, "archie", "t")
    with World(small, tmp_path).client() as c:
        headers = {"Authorization": f"Bearer {token}"}
        just_over = b"x" * (1024 * 1024 + 10)
        r = c.post(
            "/api/v1/documents",
            data={"collection": "bouw"},
            files={"file": ("big.txt", just_over)},
            headers=headers,
        )
        assert_error(r, 413, "upload.too_large")
        way_over = b"x" * (3 * 1024 * 1024)
        r = c.post(
            "/api/v1/documents",
            data={"collection": "bouw"},
            files={"file": ("big.txt", way_over)},
            headers=headers,
        )
        assert_error(r, 413, "upload.too_large")
        assert not any((small.settings.data_dir / "uploads").rglob("big.txt"))


def test_failed_upload_is_listed_and_can_be_retried(world, client, tmp_path):
    broken = make_corrupt_pdf(tmp_path / "kapot.pdf").read_bytes()
    r = client.post(
        "/api/v1/documents",
        data={"collection": "bouw"},
        files={"file": ("kapot.pdf", broken)},
        headers=bearer(world, "archie"),
    )
    assert r.status_code == 202
    failed = client.get("/api/v1/failed", headers=bearer(world, "archie")).json()
    row = next(f for f in failed if f["original_name"] == "kapot.pdf")
    assert row["code"].startswith("ingest.") and row["reason"]
    r = client.post(f"/api/v1/failed/{row['id']}/retry", headers=bearer(world, "archie"))
    assert r.status_code in (200, 201) and r.json()["state"] == "failed"  # still broken, but retried
    assert_error(client.get("/api/v1/failed", headers=bearer(world, "anna")), 403, "auth.forbidden")


def test_search_errors_use_the_error_shape(world, client):
    assert_error(
        client.get("/api/v1/search", params={"q": "   "}, headers=bearer(world, "anna")),
        400,
        "search.empty_query",
    )
    assert_error(
        client.get("/api/v1/search", params={"q": "x" * 10000}, headers=bearer(world, "anna")),
        400,
        "search.query_too_long",
    )
    assert_error(client.get("/api/v1/nope", headers=bearer(world, "anna")), 404, "http.not_found")


def test_openapi_schema_lists_the_api(client):
    r = client.get("/api/v1/schema/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/search",
        "/api/v1/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/original",
        "/api/v1/jobs",
        "/api/v1/health",
    } <= paths
    assert not any(p.startswith(("/admin", "/sign-in", "/upload")) for p in paths)  # pages stay out
    assert client.get("/api/v1/schema").json()["paths"].keys() == schema["paths"].keys()


def test_openapi_declares_bearer_auth(client):
    schema = client.get("/api/v1/schema/openapi.json").json()
    assert schema["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
