"""``twinviewer analyse ...`` on a copy of the demo scene, checked with pyogrio reads of the store."""

import json
import shutil
from pathlib import Path

import numpy as np
import pyogrio
import pytest

from twinviewer.cli import main

DEMO = Path(__file__).resolve().parents[2] / "scenes" / "demo"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "demo"
    shutil.copytree(DEMO, out)
    return out


def run_json(capsys, *argv) -> dict:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def _height_limit(capsys, demo, *extra) -> dict:
    wkt = "POLYGON((340000 3440000,360000 3440000,360000 3470000,340000 3470000,340000 3440000))"
    out = run_json(capsys, "analyse", "height-limit", str(demo / "scene.toml"), "--polygon", wkt,
                   "--height", "40", "--layers", "建筑", "--json", *extra)
    return {b["oid"]: b["excess"] for b in out["above"]["建筑"]}


def _demo_ground(demo, df) -> np.ndarray:
    """Independently: the demo stands on its DEM, each building on the lowest ground under
    its outline (bilinear between cell centres)."""
    import rasterio
    import shapely
    from scipy.ndimage import map_coordinates

    with rasterio.open(demo / "dem.tif") as dem:
        z, inverse = dem.read(1).astype(float), ~dem.transform
    ground = []
    for poly in df.geometry:
        xy = shapely.get_coordinates(poly.exterior)
        col, row = inverse * (xy[:, 0], xy[:, 1])
        ground.append(map_coordinates(z, [row - 0.5, col - 0.5], order=1, mode="nearest").min())
    return np.asarray(ground)


def _check_excess(got: dict, keys, top: np.ndarray, limit: float) -> None:
    clear = np.abs(top - limit) > 0.05  # leave out roofs within 5 cm of the limit
    expected = {k: t - limit for k, t, c in zip(keys, top, clear, strict=True)
                if t > limit and c}
    near = {k for k, c in zip(keys, clear, strict=True) if not c}
    assert set(got) - near == set(expected) and len(got) > 0
    assert [got[k] for k in expected] == pytest.approx(list(expected.values()), abs=0.05)


def test_height_limit_against_the_height_attribute(demo, capsys):
    df = pyogrio.read_dataframe(demo / "district.gpkg", layer="buildings", fid_as_index=True)
    height = df["高度"].to_numpy(float)
    # above the ground (the default): the roof's height over the DEM where the building
    # stands, which is its 高度 (each roof corner over the lowest ground of the outline)
    _check_excess(_height_limit(capsys, demo), df.index, height, 40.0)
    # an absolute elevation: the roof's own z, ground included
    _check_excess(_height_limit(capsys, demo, "--absolute"), df.index,
                  _demo_ground(demo, df) + height, 40.0)


def test_sunlight_saved_with_parameters_in_the_log(demo, capsys):
    out = run_json(capsys, "analyse", "sunlight", str(demo / "scene.toml"), "--preset", "dahan2",
                   "--year", "2026", "--where", "oid <= 30", "--json", "--save",
                   "--user", "规划员")
    assert out["params"]["day"] == "2026-01-20" and out["params"]["threshold"] == 2.0
    assert out["buildings"] == 30 and out["instants"] == 33
    df = pyogrio.read_dataframe(demo / "district.gpkg", layer="buildings", fid_as_index=True)
    assert "日照_1F" in df.columns and "日照_最少" in df.columns
    low = set(df.index[(df["日照_最少"] < 2.0)].tolist())
    assert low == {b["oid"] for b in out["below_threshold"]}
    assert df.loc[df.index > 30, "日照_最少"].isna().all()
    assert main(["log", str(demo / "district.gpkg"), "--layer", "buildings", "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert any(e["user"] == "规划员" and '"preset":"dahan2"' in e["label"] for e in log)


def test_coverage_layers_in_the_store(demo, capsys):
    out = run_json(capsys, "analyse", "coverage", str(demo / "scene.toml"), "--json", "--save")
    assert out["params"]["n"] == 139
    assert all(0 <= c["ground_share"] <= 1 for c in out["compounds"])
    cov = pyogrio.read_dataframe(demo / "district.gpkg", layer="analysis_coverage")
    assert len(cov) == 139
    assert cov.geometry.union_all().area == pytest.approx(out["covered_area"], rel=1e-6)
    blind = pyogrio.read_dataframe(demo / "district.gpkg", layer="analysis_blind_roads")
    assert blind.geometry.length.sum() == pytest.approx(out["blind_road_length"], rel=1e-6)
    comp = pyogrio.read_dataframe(demo / "district.gpkg", layer="compounds")
    assert np.allclose(comp["监控覆盖率"].fillna(-1).to_numpy(),
                       [c["ground_share"] if c["ground_share"] is not None else -1
                        for c in out["compounds"]], atol=1e-4)


def test_sightline_and_measure(demo, capsys):
    out = run_json(capsys, "analyse", "sightline", str(demo / "scene.toml"),
                   "--from", "350300,3455100,400", "--to", "350500,3455300,400", "--json")
    assert out["visible"] and out["distance"] == pytest.approx(np.hypot(200, 200))
    out = run_json(capsys, "analyse", "measure", "area", str(demo / "scene.toml"),
                   "--points", "350300,3455100,0;350400,3455100,0;350400,3455150,0", "--json")
    assert out["horizontal"] == pytest.approx(2500.0)


def test_bad_input_is_one_line(demo, capsys):
    assert main(["analyse", "sunlight", str(demo / "scene.toml"), "--preset", "nope"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]
    assert main(["analyse", "measure", "distance", str(demo / "scene.toml"),
                 "--points", "a,b"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
