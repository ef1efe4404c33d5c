"""Doctor checks of the OpenAI-compatible model servers the settings name: each one up or down.

`configured_servers(settings)` says which servers each engine kind uses; `check_model_servers`
probes them all at once (a hung server costs one timeout, not one per server) and returns one
`Check` per server plus one per kind (is any of them up?).
"""

from __future__ import annotations

from appliance.checks import Check
from appliance.settings import Settings
from models.pool import probe_all

PROBE_SECONDS = 3.0


def configured_servers(settings: Settings) -> dict[str, list[str]]:
    """{kind: [server url, ...]} for the kinds whose engine is openai-compatible."""
    s, pool = settings, settings.model_servers
    out: dict[str, list[str]] = {}
    if s.llm.engine == "openai-compatible":
        out["llm"] = list(pool.llm) or [s.llm.base_url]
    if s.search.embedder == "openai-compatible":
        out["embedder"] = list(pool.embedder)
    if s.asr.engine == "openai-compatible":
        out["transcriber"] = list(pool.transcriber)
    return out


def check_model_servers(settings: Settings, *, timeout: float = PROBE_SECONDS) -> list[Check]:
    checks: list[Check] = []
    for kind, urls in configured_servers(settings).items():
        urls = [u for u in urls if u]
        health = probe_all(urls, timeout=timeout)
        for h in health:
            checks.append(Check(f"model_server.{kind}", h.up, f"{h.url}: {h.message}", required=False,
                                hint="" if h.up else "start it (`belfort model-server --model NAME --host 0.0.0.0`) "
                                "or remove it from model_servers; the others take its requests meanwhile"))
        up = sum(h.up for h in health)
        # Without an LLM Ask still answers extractively; without embeddings or speech nothing works.
        checks.append(Check(f"model_servers.{kind}", up > 0, f"{up} of {len(urls)} {kind} server(s) up",
                            required=kind != "llm",
                            hint="" if up else f"list reachable servers in model_servers.{kind}"))
    return checks
