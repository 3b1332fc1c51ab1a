"""``twinviewer query`` against an independent geopandas/shapely computation.

The oracle reads the GeoPackage (or Shapefile) with geopandas/pyogrio and the
scene file with tomllib, never through twinviewer: an object is inside the area
when its geometry is covered by the area grown by 1 cm (the areas here are convex,
so that is "every vertex inside").  Sums follow the summary's documented rule: a
field is summed over the selected layer with most objects having it (the first in
scene order on a tie).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import shapely

from tests.conftest import DEMO_SCENE

gpd = pytest.importorskip("geopandas")

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

GPKG = DEMO_SCENE.parent / "district.gpkg"


def run(*args):
    return subprocess.run([sys.executable, "-m", "twinviewer", "query", *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TWINVIEWER_LANG": "en"})


def query_json(*args) -> dict:
    proc = run(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert list(out) == ["objects", "classes", "layers", "sums", "oids"]
    return out


def assert_one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("twinviewer: error:"), proc.stderr
    for w in words:
        assert w in lines[0], lines[0]


@pytest.fixture(scope="module")
def demo():
    """(scene layer entries, {layer name: GeoDataFrame indexed by fid}) of the demo."""
    doc = tomllib.loads(DEMO_SCENE.read_text(encoding="utf-8"))
    frames = {e["name"]: gpd.read_file(GPKG, layer=e["table"], engine="pyogrio",
                                       fid_as_index=True) for e in doc["layers"] if "table" in e}
    return [e for e in doc["layers"] if "table" in e], frames  # the DEM and photo: no objects


def oracle(entries, frames, area, fields=("户数", "人口"), where=None) -> dict:
    """What the summary of the objects inside ``area`` must be, computed with geopandas."""
    grown = area.buffer(0.01)
    layers, oids, classes, have = {}, {}, Counter(), {}
    for e in entries:
        gdf = frames[e["name"]]
        inside = gdf[gdf.geometry.covered_by(grown)]
        if where is not None:
            names, test = where
            if not set(names) <= set(gdf.columns):
                continue
            inside = inside[test(inside)]
        if not len(inside):
            continue
        layers[e["name"]] = len(inside)
        oids[e["name"]] = sorted(int(i) for i in inside.index)
        cf = e.get("class_field")
        classes.update(inside[cf].astype(str) if cf else [e["name"]] * len(inside))
        for f in fields:
            if f in inside.columns and inside[f].dtype.kind in "iuf" and \
                    len(inside) > len(have.get(f, ())):
                have[f] = inside[f]
    sums = {f: have[f].sum().item() for f in fields if f in have}
    return {"objects": sum(layers.values()), "classes": dict(classes), "layers": layers,
            "sums": sums, "oids": oids}


def assert_same(got: dict, want: dict) -> None:
    assert got["objects"] == want["objects"]
    assert got["layers"] == want["layers"]
    assert list(got["layers"]) == list(want["layers"])  # scene order
    assert got["oids"] == want["oids"]
    assert got["classes"] == want["classes"]
    assert set(got["sums"]) == set(want["sums"])
    for f, v in want["sums"].items():
        assert got["sums"][f] == pytest.approx(v, rel=1e-9), f


@pytest.mark.parametrize("oid", [3, 17])
def test_compound_equals_geopandas(demo, oid):
    entries, frames = demo
    compounds = frames["小区"]
    area = compounds.geometry.loc[oid]
    got = query_json(DEMO_SCENE, "--within", f"小区:{oid}")
    want = oracle(entries, frames, area)
    assert_same(got, want)
    # the compound, its homes, their population points and their special-care residents
    assert got["layers"]["小区"] == 1 and got["oids"]["小区"] == [oid]
    name = compounds.loc[oid, "名称"]
    buildings = frames["建筑"]
    assert got["oids"]["建筑"] == sorted(buildings.index[buildings["小区"] == name].tolist())
    homes = set(buildings.loc[buildings["小区"] == name, "名称"])
    residents = frames["重点人群"]
    assert got["oids"].get("重点人群", []) == \
        sorted(residents.index[residents["楼栋"].isin(homes)].tolist())
    # and the sums are the compound's own figures
    assert got["sums"] == {"户数": int(compounds.loc[oid, "户数"]),
                           "人口": int(compounds.loc[oid, "人口"])}
    # the table name works as well as the layer name
    assert query_json(DEMO_SCENE, "--within", f"compounds:{oid}") == got


def test_where_keeps_matching_objects_of_layers_that_have_the_fields(demo):
    entries, frames = demo
    expr = "年龄 >= 80 and 独居 = 1"
    residents = frames["重点人群"]
    wanted = residents[(residents["年龄"] >= 80) & (residents["独居"] == 1)]
    # a compound with at least one such resident
    compounds = frames["小区"]
    oid = next(int(i) for i, g in compounds.geometry.items()
               if wanted.geometry.covered_by(g.buffer(0.01)).any())
    got = query_json(DEMO_SCENE, "--within", f"小区:{oid}", "--where", expr,
                     "--sum", "年龄")
    want = oracle(entries, frames, compounds.geometry.loc[oid], fields=("年龄",),
                  where=(("年龄", "独居"), lambda d: (d["年龄"] >= 80) & (d["独居"] == 1)))
    assert_same(got, want)
    assert list(got["layers"]) == ["重点人群"] and got["objects"] >= 1
    # a field several layers have: each of them is filtered, the others left out
    got = query_json(DEMO_SCENE, "--within", f"小区:{oid}", "--where", "人口 > 150")
    want = oracle(entries, frames, compounds.geometry.loc[oid],
                  where=(("人口",), lambda d: d["人口"] > 150))
    assert_same(got, want)
    assert set(got["layers"]) <= {"小区", "建筑", "人口"}


def test_wkt_in_scene_crs(demo):
    entries, frames = demo
    doc = tomllib.loads(DEMO_SCENE.read_text(encoding="utf-8"))
    x0, y0 = doc["origin"][0] - 250.0, doc["origin"][1] - 120.0
    area = shapely.box(x0, y0, x0 + 330.0, y0 + 270.0)
    got = query_json(DEMO_SCENE, "--within-wkt", area.wkt)
    want = oracle(entries, frames, area)
    assert want["objects"] > 100 and len(want["layers"]) >= 5
    assert_same(got, want)
    # the plain output says the same figures
    proc = run(DEMO_SCENE, "--within-wkt", area.wkt)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{want['objects']} objects within the polygon")
    for name, n in want["layers"].items():
        assert f"  {name}: {n}\n" in proc.stdout
    assert f"人口: total {want['sums']['人口']:,}" in proc.stdout


def test_real_shapefile_equals_geopandas(shared_data):
    path = shared_data / "fiona-testdata" / "coutwildrnp.shp"
    # a geographic file: the scene CRS is its UTM zone (12N here, the zone of its centre)
    gdf = gpd.read_file(path, engine="pyogrio", fid_as_index=True).to_crs("EPSG:32612")
    area = shapely.Polygon([(500_000, 4_200_000), (800_000, 4_200_000),
                            (800_000, 4_500_000), (500_000, 4_500_000)])
    inside = gdf[gdf.geometry.covered_by(area.buffer(0.01))]
    assert 0 < len(inside) < len(gdf)
    got = query_json(path, "--within-wkt", area.wkt, "--sum", "AREA,PERIMETER")
    assert got["objects"] == len(inside)
    assert got["layers"] == {"coutwildrnp": len(inside)}
    assert got["oids"] == {"coutwildrnp": sorted(int(i) for i in inside.index)}
    assert got["sums"]["AREA"] == pytest.approx(inside["AREA"].sum(), rel=1e-9)
    assert got["sums"]["PERIMETER"] == pytest.approx(inside["PERIMETER"].sum(), rel=1e-9)
    co = inside[inside["STATE"] == "CO"]
    got = query_json(path, "--within-wkt", area.wkt, "--where", "STATE = 'CO'")
    assert got["oids"] == {"coutwildrnp": sorted(int(i) for i in co.index)}
    # a MultiPolygon of two boxes counts what either covers
    left = shapely.box(500_000, 4_200_000, 650_000, 4_500_000)
    right = shapely.box(650_000, 4_200_000, 800_000, 4_500_000)
    multi = shapely.MultiPolygon([left, right])
    either = gdf[gdf.geometry.covered_by(left.buffer(0.01)) |
                 gdf.geometry.covered_by(right.buffer(0.01))]
    got = query_json(path, "--within-wkt", multi.wkt)
    assert got["oids"] == {"coutwildrnp": sorted(int(i) for i in either.index)}
    assert np.isin(got["oids"]["coutwildrnp"], inside.index).all()


@pytest.mark.parametrize("args, words", [
    (["--within-wkt", "POLYGON((1 2, 3"], ["--within-wkt", "WKT"]),
    (["--within-wkt", "POINT (1 2)"], ["Point", "Polygon"]),
    (["--within", "小x:3"], ["--within", "小x", "小区"]),
    (["--within", "小区:99999"], ["--within", "99999"]),
    (["--within", "小区"], ["LAYER:OID"]),
    (["--within", "人口:3"], ["no area"]),
    (["--within", "小区:3", "--where", "年令 >= 80"], ["--where", "年龄", "column 1"]),
    (["--within", "小区:3", "--where", "人口 > 1 and (户数 < 3"], ["never closed",
                                                                "column 12"]),
    (["--within", "小区:3", "--where", "类别 = 住宅楼"], ["quotes"]),
    (["--within", "小区:3", "--where", "人口 >> 3"], ["--where", "syntax error"]),
    (["--within", "小区:3", "--sum", "人囗"], ["--sum", "人囗"]),
])
def test_errors_are_one_line_exit_2(args, words):
    assert_one_line_error(run(DEMO_SCENE, *args), *words)


def test_usage_errors():
    proc = run(DEMO_SCENE)  # neither --within nor --within-wkt
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run(DEMO_SCENE, "--within", "小区:3", "--within-wkt", "POLYGON((0 0,1 0,1 1,0 0))")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert_one_line_error(run(DEMO_SCENE.parent / "missing.toml", "--within", "小区:3"),
                          "missing.toml")
