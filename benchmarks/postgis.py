"""PostGIS figures (issue 7) next to the GeoPackage ones, measured in the same run.

``python -m benchmarks.postgis [--objects N] [--repeat R] [--json F]``

- ``postgis_load_100k_s`` / ``gpkg_load_100k_s``: the generated district of N objects
  (the same generator as ``python -m benchmarks``) read, placed and ready to draw
  (``io.loader.load``), from its GeoPackage and from PostGIS (published with
  ``twinviewer publish``; streamed through a server-side cursor in batches);
- ``postgis_save_1000_edits_ms`` / ``gpkg_save_1000_edits_ms``: 1,000 single-object
  edits (random objects and fields) saved in one transaction, edit log included
  (compare-and-set per cell, NOTIFY) on the store of ``benchmarks.editing``.

The server is a throwaway cluster (``twinviewer.store.pg_cluster``) on this machine,
over TCP on 127.0.0.1.  Target: each PostGIS figure <= 2 x the GeoPackage figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _edits(layer, seed: int):
    from twinviewer.core.edits import CommandStack, SetValues

    rng = np.random.default_rng(seed)
    stack = CommandStack()
    for row in rng.choice(len(layer), 1000, replace=False):
        field = ("状态", "责任人", "读数")[int(row) % 3]
        value = {"状态": "损坏", "责任人": f"李四{seed}", "读数": 42.0 + seed}[field]
        stack.push(SetValues(layer, [int(row)], field, value))
    return stack


def measure(n: int, repeat: int) -> dict:
    from benchmarks.editing import make_store
    from twinviewer.demo.generator import generate_district
    from twinviewer.io.loader import load, spec_for
    from twinviewer.io.vector import read_vector
    from twinviewer.store import GeoPackageStore
    from twinviewer.store.pg_cluster import PGCluster
    from twinviewer.store.pg_publish import publish, write_scene
    from twinviewer.store.postgis import PostGISStore

    with tempfile.TemporaryDirectory(prefix="twinviewer-pgbench-") as tmp, PGCluster() as pg:
        os.environ.update(pg.env())
        tmp = Path(tmp)
        scene = generate_district(tmp / "district", objects=n)
        objects = sum(len(lyr) for lyr in load(spec_for([scene])).layers)  # warm caches
        url = pg.create_database("bench_load")
        t = time.perf_counter()
        publish(scene, url)
        publish_s = time.perf_counter() - t
        pg_scene = write_scene(scene, url, tmp / "pg.toml")
        gpkg_load, pg_load = [], []
        for _ in range(repeat):
            t = time.perf_counter()
            load(spec_for([scene]))
            gpkg_load.append(time.perf_counter() - t)
            t = time.perf_counter()
            result = load(spec_for([pg_scene]))
            pg_load.append(time.perf_counter() - t)
            assert not result.errors and sum(len(lyr) for lyr in result.layers) == objects

        master = make_store(tmp, n)
        edits_url = pg.create_database("bench_edits")
        publish(master, edits_url)
        gpkg_save, pg_save = [], []
        for i in range(repeat):
            path = tmp / f"run{i}.gpkg"
            shutil.copy(master, path)
            [layer] = read_vector(path)
            stack = _edits(layer, i)
            t = time.perf_counter()
            GeoPackageStore(path).save(stack)
            gpkg_save.append(time.perf_counter() - t)

            store = PostGISStore(edits_url)
            layer = store.read_layer("furniture")
            stack = _edits(layer, i)
            store.tables()  # connected and the table known, as in an open window
            store._table("furniture")
            t = time.perf_counter()
            report = store.save(stack)
            pg_save.append(time.perf_counter() - t)
            assert report.log_rows >= 990, report
            store.close()
    med = statistics.median
    return {"objects": objects, "postgis_load_100k_s": med(pg_load),
            "gpkg_load_100k_s": med(gpkg_load),
            "postgis_save_1000_edits_ms": med(pg_save) * 1000.0,
            "gpkg_save_1000_edits_ms": med(gpkg_save) * 1000.0,
            "postgis_publish_s": publish_s}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.postgis", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    f = measure(args.objects, args.repeat)
    print(f"{'objects':28s} {f['objects']:10,d}")
    for key in ("postgis_load_100k_s", "gpkg_load_100k_s", "postgis_publish_s"):
        print(f"{key:28s} {f[key]:10.2f} s")
    for key in ("postgis_save_1000_edits_ms", "gpkg_save_1000_edits_ms"):
        print(f"{key:28s} {f[key]:10.1f} ms")
    print(f"ratio load {f['postgis_load_100k_s'] / f['gpkg_load_100k_s']:.2f} x, save "
          f"{f['postgis_save_1000_edits_ms'] / f['gpkg_save_1000_edits_ms']:.2f} x "
          "(target: each <= 2 x the GeoPackage figure, issue 7)")
    if args.json:
        args.json.write_text(json.dumps(f, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
