"""`belfort serve [--host H] [--port P]`: the web UI and the JSON API (uvicorn, one process)."""

from __future__ import annotations

import argparse

from ops.commands._common import appliance_from


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from webui.app import create_app

    app = appliance_from(args)
    web = create_app(app)  # uploads go to the Huey queue file; `belfort worker` runs them
    uvicorn.run(
        web,
        host=args.host or app.settings.web.host,
        port=args.port or app.settings.web.port,
        log_level=app.settings.log_level.lower(),
        server_header=False,
        # Behind a reverse proxy on the same host, X-Forwarded-* from localhost are trusted (uvicorn default).
        proxy_headers=True,
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the web UI and the JSON API (/api/v1)")
    parser.add_argument("--host", help="listen address (default: web.host)")
    parser.add_argument("--port", type=int, help="TCP port (default: web.port)")
    parser.set_defaults(func=_serve)
