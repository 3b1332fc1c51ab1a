"""单体化 look-up figures: ``python -m benchmarks.classify [--scene S] [--layer L] [--json F]``.

On the demo district's buildings (or any scene's polygon layer): building the
:class:`~twinviewer.core.classify.FootprintIndex`, classifying 1M scan vertices, one
pick, next to the naive baseline measured in the same run: shapely's STRtree asked
for every point (``query(points, predicate="intersects")``), the way a look-up
without the grid would go.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import shapely

from benchmarks.common import median, ms, now

DEMO = Path(__file__).parents[1] / "scenes" / "demo" / "scene.toml"


def run(scene_file: Path, layer_name: str, n: int = 1_000_000, picks: int = 500) -> dict:
    from twinviewer.core.classify import FootprintIndex
    from twinviewer.io.loader import open_scene

    layer = open_scene([scene_file]).layer(layer_name)
    t0 = now()
    index = FootprintIndex.from_layer(layer)
    build_s = now() - t0
    rng = np.random.default_rng(0)
    xmin, ymin, xmax, ymax = index.bounds
    pts = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n),
                           rng.uniform(0, 40, n)])
    index.rows_at(pts[:1000])  # warm
    times = []
    for _ in range(3):
        t0 = now()
        rows = index.rows_at(pts)
        times.append(now() - t0)
    pick = []
    for i in range(picks):
        t0 = now()
        index.rows_at(pts[i:i + 1])
        pick.append(now() - t0)

    # naive: the STRtree over the same footprints, every point through shapely
    polys = np.array([p for p in index.polygons if p is not None], dtype=object)
    tree = shapely.STRtree(polys)
    t0 = now()
    geoms = shapely.points(pts[:, :2])
    tree.query(geoms, predicate="intersects")
    naive_s = now() - t0
    naive_pick = []
    for i in range(picks):
        t0 = now()
        tree.query(shapely.points(pts[i:i + 1, :2]), predicate="intersects")
        naive_pick.append(now() - t0)
    return {"footprints": int(len(polys)), "grid_cells": int(index.grid.size),
            "exact_cell_share": round(float(np.mean(index.grid == -2)), 4),
            "build_s": round(build_s, 3), "points": n,
            "classify_1m_s": round(median(times), 3),
            "hit_share": round(float(np.mean(rows >= 0)), 4),
            "pick_ms": round(ms(pick), 4),
            "naive_classify_1m_s": round(naive_s, 3),
            "naive_pick_ms": round(ms(naive_pick), 4)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", type=Path, default=DEMO)
    parser.add_argument("--layer", default="建筑")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    result = run(args.scene, args.layer, args.points)
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
