"""PostGIS store against a real throwaway server: publish, open, save, conflicts, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import psycopg
import pytest
import tomllib

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from tests.store.pg_fixtures import DEMO_SCENE
from twinviewer.core.edits import CommandStack, SetValues
from twinviewer.core.errors import LoadError
from twinviewer.io.loader import load, spec_for
from twinviewer.io.scene_file import parse_scene
from twinviewer.store import ConflictError, StoreError, StoreUnavailable
from twinviewer.store.postgis import PostGISStore, has_password, safe_dsn


def pg_scene(url: str) -> dict:
    """The demo scene file's TOML with every GeoPackage layer pointing at ``url``."""
    data = tomllib.loads(DEMO_SCENE.read_text(encoding="utf-8"))
    for entry in data["layers"]:
        if entry["source"].endswith(".gpkg"):
            entry["source"] = url
    return data


def load_pg(url: str):
    return load(parse_scene(pg_scene(url), DEMO_SCENE))


def editor(url: str, table: str, user: str = "tester"):
    store = PostGISStore(url, user=user)
    layer = store.read_layer(table)
    stack = CommandStack()
    stack.declare_schema(layer.name, store.schema(table))
    return store, layer, stack


def test_publish_and_open_same_as_geopackage(twin):
    seen = []
    result = load(parse_scene(pg_scene(twin), DEMO_SCENE),
                  progress=lambda f, m: seen.append(f))
    ref = load(spec_for([DEMO_SCENE]))
    assert not result.errors
    assert [lyr.name for lyr in result.layers] == [lyr.name for lyr in ref.layers]
    for a, b in zip(ref.layers, result.layers, strict=True):
        assert len(a) == len(b), a.name
        assert a.class_field == b.class_field
        assert a.sensitive == b.sensitive
        da, db = a.table.df, b.table.df
        assert list(da.columns) == list(db.columns)
        for col in da.columns:
            x, y = da[col].to_numpy(), db[col].to_numpy()
            if x.dtype.kind in "iuf":
                np.testing.assert_allclose(x.astype(float), y.astype(float), err_msg=col)
            else:
                assert [None if pd.isna(v) else str(v) for v in x] == \
                    [None if pd.isna(v) else str(v) for v in y], col
        assert [type(bb).__name__ for bb in a.batches] == [type(bb).__name__ for bb in b.batches]
        for ba, bb in zip(a.batches, b.batches, strict=True):
            np.testing.assert_allclose(ba.points, bb.points, atol=1e-6)
            np.testing.assert_array_equal(ba.rows, bb.rows)
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_save_writes_log_and_version(twin):
    store, layer, stack = editor(twin, "hazards")
    stack.push(SetValues(layer, [0, 1], "状态", "已整改"))
    report = store.save(stack)
    assert report.changes == 2 and report.log_rows == 2 and stack.is_clean
    oids = layer.table.df["oid"].to_numpy()[:2].tolist()
    assert {o: r["状态"] for o, r in store.fetch("hazards", oids).items()} == \
        dict.fromkeys(oids, "已整改")
    entries = store.log(layer="hazards")
    assert [(e.oid, e.field, e.new, e.user) for e in entries] == \
        [(o, "状态", "已整改", "tester") for o in oids]
    with psycopg.connect(twin, autocommit=True) as conn:  # plain SQL, not the store's
        versions = conn.execute("SELECT version FROM hazards WHERE oid = ANY(%s)",
                                (oids,)).fetchall()
    assert [v[0] for v in versions] == [2, 2]


def test_conflict_same_field_refused_other_fields_and_objects_pass(twin):
    a, la, sa = editor(twin, "hazards", "alice")
    b, lb, sb = editor(twin, "hazards", "bob")
    sa.push(SetValues(la, [0], "状态", "A"))
    a.save(sa)
    sb.push(SetValues(lb, [0], "责任人", "B"))  # other field of the same object
    sb.push(SetValues(lb, [1], "状态", "B"))  # same field of another object
    b.save(sb)
    sb.push(SetValues(lb, [0], "状态", "B2"))  # same field, same object: conflict
    sb.push(SetValues(lb, [2], "状态", "B3"))
    with pytest.raises(ConflictError) as info:
        b.save(sb)
    [c] = info.value.conflicts
    oid0 = int(lb.table.df["oid"].iat[0])
    assert (c.oid, c.field, c.theirs, c.mine) == (oid0, "状态", "A", "B2")
    assert not sb.is_clean
    now = b.fetch("hazards", [oid0, int(lb.table.df["oid"].iat[2])])
    assert now[oid0]["状态"] == "A"  # never overwritten, and nothing of the save written
    assert now[int(lb.table.df["oid"].iat[2])]["状态"] != "B3"
    b.resolve(info.value.conflicts, "mine")
    b.save(sb)
    assert b.fetch("hazards", [oid0])[oid0]["状态"] == "B2"
    assert [e.new for e in b.log(oid=oid0, layer="hazards") if e.field == "状态"] == ["A", "B2"]


def test_conflict_keep_theirs_updates_local_copy(twin):
    a, la, sa = editor(twin, "sensors", "alice")
    b, lb, sb = editor(twin, "sensors", "bob")
    sa.push(SetValues(la, [3], "状态", "A"))
    a.save(sa)
    sb.push(SetValues(lb, [3], "状态", "B"))
    with pytest.raises(ConflictError) as info:
        b.save(sb)
    b.resolve(info.value.conflicts, "theirs")
    assert lb.table.df["状态"].iat[3] == "A"
    b.save(sb)
    assert sb.is_clean
    oid = int(lb.table.df["oid"].iat[3])
    assert [e.new for e in a.log(oid=oid, layer="sensors")] == ["A"]


def test_retried_save_is_not_doubled(twin):
    store, layer, stack = editor(twin, "hazards")
    stack.push(SetValues(layer, [4], "状态", "X"))
    save_id = store._save_id(stack)
    store.save(stack, save_id=save_id)
    # the same save id again (as after a commit whose answer was lost) writes nothing
    other, lo, _ = editor(twin, "hazards")
    so2 = CommandStack()
    so2.push(SetValues(lo, [6], "状态", "Z"))
    report = other.save(so2, save_id=save_id)
    assert report.log_rows == 0 and so2.is_clean
    assert [e.new for e in store.log(layer="hazards")] == ["X"]


def test_notify_reaches_listener(twin):
    a, la, sa = editor(twin, "hazards", "alice")
    b = PostGISStore(twin)
    listener = b.listen()
    sa.push(SetValues(la, [0, 1], "状态", "N"))
    a.save(sa)
    notes = listener.poll(timeout=2.0)
    assert len(notes) == 1
    assert notes[0].layer == "hazards" and notes[0].fields == ["状态"]
    assert sorted(notes[0].oids) == sorted(la.table.df["oid"].to_numpy()[:2].tolist())
    assert notes[0].save in a.own_saves and notes[0].user == "alice"
    listener.close()


def test_dsn_passwords_never_kept(tmp_path):
    assert safe_dsn("postgresql://bob:s3cret@db:5432/twin?sslmode=require&password=x") == \
        "postgresql://bob@db:5432/twin?sslmode=require"
    assert "s3cret" not in safe_dsn("host=db dbname=twin password=s3cret user=bob")
    assert has_password("postgresql://bob:s3cret@db/twin")
    assert not has_password("postgresql://bob@db/twin")
    scene = tmp_path / "s.toml"
    scene.write_text('version = 1\n[[layers]]\nsource = "postgresql://bob:s3cret@db/twin"\n'
                     'table = "buildings"\n', encoding="utf-8")
    with pytest.raises(LoadError) as info:
        spec_for([scene])
    assert "password" in info.value.message and "s3cret" not in info.value.message


def test_bad_connections_give_one_line(pg_cluster, twin):
    port = pg_cluster.port
    cases = [
        (f"postgresql://postgres@127.0.0.1:{port}/no_such_db", StoreError, "no such database"),
        (f"postgresql://nobody@127.0.0.1:{port}/postgres", StoreError, ""),
        ("postgresql://postgres@127.0.0.1:1/twin", StoreUnavailable, "cannot reach"),
        ("postgresql://[bad", StoreError, ""),
    ]
    for url, kind, text in cases:
        with pytest.raises(kind) as info:
            PostGISStore(url, connect_timeout=2).tables()
        assert "\n" not in info.value.message and text in info.value.message
    with pytest.raises(StoreError) as info:
        PostGISStore(twin, password="wrong-pw-123").tables()
    assert "wrong-pw-123" not in info.value.message and "password" in info.value.message
    with pytest.raises(StoreError, match="not a published twin"):
        PostGISStore(pg_cluster.dsn("postgres")).tables()


def test_publish_refuses_password_and_existing_layers(twin, tmp_path):
    from twinviewer.store.pg_publish import publish

    with pytest.raises(StoreError, match="password"):
        publish(DEMO_SCENE, twin.replace("postgres@", "postgres:pw@"))
    with pytest.raises(StoreError, match="already has a layer"):
        publish(DEMO_SCENE, twin)
    assert publish(DEMO_SCENE, twin, replace=True).layers["buildings"] == 463


def test_cli_publish(pg_db, tmp_path):
    from tests.store.conftest import run_cli

    out = tmp_path / "pg.toml"
    proc = run_cli("publish", DEMO_SCENE, pg_db, "--write-scene", out)
    assert proc.returncode == 0, proc.stderr
    assert "buildings" in proc.stdout
    text = out.read_text(encoding="utf-8")
    assert pg_db in text and ".gpkg" not in text
    result = load(spec_for([out]))
    assert not result.errors and sum(len(lyr) for lyr in result.layers) > 6000
    proc = run_cli("publish", DEMO_SCENE, "postgresql://postgres@127.0.0.1:1/x")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_cli_log_and_missing_postgis(twin, pg_cluster):
    import psycopg

    from tests.store.conftest import run_cli
    from twinviewer.store.pg_publish import publish

    store, layer, stack = editor(twin, "hazards", "卢")
    stack.push(SetValues(layer, [0], "状态", "已整改"))
    store.save(stack)
    proc = run_cli("log", twin, "--layer", "hazards")
    assert proc.returncode == 0 and "卢" in proc.stdout and "已整改" in proc.stdout
    # a database owner who may not create the PostGIS extension gets one clear line
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        conn.execute("CREATE ROLE owen LOGIN CREATEROLE PASSWORD 'pw-owen'")
        conn.execute("CREATE DATABASE plain OWNER owen")
    with open(pg_cluster.passfile, "a") as fh:
        fh.write(f"127.0.0.1:{pg_cluster.port}:*:owen:pw-owen\n")
    with pytest.raises(StoreError) as info:
        publish(DEMO_SCENE, pg_cluster.dsn("plain", user="owen"))
    assert "PostGIS" in info.value.message and "\n" not in info.value.message


def test_layer_streams_in_batches_with_progress(twin):
    calls = []
    layer = PostGISStore(twin).read_layer("street_furniture", batch_rows=500,
                                           progress=lambda f, m: calls.append((f, m)))
    assert len(layer) == 4463
    assert len(calls) == 9 and calls[-1] == (1.0, "street_furniture")
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)
    assert layer.table.df["oid"].is_monotonic_increasing
