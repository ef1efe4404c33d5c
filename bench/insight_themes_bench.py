"""Themes with the real embedder: how the cluster threshold separates a small set of municipal mails
written for this bench (bench/insight_theme_mails.jsonl, 5 themes x 8 mails, nl with some fr/en).

    python bench/insight_themes_bench.py [--distances 0.1,0.15,...]

Prints per cosine distance threshold (over the centred vectors, as the product clusters) the
adjusted Rand index against the intended themes, the number
of themes (>= min size 3), their purity (share of members in the theme's majority) and the share of mails left ungrouped, plus the mean within- and
between-theme distances.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from appliance.insight import cluster
from appliance.settings import load_settings
from ops.commands._common import eval_embedder

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distances", default="0.8,0.85,0.9,0.95,1.0")
    parser.add_argument("--min-size", type=int, default=3)
    args = parser.parse_args()
    rows = [json.loads(line) for line in (HERE / "insight_theme_mails.jsonl").read_text("utf-8").splitlines()]
    embedder = eval_embedder(load_settings(None))
    vectors = np.asarray(embedder.embed_passages([r["text"] for r in rows]), dtype=np.float32)
    truth = [r["theme"] for r in rows]
    dist = 1 - vectors @ vectors.T
    same = [dist[i, j] for i in range(len(rows)) for j in range(i) if truth[i] == truth[j]]
    other = [dist[i, j] for i in range(len(rows)) for j in range(i) if truth[i] != truth[j]]
    print(f"{embedder.id}: {len(rows)} mails; mean distance within a theme {np.mean(same):.3f}, "
          f"between themes {np.mean(other):.3f}")
    for d in (float(x) for x in args.distances.split(",")):
        groups = cluster(vectors, d, args.min_size)
        found = [-1] * len(rows)
        for n, g in enumerate(groups):
            for i in g:
                found[i] = n
        # each ungrouped mail is its own cluster for the Rand index
        labels = [f if f >= 0 else 1000 + i for i, f in enumerate(found)]
        majority = sum(max(Counter(truth[i] for i in g).values()) for g in groups)
        purity = majority / max(sum(len(g) for g in groups), 1)
        print(f"distance {d:.2f}: ARI {adjusted_rand_score(truth, labels):.3f}, {len(groups)} themes, "
              f"purity {purity:.0%}, {found.count(-1) / len(rows):.0%} ungrouped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
