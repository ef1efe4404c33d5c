"""`python -m tests.integration.slow_worker MARKER`: a `belfort worker` (settings from the BELFORT_*
environment) whose embedder, handed in at the engine seam, hangs in the first job of all such workers:
it creates MARKER (holding its pid) and sleeps. The ingest has committed its document and is indexing
it when the test kills this process; the other workers embed normally."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from appliance.context import open_appliance
from appliance.jobs import run_worker, use_appliance
from appliance.settings import load_settings
from models.fakes import FakeEmbedder


class HangingEmbedder(FakeEmbedder):
    def __init__(self, marker: Path) -> None:
        super().__init__()
        self.marker = marker

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if texts:
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return super().embed_passages(texts)  # another worker hangs already
            os.write(fd, str(os.getpid()).encode())
            os.close(fd)
            time.sleep(3600)
        return super().embed_passages(texts)


def main() -> None:
    logging.basicConfig(level=logging.INFO)  # the test waits for the consumer's start line
    settings = load_settings()
    app = open_appliance(settings, embedder=HangingEmbedder(Path(sys.argv[1])))
    use_appliance(app)  # the worker's tasks use this appliance (and its embedder)
    run_worker(settings, workers=1)


if __name__ == "__main__":
    main()
