"""``twinviewer import``: vector and CityJSON files into a GeoPackage, checked against pyogrio/json."""

from __future__ import annotations

import json
import shutil
import sqlite3
import warnings
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely

from tests.store.conftest import one_error_line, run_cli
from twinviewer.io.vector import read_vector
from twinviewer.store import GeoPackageStore, StoreError, import_layers

VECTOR_FILES = [
    "nts-shapefile-tests/chinese_encoding.shp",  # GBK by the DBF code page byte, no .cpg
    "nts-shapefile-tests/Victoria North.shp",
    "nts-shapefile-tests/AllNulls.shp",  # no .shx
    "nts-shapefile-tests/__emptyShapefile.shp",
    "nts-shapefile-tests/with_M.shp",
    "nts-shapefile-tests/shape_PointZM.shp",
    "nts-shapefile-tests/afvalbakken.shp",
    "pyshp-tests/latin1.shp",
    "fiona-testdata/coutwildrnp.shp",
    "fiona-testdata/gre.shp",
    "fiona-testdata/grenada.geojson",
    "fiona-testdata/rmnp.geojson",
    "fiona-testdata/test_tz.geojson",
    "fiona-testdata/trio.seq",
    "fiona-testdata/example.topojson",
    "pyogrio-fixtures/naturalearth_lowres/naturalearth_lowres.shp",
    "pyogrio-fixtures/curve.gpkg",
    "pyogrio-fixtures/line_zm.gpkg",
    "pyogrio-fixtures/test_gpkg_nulls.gpkg",
    "pyogrio-fixtures/sample.osm.pbf",
]

CITYJSON_FILES = [
    "cjval/japanese.city.json",
    "cjseq/3dbag_b2.city.jsonl",
    "cjio/multi_lod.json",
    "cjio/delft_1b.json",
    "cjio/zurich/zurich_subset_lod2.json",
    "cjio/dummy/dummy.json",
    "cityjson-threejs-loader/mt.json",
    "cityjson-website/twobuildings.city.json",
]


def oracle_read(path: Path, layer: str, tmp_path: Path):
    """pyogrio's own read of a source layer (a lost .shx restored in a copy)."""
    pyogrio.set_gdal_config_options({"OSM_USE_CUSTOM_INDEXING": "NO"})
    if path.suffix == ".shp" and not path.with_suffix(".shx").exists():
        copy = tmp_path / "oracle"
        copy.mkdir(exist_ok=True)
        for sib in path.parent.glob(path.stem + ".*"):
            shutil.copy(sib, copy / sib.name)
        pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": "YES"})
        try:
            return pyogrio.raw.read(copy / path.name, layer=layer, return_fids=True)
        finally:
            pyogrio.set_gdal_config_options({"SHAPE_RESTORE_SHX": None})
    return pyogrio.raw.read(path, layer=layer, return_fids=True)


def same_values(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return np.allclose(a.astype(float), b.astype(float), rtol=1e-6, equal_nan=True)
    if a.dtype.kind == "M" or b.dtype.kind == "M":
        return np.array_equal(a.astype("datetime64[ms]"), b.astype("datetime64[ms]"),
                              equal_nan=True)
    return a.tolist() == b.tolist()


def coords(wkb) -> np.ndarray | None:
    geom = shapely.from_wkb(wkb, on_invalid="ignore")  # GEOS refuses 2-point rings
    return None if geom is None else shapely.get_coordinates(geom, include_z=True)


@pytest.mark.parametrize("rel", VECTOR_FILES)
def test_vector_round_trip(shared_data, tmp_path, rel):
    src = shared_data / rel
    store = tmp_path / "区.gpkg"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = import_layers([src], store)
    multi = len(results) > 1
    assert sorted(r.table for r in results) == sorted(str(n) for n, _ in
                                                      pyogrio.list_layers(store))
    if multi:
        assert sorted(r.table for r in results) == sorted(str(n) for n, _ in
                                                          pyogrio.list_layers(src))
    for res in results:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta, fids, wkb, data = oracle_read(src, res.table if multi else 0, tmp_path)
            meta2, fids2, wkb2, data2 = pyogrio.raw.read(store, layer=res.table, return_fids=True)
        # count and stable ids: the source feature ids are the oids (GeoPackage rows in oid
        # order; an OSM file lists them in its own order)
        assert len(fids2) == len(fids) == res.objects
        o1, o2 = np.argsort(fids, kind="stable"), np.argsort(fids2, kind="stable")
        fids, wkb, data = fids[o1], None if wkb is None else wkb[o1], [d[o1] for d in data]
        fids2, wkb2, data2 = fids2[o2], None if wkb2 is None else wkb2[o2], [d[o2] for d in data2]
        assert fids2.tolist() == fids.tolist()
        # fields, their types and values (Chinese text included)
        assert list(meta2["fields"]) == list(meta["fields"])
        assert meta2["ogr_types"] == meta["ogr_types"]
        assert meta2["ogr_subtypes"] == meta["ogr_subtypes"]  # bool, int16, float32 kept
        for name, a, b in zip(meta["fields"], data, data2, strict=True):
            assert same_values(a, b), name
        # CRS
        if meta["crs"]:
            assert pyogrio.read_info(store, layer=res.table)["crs"] == meta["crs"]
        # geometry: same coordinates within 1e-6 relative
        if wkb is not None:
            for g1, g2 in zip(wkb, wkb2, strict=True):
                assert (g1 is None) == (g2 is None)
                if g1 is not None and coords(g1) is None:  # unparsable: the very same bytes
                    assert bytes(g1) == bytes(g2)
                elif g1 is not None:
                    np.testing.assert_allclose(coords(g2), coords(g1), rtol=1e-6, atol=1e-9)
    # a valid GeoPackage with the oid as integer primary key
    con = sqlite3.connect(store)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for res in results:
        cols = con.execute(f'PRAGMA table_info("{res.table}")').fetchall()
        assert [(c[1], c[2], c[5]) for c in cols if c[5]] == [("oid", "INTEGER", 1)]
    con.close()


def test_chinese_text_survives_and_the_viewer_reads_the_same_layer(shared_data, tmp_path):
    src = shared_data / "nts-shapefile-tests/chinese_encoding.shp"
    store = tmp_path / "district.gpkg"
    import_layers([src], store, name="区县")
    names = pyogrio.raw.read(store, layer="区县", columns=["NAME99"])[3][0]
    assert "天长市" in names.tolist() and "全椒县" in names.tolist()
    a, b = read_vector(src)[0], read_vector(store, table="区县")[0]
    assert a.table.oid.tolist() == b.table.oid.tolist()
    assert a.table.fields == b.table.fields
    assert a.table.df.equals(b.table.df)
    np.testing.assert_allclose(b.batches[0].points, a.batches[0].points, rtol=1e-9)


def _vertex_indices(node) -> list[int]:
    if isinstance(node, int):
        return [node]
    out: list[int] = []
    for item in node or []:
        out.extend(_vertex_indices(item))
    return out


def _cityjson_documents(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if path.name.endswith(".jsonl"):
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    return [json.loads(text)]


@pytest.mark.parametrize("rel", CITYJSON_FILES)
def test_cityjson_round_trip(shared_data, tmp_path, rel):
    src = shared_data / rel
    store = tmp_path / "city.gpkg"
    (res,) = import_layers([src], store, name="建筑")
    docs = _cityjson_documents(src)
    transform = docs[0].get("transform")
    objects: dict[str, tuple[dict, np.ndarray]] = {}
    for doc in docs:
        verts = np.asarray(doc.get("vertices") or [], dtype=float).reshape(-1, 3)
        if transform:
            verts = verts * np.asarray(transform["scale"]) + np.asarray(transform["translate"])
        for oid, obj in doc.get("CityObjects", {}).items():
            objects[oid] = (obj, verts)
    meta, fids, wkb, data = pyogrio.raw.read(store, layer="建筑", return_fids=True)
    fields = list(meta["fields"])
    assert len(fids) == len(objects) == res.objects
    assert fids.tolist() == list(range(1, len(objects) + 1))
    ids = data[fields.index("cityjson_id")].tolist()
    assert sorted(ids) == sorted(objects)
    assert meta["geometry_type"] == "MultiPolygon Z"
    crs = (docs[0].get("metadata") or {}).get("referenceSystem")
    if crs:
        assert pyogrio.read_info(store, layer="建筑")["crs"] == "EPSG:" + crs.rsplit("/", 1)[-1] \
            .rsplit(":", 1)[-1]
    checked = 0
    for k, oid in enumerate(ids):
        obj, verts = objects[oid]
        assert data[fields.index("type")][k] == obj["type"]
        for key, value in (obj.get("attributes") or {}).items():
            if key in fields and isinstance(value, str | int | float) \
                    and not isinstance(value, bool):
                got = data[fields.index(key)][k]
                assert (float(got) == pytest.approx(float(value))) if not isinstance(value, str) \
                    else got == value, key
        geoms = obj.get("geometry") or []
        used = [i for g in geoms if g.get("type") != "GeometryInstance"
                for i in _vertex_indices(g.get("boundaries"))]
        if wkb[k] is None:
            continue
        got = coords(wkb[k])
        if not used or any(g.get("type") == "GeometryInstance" for g in geoms):
            continue
        ref = verts[np.unique(used)]
        scale = max(1.0, float(np.abs(ref).max()))
        dist = np.abs(got[:, None, :] - ref[None, :, :]).max(axis=2).min(axis=1)
        assert dist.max() <= 1e-6 * scale, oid
        checked += 1
    assert checked or not any(wkb)


def test_import_refuses_clashes_and_unknown_files(shared_data, tmp_path):
    store = tmp_path / "s.gpkg"
    gre = shared_data / "fiona-testdata/gre.shp"
    import_layers([gre], store)
    with pytest.raises(StoreError, match="already has a layer 'gre'.*--replace"):
        import_layers([gre], store)
    import_layers([gre], store, replace=True)
    import_layers([gre], store, name="格林纳达")
    assert GeoPackageStore(store).tables() == ["gre", "格林纳达"]
    with pytest.raises(StoreError, match="cannot be imported"):
        import_layers([shared_data / "trimesh-models/box.obj"], store)
    with pytest.raises(StoreError, match="names one table"):
        import_layers([shared_data / "pyogrio-fixtures/sample.osm.pbf"], store, name="osm")
    with pytest.raises(StoreError, match="file not found"):
        import_layers([tmp_path / "nope.shp"], store)
    with pytest.raises(StoreError, match=r"\.gpkg"):
        import_layers([gre], tmp_path / "x.sqlite")


def test_cli_import(shared_data, tmp_path):
    store = tmp_path / "街道.gpkg"
    shp = shared_data / "nts-shapefile-tests/chinese_encoding.shp"
    city = shared_data / "cjval/japanese.city.json"
    proc = run_cli("import", shp, city, "--into", store)
    assert proc.returncode == 0, proc.stderr
    assert "chinese_encoding  (78 objects, Polygon, no CRS)" in proc.stdout
    assert "japanese  (4 objects, MultiPolygon Z, EPSG:6677)" in proc.stdout
    assert GeoPackageStore(store).tables() == ["chinese_encoding", "japanese"]
    again = run_cli("import", shp, "--into", store)
    assert "already has a layer 'chinese_encoding'" in one_error_line(again)
    proc = run_cli("import", shp, "--into", store, "--layer", "区县")
    assert proc.returncode == 0 and "区县" in GeoPackageStore(store).tables()
    missing = run_cli("import", tmp_path / "无.shp", "--into", store)
    assert "无.shp: file not found" in one_error_line(missing)
