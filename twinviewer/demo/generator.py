"""Deterministic generator of a fictional Shanghai sub-district (虹梓街道) digital twin.

The district is a grid of named roads (主干路/次干路/支路) whose blocks are split into
lots: residential compounds (小区) filled with rows of six-floor walk-ups, mid-rises or
towers, and a few school, commercial and office lots.  Street furniture stands along
both sides of every road; cameras, sensors, population points, key points and safety
hazards are overlays, and a resident-level layer of special-care residents (重点人群:
names, ID numbers and phone numbers, marked sensitive in the GeoPackage schema) sits
inside the homes, one marker per person at their floor.  Everything is built with numpy arrays (no per-object geometry
loops) from one seeded :class:`numpy.random.Generator`, so the same arguments give the
same file.

The size of the street grid follows the requested object count; the street-tree
spacing (6-12 m) then trims the total to just above the target.

Coordinates are EPSG:32651 (WGS 84 / UTM 51N) around Shanghai's Xuhui/Minhang border.
The parts live in their own modules: :mod:`~twinviewer.demo.names`,
:mod:`~twinviewer.demo.residents`, :mod:`~twinviewer.demo.streets` (the street grid),
:mod:`~twinviewer.demo.lots` (lots, compounds, buildings, population),
:mod:`~twinviewer.demo.overlays` (furniture, cameras, sensors, key points, hazards) and
:mod:`~twinviewer.demo.scene_document`; this module lays them out in a fixed order
(the order of the random draws is part of the output), sizes the district and writes
the files.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
import tomli_w

from twinviewer.demo.lots import _buildings, _compounds, _lots, _population
from twinviewer.demo.overlays import (
    FURNITURE_CLASSES,
    HAZARD_TYPES,
    SENSOR_TYPES,
    _cameras,
    _crossings,
    _finish_furniture,
    _furniture,
    _hazards,
    _key_points,
    _sensors,
)
from twinviewer.demo.residents import SENSITIVE_FIELDS, _residents
from twinviewer.demo.scene_document import _scene_document
from twinviewer.demo.streets import (
    GRADES,
    TREE_SPACING,
    _Grid,
    _grid_shape,
    _make_grid,
    _make_sides,
    _roads,
    _segments,
    _Sides,
    _tree_count,
    _tree_spacing,
)
from twinviewer.demo.tables import (
    CENTRE,
    CRS,
    DISTRICT_NAME,
    GPKG_NAME,
    ROTATION_DEG,
    SCENE_NAME,
    _Table,
)

# The constants stay importable from here, where they lived before the split.
__all__ = ["generate_district", "DISTRICT_NAME", "CRS", "GRADES", "TREE_SPACING",
           "FURNITURE_CLASSES", "SENSOR_TYPES", "HAZARD_TYPES", "SENSITIVE_FIELDS"]

Progress = Callable[[float, str], None]


@dataclass
class _Layout:
    grid: _Grid
    sides: _Sides
    tables: dict[str, _Table]
    furniture: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]
    rng: np.random.Generator

    def count(self) -> int:
        return sum(len(t) for t in self.tables.values()) + sum(
            len(p[0]) for p in self.furniture.values())


def _layout(nx: int, ny: int, seed: int) -> _Layout:
    """Lay out an ``nx`` x ``ny`` block district, object kind by object kind.

    All parts draw from one generator in this order, so reordering them changes the
    district.
    """
    rng = np.random.default_rng(seed)
    g = _make_grid(nx, ny, rng)
    seg = _segments(g)
    sides = _make_sides(g, seg)
    tables: dict[str, _Table] = {"roads": _roads(g, seg)}
    lots = _lots(g, rng)
    buildings, tables["buildings"] = _buildings(g, lots, rng)
    tables["compounds"] = _compounds(lots, buildings, rng)
    tables["population"] = _population(buildings, rng)
    furn = _furniture(sides, lots, rng)
    crossings = _crossings(g, rng)
    tables["cameras"] = _cameras(g, sides, lots, crossings)
    tables["sensors"] = _sensors(sides, buildings, crossings, rng)
    tables["key_points"] = _key_points(lots, rng)
    tables["hazards"] = _hazards(sides, buildings, rng)
    return _Layout(g, sides, tables, furn, rng)


def _plan(target: int, seed: int) -> tuple[_Layout, float]:
    """Grow or shrink the street grid until street trees ~8.5 m apart fill the target."""
    blocks = max(4, round(target / 300))
    tried: dict[tuple[int, int], tuple[float, _Layout, float]] = {}
    for _ in range(8):
        shape = _grid_shape(blocks)
        if shape in tried:
            break
        lay = _layout(*shape, seed)
        n0 = lay.count()
        spacing = _tree_spacing(lay.sides, target - n0)
        trees = _tree_count(lay.sides, spacing)
        miss = abs(n0 + trees - target) / target
        tried[shape] = (miss + abs(math.log(spacing / 8.5)) * 0.01, lay, spacing)
        lo, hi = TREE_SPACING
        if miss < 0.02 and lo + 1.5 <= spacing <= hi - 2.0:
            break
        per_block = (n0 + _tree_count(lay.sides, 8.5)) / (shape[0] * shape[1])
        blocks = max(4, round(target / per_block))
    _, lay, spacing = min(tried.values(), key=lambda v: v[0])
    return lay, spacing



def _world(lay: _Layout):
    g = lay.grid
    c = np.array([(g.xs[0] + g.xs[-1]) / 2.0, (g.ys[0] + g.ys[-1]) / 2.0])
    a = math.radians(ROTATION_DEG)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
    centre = np.asarray(CENTRE)

    def to_world(xy: np.ndarray) -> np.ndarray:
        return (xy - c) @ rot.T + centre

    return to_world


def _geometries(tab: _Table, to_world) -> np.ndarray:
    if tab.geometry_type == "Point":
        xy = to_world(tab.coords)
        if tab.z is not None:
            return shapely.points(xy[:, 0], xy[:, 1], np.asarray(tab.z, dtype=float))
        return shapely.points(xy)
    if tab.geometry_type == "LineString":
        return shapely.linestrings(to_world(tab.coords))
    x0, y0, x1, y1 = tab.coords.T
    ring = np.stack([np.column_stack(p) for p in
                     ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0))], axis=1)
    return shapely.polygons(to_world(ring))


_WRITE_ORDER = ("compounds", "buildings", "roads", "street_furniture", "cameras", "sensors",
                "population", "key_points", "hazards", "residents")


def generate_district(out_dir, *, objects: int = 6000, seed: int = 20261125,
                      progress: Progress | None = None) -> Path:
    """Write ``district.gpkg`` and ``scene.toml`` for a demo sub-district into ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        Folder to write into (created if needed; existing demo files are replaced).
    objects : int
        Approximate total number of objects over all layers but the resident layer
        (the result is at least this many, within a few percent, for targets from
        about 3,000 upwards); the special-care residents add about 5% on top.
    seed : int
        Seed of the random generator; equal arguments give equal files.
    progress : callable(fraction, message), optional
        Called as the work advances, fraction from 0.0 to 1.0.

    Returns
    -------
    pathlib.Path
        The scene file.
    """
    if objects < 1:
        raise ValueError(f"objects must be positive, got {objects}")
    report = progress or (lambda fraction, message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    report(0.0, "规划路网、地块与建筑")
    lay, spacing = _plan(int(objects), int(seed))
    report(0.4, "布置街道设施")
    tables = dict(lay.tables)
    tables["street_furniture"] = _finish_furniture(lay.grid, lay.sides, lay.furniture, lay.rng,
                                                   spacing)
    tables["residents"] = _residents(tables["buildings"], np.random.default_rng([int(seed), 5]))
    to_world = _world(lay)

    gpkg = out / GPKG_NAME
    for stale in (gpkg, out / SCENE_NAME):
        stale.unlink(missing_ok=True)
    for k, name in enumerate(_WRITE_ORDER):
        tab = tables[name]
        report(0.45 + 0.5 * k / len(_WRITE_ORDER), f"写入图层 {name}")
        keys = list(tab.fields)
        pyogrio.raw.write(
            gpkg, geometry=shapely.to_wkb(_geometries(tab, to_world)),
            field_data=[tab.fields[key] for key in keys], fields=keys, layer=name,
            driver="GPKG", crs=CRS, append=k > 0,
            geometry_type=tab.geometry_type + (" Z" if tab.z is not None else ""),
            promote_to_multi=False,
        )
    from twinviewer.store import GeoPackageStore

    GeoPackageStore(gpkg).mark_sensitive("residents", SENSITIVE_FIELDS)
    origin = [float(round(CENTRE[0] / 100.0) * 100.0), float(round(CENTRE[1] / 100.0) * 100.0),
              0.0]
    from twinviewer.demo.ground import put_on_ground
    from twinviewer.demo.sweep import add_live_demo  # cases and IoT estate (issue 14)

    document = add_live_demo(gpkg, _scene_document(origin), seed=int(seed))
    document = put_on_ground(document, out, gpkg, CRS, CENTRE)
    scene = out / SCENE_NAME
    scene.write_bytes(tomli_w.dumps(document).encode("utf-8"))
    report(1.0, "完成")
    return scene


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m twinviewer.demo.generator",
        description=f"Generate the {DISTRICT_NAME} demo district (GeoPackage + scene.toml).")
    parser.add_argument("out", type=Path, help="output folder")
    parser.add_argument("--objects", type=int, default=6000, help="approximate object count")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    scene = generate_district(args.out, objects=args.objects, seed=args.seed)
    total = 0
    for name in _WRITE_ORDER:
        n = pyogrio.read_info(scene.parent / GPKG_NAME, layer=name)["features"]
        total += n
        print(f"{name:18s}{n:8d}")
    print(f"{'total':18s}{total:8d}  ({time.perf_counter() - start:.2f} s) -> {scene}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
