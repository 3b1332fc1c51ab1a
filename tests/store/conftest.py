"""Fixtures for the store tests: small real GeoPackages made through ``import``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

from twinviewer.store import GeoPackageStore, import_layers

STATUS = ["正常", "损坏", "待修"]


def write_facilities(path: Path, n: int, *, seed: int = 0) -> Path:
    """A GeoJSON of ``n`` street-furniture points (UTM 51N) with typed Chinese fields."""
    rng = np.random.default_rng(seed)
    xy = np.column_stack([350_000 + rng.random(n) * 1000, 3_455_000 + rng.random(n) * 1000])
    geoms = shapely.to_wkb(shapely.points(xy))
    fields = ["名称", "类别", "高度", "层数", "启用", "检查日期", "状态"]
    data = [
        np.array([f"设施{i}号" for i in range(n)], dtype=object),
        np.array([["路灯", "垃圾桶", "消防栓"][i % 3] for i in range(n)], dtype=object),
        np.round(rng.random(n) * 10, 2),
        (np.arange(n) % 5).astype(np.int32),
        np.arange(n) % 2 == 0,
        np.array([f"2024-01-0{1 + i % 9}" for i in range(n)], dtype="datetime64[D]"),
        np.array([STATUS[i % 3] for i in range(n)], dtype=object),
    ]
    pyogrio.raw.write(path, geometry=geoms, field_data=data, fields=fields, layer="设施",
                      driver="GeoJSON", crs="EPSG:32651", geometry_type="Point")
    return path


def make_store(folder: Path, n: int = 30, name: str = "district.gpkg") -> Path:
    """A one-table GeoPackage ``设施`` (oids 0..n-1) with an enum on 状态."""
    src = write_facilities(folder / "设施.geojson", n)
    store = folder / name
    import_layers([src], store, name="设施")
    GeoPackageStore(store).declare_enum("设施", "状态", STATUS)
    return store


@pytest.fixture
def store_path(tmp_path) -> Path:
    return make_store(tmp_path)


def run_cli(*args, timeout=120, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def one_error_line(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("twinviewer:")]
    assert len(lines) == 1, proc.stderr
    return lines[0]
