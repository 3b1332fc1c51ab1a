"""Issue 16 in the window: measure by clicking two roof corners, sunlight in a worker."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication

from tests.conftest import pixel, roof_display

pytestmark = pytest.mark.gui


def _roof_corners(w, row):
    """Two opposite roof corners of a building (its footprint may be rotated) and, for
    each, the pixel a little inside it on the roof."""
    layer = w.scene.layer("建筑")
    pts = np.concatenate([bt.points[np.unique(bt.triangles[bt.rows == row])]
                          for bt in layer.batches])
    roof = np.unique(np.round(pts[pts[:, 2] >= pts[:, 2].max() - 1e-6], 6), axis=0)
    d = np.linalg.norm(roof[:, None, :2] - roof[None, :, :2], axis=2)
    i, j = np.unravel_index(np.argmax(d), d.shape)
    centre = roof.mean(axis=0)
    out = []
    for corner in (roof[i], roof[j]):
        inside = corner + (centre - corner) * 0.05
        out.append((corner, w.viewport.view.world_to_display(inside)))
    return out


def test_measure_two_roof_corners(main_window, qtbot, artifacts):
    w = main_window(size=(1400, 900))
    layer = w.scene.layer("建筑")
    row = int(np.nanargmax(layer.table.column("高度").astype(float)))
    bounds = layer.row_bounds([row])
    cx, cy = (bounds[0] + bounds[3]) / 2, (bounds[1] + bounds[4]) / 2
    cam = w.viewport.plotter.renderer.GetActiveCamera()  # straight down on its roof
    cam.SetFocalPoint(cx, cy, bounds[5])
    cam.SetPosition(cx, cy, bounds[5] + 150.0)
    cam.SetViewUp(0, 1, 0)
    w.viewport.plotter.renderer.ResetCameraClippingRange()
    w.viewport.plotter.render()
    w.planning.show_measure()
    panel = w.planning.measure
    assert panel.current == "distance"
    (a, pa), (b, pb) = _roof_corners(w, row)
    for p in (pa, pb):
        qtbot.mouseClick(w.viewport.interactor, Qt.LeftButton,
                         pos=QPoint(*w.viewport.qt_pos(p)))
    qtbot.waitUntil(lambda: len(panel.results) == 1, timeout=5000)
    m = panel.results[0]
    # both clicks snapped to the roof corners: the diagonal of the footprint, flat
    assert m.values["3d"] == pytest.approx(float(np.linalg.norm(b - a)), abs=1e-3)
    assert m.values["vertical"] == pytest.approx(0.0, abs=1e-3)
    panel.copy()
    assert QGuiApplication.clipboard().text().startswith("distance: 3d=")
    w.save_image(artifacts / "analysis_measure.png")
    # a sight line over the roofs from high up is visible
    panel.set_mode("off")
    assert w.viewport.point_tool is None


def test_sunlight_dialog_adds_columns_and_style(main_window, qtbot, artifacts):
    w = main_window(size=(1400, 900))
    dialog = w.planning.sunlight()
    dialog.preset.setCurrentIndex(dialog.preset.findData("dahan2"))
    dialog.year.setValue(2026)
    dialog.spacing.setValue(6.0)
    dialog.step.setValue(30.0)
    layer = w.scene.layer("建筑")
    qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    assert not dialog.run_button.isEnabled()  # the window is free while it runs
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=120_000)
    df = layer.table.df
    assert "日照_1F" in df.columns and "日照_最少" in df.columns
    assert df["日照_最少"].notna().all()
    assert layer.style["by"] == "日照_最少" and "breaks" in layer.style
    below = dialog.result.below()
    assert dialog.below.count() == len(below)
    assert set(w.scene.selection.rows("建筑")) == set(below.tolist())
    assert "Sunlight analysis" in w.edits.undo_stack.undoText() or \
        "日照" in w.edits.undo_stack.undoText()
    # drawn in the ramp's colours: a building whose darkest floor sees >= 4 h is green
    w.scene.selection.clear()
    w.viewport.view.render()
    sunny = [r for r in np.argsort(-layer.table.column("高度").astype(float))
             if df["日照_最少"].iat[r] >= 4.0]
    h, wd = w.viewport.image().shape[:2]
    shown = [d for d in (roof_display(w, "建筑", int(r)) for r in sunny)
             if 0 <= d[0] < wd and 0 <= d[1] < h]  # the docks leave part of the district off view
    seen = [pixel(w, d, labels=False) for d in shown[:8]]
    assert any(c[1] > c[0] + 30 for c in seen), seen
    w.save_image(artifacts / "analysis_sunlight.png")
    w.edits.undo_stack.undo()
    assert "日照_1F" not in layer.table.df.columns
    dialog.close()


def test_section_plane_and_height_limit(main_window, qtbot):
    w = main_window(size=(1200, 800))
    w.planning.section_action.trigger()
    assert w.planning.section is not None and w.planning.section._clipped
    w.planning.section_action.trigger()
    assert not w.planning.section._clipped
    # coverage in a worker: two result layers appear, the compounds get their shares
    before = len(w.scene.layers)
    w.planning.coverage()
    qtbot.waitUntil(lambda: len(w.scene.layers) == before + 2, timeout=60_000)
    names = [lyr.name for lyr in w.scene.layers[-2:]]
    assert names == ["Camera coverage", "Roads no camera sees"] or names == [
        "视频监控覆盖", "监控盲区道路"]
    assert len(w.scene.layers[-2]) == 139
    assert w.scene.layer("小区").table.df["监控覆盖率"].between(0, 1).all()
    w.scene.selection.clear()
    w.planning.height_limit(60.0)
    layer = w.scene.layer("建筑")
    tall = set(np.flatnonzero(layer.table.column("高度").astype(float) > 60.0).tolist())
    assert set(w.scene.selection.rows("建筑")) == tall and tall
    assert layer.table.df.loc[sorted(tall), "控高超出"].gt(0).all()
    # saved like any edit: the column in the GeoPackage, the parameters in its log
    assert w.save()
    import pyogrio

    from twinviewer.store import GeoPackageStore

    store = Path(layer.source)
    df = pyogrio.read_dataframe(store, layer="buildings", fid_as_index=True)
    assert set(df.index[df["控高超出"].notna()]) == set(layer.table.df["oid"].iloc[sorted(tall)])
    assert any('"analysis":"height_limit"' in e.label for e in GeoPackageStore(store).log())


def test_window_results_are_saved_in_the_store_with_their_parameters(main_window, qtbot):
    """Coverage and a height limit run from the window's menu land in the GeoPackage
    (no File > Save): read back with pyogrio and sqlite3, not through the app."""
    import json
    import sqlite3

    import pyogrio
    import shapely

    w = main_window(size=(1000, 700))
    store = Path(w.scene.layer("视频监控").source)
    assert w.edits.is_clean
    before = len(w.scene.layers)
    w.planning.coverage_action.trigger()
    qtbot.waitUntil(lambda: len(w.scene.layers) == before + 2, timeout=60_000)
    covered = w.scene.layers[-2]
    assert w.edits.is_clean  # the compounds' shares were saved at once
    assert "Camera coverage" in w.edits.undo_stack.undoText() or \
        "监控" in w.edits.undo_stack.undoText()  # and stay undoable

    cov = pyogrio.read_dataframe(store, layer="analysis_coverage")
    assert len(cov) == len(covered) == 139
    assert cov.geometry.union_all().area == pytest.approx(
        shapely.union_all(covered.geometries).area, rel=1e-6)
    blind = pyogrio.read_dataframe(store, layer="analysis_blind_roads")
    assert len(blind) == len(w.scene.layers[-1]) > 0
    comp = pyogrio.read_dataframe(store, layer="compounds", fid_as_index=True)
    shares = w.scene.layer("小区").table.df.set_index("oid")["监控覆盖率"]
    assert np.allclose(comp["监控覆盖率"].fillna(-1).to_numpy(),
                       shares.reindex(comp.index).fillna(-1).to_numpy(), atol=1e-6)

    con = sqlite3.connect(store)
    try:
        table_log = con.execute("SELECT new, label FROM twinviewer_edit_log WHERE layer = ? "
                                "AND field = '<analysis>'", ("analysis_coverage",)).fetchall()
        share_log = con.execute("SELECT label FROM twinviewer_edit_log WHERE layer = 'compounds'"
                                " AND field = '监控覆盖率'").fetchall()
    finally:
        con.close()
    assert table_log and table_log[-1][0] == "139"
    params = json.loads(table_log[-1][1])
    assert params["analysis"] == "coverage" and params["n"] == 139
    assert params["range"] == 35.0 and params["angle"] == 60.0 and params["terrain"] is True
    assert share_log and all('"analysis":"coverage"' in label for (label,) in share_log)

    # a height limit from the window: the excess column and its parameters, saved at once
    w.scene.selection.clear()
    w.planning.height_limit(60.0)
    assert w.edits.is_clean
    layer = w.scene.layer("建筑")
    tall = set(layer.table.df["oid"][layer.table.df["控高超出"].notna()].tolist())
    assert tall
    df = pyogrio.read_dataframe(store, layer="buildings", fid_as_index=True)
    assert set(df.index[df["控高超出"].notna()]) == tall
    con = sqlite3.connect(store)
    try:
        labels = [r[0] for r in con.execute(
            "SELECT label FROM twinviewer_edit_log WHERE layer = 'buildings' "
            "AND field = '控高超出'")]
    finally:
        con.close()
    assert labels and all('"analysis":"height_limit"' in lb and '"height":60' in lb
                          for lb in labels)


def test_sunlight_tool_exports_the_shadow_video(main_window, qtbot, tmp_path):
    """The sunlight dialog's Shadow video: the chosen standard's day (大寒, 8-16 h true
    solar time) at its time step, from the window's view; the scene is left as it was."""
    import imageio.v2 as imageio

    w = main_window(size=(1000, 700))
    dialog = w.planning.sunlight()
    dialog.preset.setCurrentIndex(dialog.preset.findData("dahan2"))
    dialog.year.setValue(2026)
    dialog.step.setValue(60.0)
    names = [lyr.name for lyr in w.scene.layers]
    out = tmp_path / "shadows.mp4"
    assert dialog.export_shadows(str(out), size=(320, 240))
    assert [lyr.name for lyr in w.scene.layers] == names  # the shadows lived offscreen only
    reader = imageio.get_reader(str(out), format="FFMPEG")
    frames = np.array([f for f in reader], dtype=np.int16)
    reader.close()
    assert len(frames) == 9 and frames.shape[1:] == (240, 320, 3)
    moved = np.abs(frames[0, :-50] - frames[-1, :-50]).max(axis=2) > 40
    assert moved.mean() > 0.002  # the morning and afternoon shadows fall apart
    assert str(out) in dialog.status.text()
    dialog.close()


def test_an_analysis_job_is_owned_by_python_until_it_ends(qtbot):
    """Qt's pool must not delete a job whose Python wrapper lives on: that freed it twice
    (an intermittent crash long after the analysis ran)."""
    from twinviewer.ui import analysis_panel
    from twinviewer.ui.analysis_panel import AnalysisJob

    job = AnalysisJob(lambda progress: 42)
    assert not job.autoDelete()
    with qtbot.waitSignal(job.signals.done, timeout=5000) as got:
        job.start()
    assert got.args == [42] and job in analysis_panel._JOBS
    qtbot.waitUntil(lambda: job.ended, timeout=5000)
    later = AnalysisJob(lambda progress: 0)
    later.start()  # a later start lets go of the ended job
    assert job not in analysis_panel._JOBS and later in analysis_panel._JOBS
    qtbot.waitUntil(lambda: later.ended, timeout=5000)
