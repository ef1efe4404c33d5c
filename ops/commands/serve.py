"""`belfort serve [--host H] [--port P]`: the web UI and the JSON API (uvicorn, one process)."""

from __future__ import annotations

import argparse
import logging

from ops.commands._common import appliance_from


class DropQueryStrings(logging.Filter):
    """Access-log lines without the query string: `/?q=` carries what staff search, which may name
    citizens (questions to Ask are POSTed); the log keeps method, path and status."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            addr, method, path, version, status = record.args
            record.args = (addr, method, str(path).split("?", 1)[0], version, status)
        return True


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ops.logs import setup_logging
    from ops.webapp import create_app

    app = appliance_from(args)
    cluster = app.settings.cluster
    if cluster.follow_index:  # a scale-out web node: its own FAISS index follows the database
        from appliance.index.follow import start_following

        start_following(app, app.layout.index, seconds=cluster.follow_seconds,
                        gap_seconds=cluster.follow_gap_seconds, prune_days=cluster.change_log_days,
                        share_vectors=cluster.share_vectors)
    web = create_app(app)  # uploads go to the Huey queue file; `belfort worker` runs them
    config = uvicorn.Config(
        web,
        host=args.host or app.settings.web.host,
        port=args.port or app.settings.web.port,
        log_level=app.settings.log_level.lower(),
        server_header=False,
        # Behind a reverse proxy on the same host, X-Forwarded-* from localhost are trusted (uvicorn default).
        proxy_headers=True,
    )
    logging.getLogger("uvicorn.access").addFilter(DropQueryStrings())  # after Config set up logging
    setup_logging(app.settings, loggers=("uvicorn", "uvicorn.error", "uvicorn.access"))
    uvicorn.Server(config).run()
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="run the web UI and the JSON API (/api/v1)")
    parser.add_argument("--host", help="listen address (default: web.host)")
    parser.add_argument("--port", type=int, help="TCP port (default: web.port)")
    parser.set_defaults(func=_serve)
