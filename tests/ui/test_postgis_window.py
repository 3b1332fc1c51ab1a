"""Two windows on one PostGIS twin: live updates within a second, conflicts shown, roles."""

from __future__ import annotations

import numpy as np
import pytest

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from tests.store.pg_fixtures import DEMO_SCENE
from twinviewer.store.pg_publish import write_scene
from twinviewer.ui.live_updates import TeamEditing
from twinviewer.ui.main_window import MainWindow

pytestmark = pytest.mark.gui

HAZARDS = "安全隐患"
RESIDENTS = "重点人群"
FURNITURE = "街道设施"


@pytest.fixture(autouse=True)
def _no_modal_questions(monkeypatch):
    monkeypatch.setattr(MainWindow, "ask_unsaved", lambda self: "discard")
    monkeypatch.setattr(MainWindow, "ask_restore", lambda self, journal: False)
    monkeypatch.setattr(TeamEditing, "ask_password", lambda self, url: None)
    monkeypatch.setattr(TeamEditing, "ask", lambda self, conflicts: None)


@pytest.fixture
def pg_scene(twin, tmp_path):
    return write_scene(DEMO_SCENE, twin, tmp_path / "team.toml")


def _cell(window, layer, row, field):
    return window.scene.layer(layer).table.df[field].iat[row]


def test_two_windows_see_each_others_edits(main_window, qtbot, pg_scene):
    a = main_window([pg_scene])
    b = main_window([pg_scene])
    assert a.scene.layer(HAZARDS) is not None and len(a.scene.layer(HAZARDS)) == 41
    assert a.team.listener is not None and b.team.listener is not None
    # a saves: b shows it (table model and layer) within a second, without a save of its own
    assert a.edits.set_values(a.scene.layer(HAZARDS), [2], "状态", "已整改")
    assert a.save()
    qtbot.waitUntil(lambda: _cell(b, HAZARDS, 2, "状态") == "已整改", timeout=1000)
    b.attribute_table.show_layer(HAZARDS)
    model = b.attribute_table.model
    col = list(b.scene.layer(HAZARDS).table.df.columns).index("状态")
    assert model.data(model.index(2, col)) == "已整改"
    assert b.edits.is_clean
    # and the other way round, numbers included (3D colours follow the population field)
    layer_b = b.scene.layer("建筑")
    assert b.edits.set_values(layer_b, [0], "人口", 4321)
    assert b.save()
    qtbot.waitUntil(lambda: _cell(a, "建筑", 0, "人口") == 4321, timeout=1000)


def test_conflict_is_shown_and_settled(main_window, qtbot, pg_scene):
    a = main_window([pg_scene])
    b = main_window([pg_scene])
    b.team.stop()  # b misses a's save, as if it had edited in the same second
    shown = []

    def ask(conflicts):
        shown.extend(conflicts)
        return {(c.layer, c.oid, c.field): "mine" for c in conflicts}

    b.team.ask = ask
    assert a.edits.set_values(a.scene.layer(HAZARDS), [5], "状态", "A改")
    assert a.save()
    assert b.edits.set_values(b.scene.layer(HAZARDS), [5], "状态", "B改")
    assert b.edits.set_values(b.scene.layer(HAZARDS), [6], "状态", "B6")  # no conflict
    b.save()
    assert [(c.field, c.theirs, c.mine) for c in shown] == [("状态", "A改", "B改")]
    assert b.edits.is_clean  # saved again with "mine" after the dialog
    qtbot.waitUntil(lambda: _cell(a, HAZARDS, 5, "状态") == "B改", timeout=1000)
    assert _cell(a, HAZARDS, 6, "状态") == "B6"


def test_conflict_dialog_lists_theirs_and_mine(qtbot):
    from twinviewer.store.base import Conflict
    from twinviewer.ui.conflicts import ConflictDialog

    dialog = ConflictDialog([Conflict("安全隐患", 7, "状态", "待处理", "已整改", "整改中"),
                             Conflict("安全隐患", 8, "责任人", "张", None, "李", gone=True)])
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 4).text() == "已整改" and dialog.table.item(0, 5).text() == "整改中"
    assert dialog.choices()[("安全隐患", 7, "状态")] == "theirs"
    dialog.all_mine.click()
    assert dialog.choices() == {("安全隐患", 7, "状态"): "mine", ("安全隐患", 8, "责任人"): "theirs"}


def test_viewer_window_hides_sensitive_fields(main_window, qtbot, twin, pg_cluster, tmp_path):
    from twinviewer.store.postgis import PostGISStore

    PostGISStore(twin).grant("vera", "viewer", password="pw-vera")
    with open(pg_cluster.passfile, "a") as fh:
        fh.write(f"127.0.0.1:{pg_cluster.port}:*:vera:pw-vera\n")
    scene = write_scene(DEMO_SCENE, twin.replace("postgres@", "vera@"), tmp_path / "v.toml")
    w = main_window([scene])
    layer = w.scene.layer(RESIDENTS)
    assert len(layer) == 308
    assert not {"姓名", "身份证号", "电话"} & set(layer.table.df.columns)
    assert any("身份证号" in m and "hidden" in m for m in w.message_bar.messages)
    assert w.edits.set_values(layer, [0], "类别", "x")
    assert not w.save()
    assert any("permission denied" in m for m in w.message_bar.messages)


def test_reconnect_keeps_and_retries_pending_save(main_window, qtbot, pg_scene, pg_cluster):
    a = main_window([pg_scene])
    layer = a.scene.layer(HAZARDS)
    pg_cluster.stop_server()
    try:
        assert a.edits.set_values(layer, [9], "状态", "断线时改")
        assert not a.save()
        assert a.edits.needs_retry and not a.edits.is_clean
    finally:
        pg_cluster.start()
    qtbot.waitUntil(lambda: a.edits.is_clean, timeout=8000)
    from twinviewer.store.postgis import PostGISStore

    oid = int(layer.table.df["oid"].iat[9])
    store = PostGISStore(str(layer.source))
    assert store.fetch("hazards", [oid])[oid]["状态"] == "断线时改"
    assert [e.new for e in store.log(oid=oid, layer="hazards")] == ["断线时改"]
    assert np.all(layer.table.df["oid"].to_numpy() >= 0)


def test_click_picks_the_same_building_as_from_geopackage(main_window, qtbot, pg_scene):
    from PySide6.QtCore import QPoint, Qt

    from tests.ui.test_main_window import BUILDINGS, _tallest_roof

    w = main_window([pg_scene])
    row, _display, pos = _tallest_roof(w)
    qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton, pos=QPoint(*pos))
    qtbot.waitUntil(lambda: len(w.scene.selection.rows(BUILDINGS)) == 1, timeout=5000)
    assert w.scene.selection.rows(BUILDINGS).tolist() == [row]
    selected = [i.row() for i in w.attribute_table.view.selectionModel().selectedRows()]
    assert w.attribute_table.model.table_rows(selected).tolist() == [row]
    ref = main_window()  # the GeoPackage demo: the same object under the same pixel
    assert _tallest_roof(ref)[0] == row
    oid = w.scene.layer(BUILDINGS).table.oid[row]
    assert oid == ref.scene.layer(BUILDINGS).table.oid[row]


def test_password_asked_when_libpq_has_none(main_window, qtbot, twin, pg_cluster, tmp_path,
                                            monkeypatch):
    from twinviewer.store import postgis
    from twinviewer.store.postgis import PostGISStore

    PostGISStore(twin).grant("pat", "viewer", password="pw-pat")  # not in the pgpass file
    url = twin.replace("postgres@", "pat@")
    asked = []

    def ask(self, where):
        asked.append(where)
        return "pw-pat"

    monkeypatch.setattr(TeamEditing, "ask_password", ask)
    scene = write_scene(DEMO_SCENE, url, tmp_path / "p.toml")
    w = main_window([scene])
    assert asked == [url]
    qtbot.waitUntil(lambda: any(lyr.name == HAZARDS for lyr in w.scene.layers) and
                    not w.is_loading(), timeout=20000)
    assert len(w.scene.layer(HAZARDS)) == 41
    assert "pw-pat" not in scene.read_text(encoding="utf-8")
    postgis.forget_passwords()


def _position(layer, oid):
    row = layer.table.df["oid"].tolist().index(oid)
    return np.concatenate([b.points[b.rows == row] for b in layer.batches])[0]


def test_second_window_sees_added_moved_deleted_objects(main_window, qtbot, pg_scene):
    from twinviewer.core.edits import AddPoint, DeleteObjects, MovePoint

    a = main_window([pg_scene])
    b = main_window([pg_scene])
    la, lb = a.scene.layer(FURNITURE), b.scene.layer(FURNITURE)
    n = len(lb)
    oid = a.edits.next_oid(la)
    assert a.edits.push(AddPoint(la, [10.0, 20.0, 0.0], {"类别": "垃圾桶"}, oid=oid))
    assert a.save()
    qtbot.waitUntil(lambda: len(lb) == n + 1, timeout=1500)
    np.testing.assert_allclose(_position(lb, oid)[:2], [10.0, 20.0], atol=1e-6)
    # read again from its 2D table, it stands on the demo's terrain as when opened
    terrain = b.viewport.view.ground.terrain_layer().terrain
    assert _position(lb, oid)[2] == pytest.approx(float(terrain.height_at(10.0, 20.0)),
                                                  abs=1e-6)
    b.attribute_table.show_layer(FURNITURE)
    assert b.attribute_table.model.rowCount() == n + 1
    assert a.edits.push(MovePoint(la, len(la) - 1, [30.0, 40.0, 0.0]))
    assert a.save()
    qtbot.waitUntil(lambda: np.allclose(_position(lb, oid)[:2], [30.0, 40.0]), timeout=1000)
    assert _position(lb, oid)[2] == pytest.approx(float(terrain.height_at(30.0, 40.0)),
                                                  abs=1e-6)  # on the ground where it went
    assert a.edits.push(DeleteObjects(la, [len(la) - 1]))
    assert a.save()
    qtbot.waitUntil(lambda: len(lb) == n, timeout=1000)
    assert oid not in lb.table.df["oid"].tolist() and b.attribute_table.model.rowCount() == n
    a.edits.undo_stack.undo()  # undo of a saved delete: the object comes back everywhere
    assert a.save()
    qtbot.waitUntil(lambda: len(lb) == n + 1, timeout=1000)
    np.testing.assert_allclose(_position(lb, oid)[:2], [30.0, 40.0], atol=1e-6)
    # b moves it in turn (it has seen a's changes): no conflict
    row = lb.table.df["oid"].tolist().index(oid)
    assert b.edits.push(MovePoint(lb, row, [50.0, 60.0, 0.0]))
    assert b.save() and b.edits.is_clean
    qtbot.waitUntil(lambda: np.allclose(_position(la, oid)[:2], [50.0, 60.0]), timeout=1000)
