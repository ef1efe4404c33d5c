"""`belfort model-server --model NAME [--host H] [--port P] [--threads N]`: an OpenAI-compatible
llama.cpp server for one provisioned catalog model, for the appliances of a scale-out profile
(`model_servers.llm` lists such servers; see ops/cluster/)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ops.commands._common import settings_from


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("model-server", help="serve a provisioned GGUF model over the OpenAI API (llama.cpp server)")
    p.add_argument("--model", required=True, help="catalog name (or folder / .gguf path) under models_dir")
    p.add_argument("--host", default="127.0.0.1", help="listen address (default 127.0.0.1; 0.0.0.0 for the LAN)")
    p.add_argument("--port", type=int, default=8080, help="TCP port (default 8080)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (default: llama.cpp's choice)")
    p.add_argument("--ctx", type=int, default=4096, help="context window in tokens (default 4096)")
    p.add_argument("--gpu-layers", type=int, default=0, help="layers on the GPU (-1: all; default 0)")
    p.add_argument("--embedding", action="store_true",
                   help="serve /v1/embeddings too (on by itself for a catalog embedder)")
    p.add_argument("--api-key-file", default="", help="file holding a key clients must send (Bearer)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    import uvicorn

    from models.base import ModelError
    from models.llama_server import served_model, server_app

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never a download: the file is provisioned
    settings = settings_from(args)
    try:
        model = served_model(settings.models_dir, args.model)
        key = Path(args.api_key_file).read_text("utf-8").strip() if args.api_key_file else ""
        app = server_app(model, threads=args.threads, n_ctx=args.ctx, gpu_layers=args.gpu_layers,
                         embedding=args.embedding, api_key=key)
    except ModelError as exc:
        print(f"error [{exc.code}]: {exc.message}\n  hint: {exc.hint}", file=sys.stderr)
        return 2
    print(f"serving {model.name} ({model.path.name}, sha256 {model.sha256[:12]}…) on "
          f"http://{args.host}:{args.port}/v1", file=sys.stderr, flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level=settings.log_level.lower(),
                server_header=False, access_log=False)
    return 0
