"""Health of the OpenAI-compatible model servers the settings name: each one up or down.

`configured_servers(settings)` says which servers each engine kind uses; `server_health` probes
them all at once (a hung server costs one timeout, not one per server); `appliance.checks.
check_model_servers` turns that into one doctor check per server plus one per kind.
"""

from __future__ import annotations

from appliance.settings import Settings
from models.pool import ServerHealth, probe_all

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


def server_health(settings: Settings, *, timeout: float = PROBE_SECONDS) -> dict[str, list[ServerHealth]]:
    """{kind: [health of each server]} for every kind served by model servers."""
    return {kind: probe_all([u for u in urls if u], timeout=timeout)
            for kind, urls in configured_servers(settings).items()}


DOWN_HINT = ("start it (`belfort model-server --model NAME --host 0.0.0.0`) or remove it from model_servers; "
             "the other servers take its requests meanwhile")
