"""Query figures (issue 5): ``python -m benchmarks.queries [--objects N] [--json F]``.

- ``query_within_compound_ms``: everything inside one compound (select by containing
  polygon), all layers, median over 20 different compounds;
- ``filter_expr_100k_ms``: a filter expression (``类别 = '行道树' and 状态 != '正常'``)
  over the biggest layer, median of repeated runs after the first (the first builds
  the SQLite table, reported apart as ``filter_first_ms``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def measure(n: int, repeat: int) -> dict:
    from twinviewer.core.query import FilterEngine, footprint, select_within
    from twinviewer.demo.generator import generate_district
    from twinviewer.io.loader import open_scene

    with tempfile.TemporaryDirectory() as tmp:
        scene = open_scene([generate_district(Path(tmp), objects=n)])
    compounds = scene.layer("小区")
    rng = np.random.default_rng(1)
    within = []
    for row in rng.choice(len(compounds), min(20, len(compounds)), replace=False):
        polygon = footprint(compounds, int(row))
        t = time.perf_counter()
        select_within(scene, polygon)
        within.append(time.perf_counter() - t)
    biggest = max(scene.layers, key=len)
    engine = FilterEngine()
    expr = "类别 = '行道树' and 状态 != '正常'"
    t = time.perf_counter()
    engine.mask(biggest, expr)
    first = time.perf_counter() - t
    runs = []
    for _ in range(max(5, repeat)):
        t = time.perf_counter()
        engine.mask(biggest, expr)
        runs.append(time.perf_counter() - t)
    return {"query_within_compound_ms": statistics.median(within) * 1e3,
            "filter_expr_100k_ms": statistics.median(runs) * 1e3,
            "filter_first_ms": first * 1e3, "filter_rows": len(biggest),
            "objects": scene.object_count()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.queries", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    figures = measure(args.objects, args.repeat)
    for key, value in figures.items():
        print(f"{key:26s} {value:12,.1f}" if isinstance(value, float) else
              f"{key:26s} {value:12,d}")
    print("target: query_within_compound_ms and filter_expr_100k_ms <= 50 ms (issue 5)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
