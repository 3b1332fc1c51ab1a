"""Editing figures (issue 4): ``python -m benchmarks.editing [--objects N] [--json F]``.

- ``save_1000_edits_ms``: 1,000 single-object edits (random objects and fields) saved
  in one transaction, edit log included;
- ``bulk_set_100k_ms``: one field set on all N objects (one command) and saved;
- ``undo_bulk_100k_ms``: undoing that bulk edit in the model.

The store is a GeoPackage of N point objects written with pyogrio in a temp folder.
Medians of ``--repeat`` runs, each on a fresh copy of the store.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely

STATUS = np.array(["正常", "损坏", "维修中"], dtype=object)


def make_store(folder: Path, n: int) -> Path:
    """A GeoPackage with ``n`` street-furniture points and a few typed fields."""
    rng = np.random.default_rng(1)
    path = folder / "edits.gpkg"
    xy = rng.uniform(0, 2000, (n, 2)) + (350000, 3455000)
    fields = {
        "oid": np.arange(1, n + 1, dtype=np.int64),
        "编号": np.array([f"LD-{i:06d}" for i in range(n)], dtype=object),
        "类别": np.full(n, "路灯", dtype=object),
        "状态": STATUS[rng.integers(0, 3, n)],
        "责任人": np.full(n, "张三", dtype=object),
        "读数": rng.uniform(0, 100, n),
    }
    pyogrio.raw.write(path, geometry=shapely.to_wkb(shapely.points(xy)), field_data=list(
        fields.values()), fields=list(fields), layer="furniture", driver="GPKG",
        crs="EPSG:32651", geometry_type="Point")
    return path


def measure(n: int, repeat: int) -> dict:
    from twinviewer.core.edits import CommandStack, SetValues
    from twinviewer.io.vector import read_vector
    from twinviewer.store import GeoPackageStore

    with tempfile.TemporaryDirectory() as tmp:
        master = make_store(Path(tmp), n)
        save_1000, bulk, undo = [], [], []
        for i in range(repeat):
            path = Path(tmp) / f"run{i}.gpkg"
            shutil.copy(master, path)
            [layer] = read_vector(path)
            rng = np.random.default_rng(i)
            stack = CommandStack()
            for row in rng.choice(len(layer), 1000, replace=False):
                field = ("状态", "责任人", "读数")[int(row) % 3]
                value = {"状态": "损坏", "责任人": "李四", "读数": 42.0}[field]
                stack.push(SetValues(layer, [int(row)], field, value))
            t = time.perf_counter()
            GeoPackageStore(path).save(stack)
            save_1000.append(time.perf_counter() - t)

            t = time.perf_counter()
            stack.push(SetValues(layer, np.arange(len(layer)), "状态", "已整改"))
            GeoPackageStore(path).save(stack)
            bulk.append(time.perf_counter() - t)

            t = time.perf_counter()
            stack.undo()
            undo.append(time.perf_counter() - t)
    ms = 1000.0
    return {"save_1000_edits_ms": statistics.median(save_1000) * ms,
            "bulk_set_100k_ms": statistics.median(bulk) * ms,
            "undo_bulk_100k_ms": statistics.median(undo) * ms, "objects": n}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.editing", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    figures = measure(args.objects, args.repeat)
    for key, value in figures.items():
        unit = "" if key == "objects" else " ms"
        print(f"{key:24s} {value:10.1f}{unit}" if unit else f"{key:24s} {value:10,d}")
    print("target: each <= 1000 ms (issue 4)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
