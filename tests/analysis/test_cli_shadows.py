"""``twinviewer analyse shadows``: an MP4 with one frame per sun position, read back with
imageio; the ground darkens where a tower's shadow falls (worked by hand) and not before."""

from __future__ import annotations

import os

import numpy as np
import pytest
import shapely

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

imageio = pytest.importorskip("imageio.v2")

from twinviewer.cli import main  # noqa: E402

X, Y = 350300.0, 3455100.0       # EPSG:32651, Shanghai
TOWER = shapely.box(X - 10, Y - 10, X + 10, Y + 10)
HEIGHT = 60.0
SIZE = (320, 240)


def scene_file(folder):
    import pyogrio.raw

    ground = shapely.box(X - 300, Y - 300, X + 300, Y + 300)
    pyogrio.raw.write(str(folder / "t.gpkg"), geometry=shapely.to_wkb(np.array([TOWER])),
                      field_data=[np.array([HEIGHT])], fields=["高度"], layer="tower",
                      driver="GPKG", crs="EPSG:32651", geometry_type="Polygon")
    pyogrio.raw.write(str(folder / "t.gpkg"), geometry=shapely.to_wkb(np.array([ground])),
                      field_data=[np.array([0.1])], fields=["高度"], layer="lawn",
                      driver="GPKG", crs="EPSG:32651", geometry_type="Polygon", append=True)
    text = f'''version = 1
name = "阴影测试"
crs = "EPSG:32651"
origin = [{X}, {Y}, 0.0]

[[layers]]
name = "草地"
source = "t.gpkg"
table = "lawn"
height_field = "高度"
style = {{ color = "#f0f0f0" }}

[[layers]]
name = "建筑"
source = "t.gpkg"
table = "tower"
height_field = "高度"

[[bookmarks]]
name = "俯视"
position = [0.0, -1.0, 700.0]
focal_point = [0.0, 0.0, 0.0]
up = [0.0, 1.0, 0.0]
'''
    path = folder / "scene.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shadows")
    scene = scene_file(folder)
    out = folder / "shadows.mp4"
    assert main(["analyse", "shadows", str(scene), "--date", "2026-01-20", "--from", "08:00",
                 "--to", "16:00", "--step", "60", "--out", str(out), "--size",
                 f"{SIZE[0]}x{SIZE[1]}", "--bookmark", "俯视"]) == 0
    reader = imageio.get_reader(str(out), format="FFMPEG")
    frames = np.array([f for f in reader], dtype=np.int16)
    reader.close()
    return scene, frames


def display_of(scene_path, points):
    """Pixels (row, column) of scene points as the bookmark's camera sees them."""
    import pyvista as pv

    from twinviewer.io.loader import load, spec_for
    from twinviewer.render.scene_view import SceneView, make_theme

    scene = load(spec_for([scene_path])).to_scene()
    plotter = pv.Plotter(off_screen=True, window_size=list(SIZE), theme=make_theme())
    try:
        view = SceneView(plotter, scene)
        view.set_view(scene.bookmarks[0].view)
        out = []
        for p in points:
            x, y = view.world_to_display(p)
            out.append((int(round(SIZE[1] - 1 - y)), int(round(x))))
        view.close()
    finally:
        plotter.close()
    return out


def test_one_frame_per_sun_position(video):
    _scene, frames = video
    assert len(frames) == 9  # 08:00 .. 16:00 every hour, both ends
    assert frames.shape[1:] == (SIZE[1], SIZE[0], 3)


def test_the_shadow_moves_from_west_to_east(video):
    scene, frames = video
    import pvlib

    from twinviewer.analysis.sun import true_solar_times

    # by hand: the tower's shadow points away from the sun, 60 / tan(elevation) long
    times = true_solar_times(__import__("datetime").date(2026, 1, 20), 8.0, 16.0, 60.0, 121.43)
    sp = pvlib.solarposition.get_solarposition(times, 31.22, 121.43)
    pts = []
    for k in (0, len(times) - 1):
        az, el = np.radians(sp["azimuth"].iat[k]), np.radians(sp["apparent_elevation"].iat[k])
        reach = HEIGHT / np.tan(el)
        # half-way along the shadow, away from the sun
        pts.append((-np.sin(az) * (10 + reach / 2), -np.cos(az) * (10 + reach / 2), 0.2))
    morning, evening = display_of(scene, pts)
    assert pts[0][0] < -40 and pts[1][0] > 40  # west in the morning, east in the afternoon

    def grey(frame, rc):
        r, c = rc
        return float(frames[frame, r - 1:r + 2, c - 1:c + 2].mean())

    first, last = 0, len(frames) - 1
    assert grey(first, morning) < grey(last, morning) - 40   # shaded at 8, sunlit at 16
    assert grey(last, evening) < grey(first, evening) - 40   # and the other way round
    # and the frames differ only where shadows move (and in the caption)
    picture = np.abs(frames[first, :-60] - frames[last, :-60]).max(axis=2) > 40
    assert 0.005 < picture.mean() < 0.3


def test_bad_input_is_one_line(tmp_path, capsys):
    scene = scene_file(tmp_path)
    assert main(["analyse", "shadows", str(scene), "--from", "8h",
                 "--out", str(tmp_path / "a.mp4")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "8h" in err
    assert main(["analyse", "shadows", str(scene), "--bookmark", "没有",
                 "--out", str(tmp_path / "a.mp4")]) == 2
    assert "没有" in capsys.readouterr().err
    assert main(["analyse", "shadows", str(scene), "--out", str(tmp_path / "a.avi")]) == 2
    assert not (tmp_path / "a.mp4").exists()
