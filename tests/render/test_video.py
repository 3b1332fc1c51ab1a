"""Walkthrough video: exact frame count, size, moving frames differ, dwelling frames match."""

from __future__ import annotations

import os

import numpy as np
import pytest

if not os.environ.get("DISPLAY"):
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

imageio = pytest.importorskip("imageio.v2")

from tests.conftest import DEMO_SCENE  # noqa: E402
from twinviewer.cli import main  # noqa: E402
from twinviewer.render.fonts import cjk_font_file  # noqa: E402
from twinviewer.render.video import burn_caption, caption_font  # noqa: E402

FPS = 10
DWELLS = [0.5, 1.0, 0.5]
SPEED = 60.0
# three cameras 60 m apart looking the same way: each segment takes 60 / 60 = 1 s
SCENE = f'''version = 1
name = "视频测试"
crs = "EPSG:32651"
origin = [350300.0, 3455100.0, 0.0]

[[layers]]
name = "建筑"
source = "{(DEMO_SCENE.parent / 'district.gpkg').as_posix()}"
table = "buildings"
height_field = "高度"

[[layers]]
name = "道路"
source = "{(DEMO_SCENE.parent / 'district.gpkg').as_posix()}"
table = "roads"

[[bookmarks]]
name = "甲"
position = [-60.0, -300.0, 200.0]
focal_point = [-60.0, 0.0, 0.0]
[[bookmarks]]
name = "乙"
position = [0.0, -300.0, 200.0]
focal_point = [0.0, 0.0, 0.0]
[[bookmarks]]
name = "丙"
position = [60.0, -300.0, 200.0]
focal_point = [60.0, 0.0, 0.0]

[[paths]]
name = "其他"
[[paths.keyframes]]
bookmark = "丙"

[[paths]]
name = "测试路线"
speed = {SPEED}
[[paths.keyframes]]
bookmark = "甲"
dwell = {DWELLS[0]}
caption = "第一站：建筑"
layers = ["建筑"]
[[paths.keyframes]]
bookmark = "乙"
dwell = {DWELLS[1]}
caption = "第二站"
[[paths.keyframes]]
bookmark = "丙"
dwell = {DWELLS[2]}
caption = "终点"
layers = ["建筑", "道路"]
'''


@pytest.fixture(scope="module")
def video(tmp_path_factory):
    folder = tmp_path_factory.mktemp("video")
    scene = folder / "scene.toml"
    scene.write_text(SCENE, encoding="utf-8")
    out = folder / "tour.mp4"
    assert main(["video", str(scene), "--path", "测试路线", "--out", str(out),
                 "--size", "320x180", "--fps", str(FPS)]) == 0
    reader = imageio.get_reader(str(out), format="FFMPEG")
    meta = reader.get_meta_data()
    frames = np.array([f for f in reader], dtype=np.int16)
    reader.close()
    return meta, frames


def diff(a, b) -> float:
    return float(np.abs(a - b).mean())


def test_frame_count_and_size(video):
    meta, frames = video
    seconds = sum(DWELLS) + 2 * 60.0 / SPEED
    assert len(frames) == round(seconds * FPS) == 40
    assert frames.shape[1:] == (180, 320, 3)
    assert meta["codec"] == "h264" and meta["fps"] == FPS


def test_frames_match_while_dwelling_and_differ_while_moving(video):
    _, frames = video
    # timeline: dwell 0-0.5 s, move 0.5-1.5, dwell 1.5-2.5, move 2.5-3.5, dwell 3.5-4
    still = [(0, 5), (15, 25), (35, 40)]
    for a, b in still:
        for k in range(a, b - 1):
            assert diff(frames[k], frames[k + 1]) < 1.0, (k, diff(frames[k], frames[k + 1]))
    for k in list(range(6, 14)) + list(range(26, 34)):
        assert diff(frames[k], frames[k + 1]) > 1.0, k


def test_captions_are_burned_in(video):
    _, frames = video
    caption_band = frames[:, 150:175, 100:220]
    # white caption text on a dark band
    assert caption_band[2].max() > 200 and caption_band[2].min() < 80
    # the caption changes between keyframes
    assert diff(caption_band[2], caption_band[20]) > 1.0


def test_missing_path_and_bad_size_are_one_line_errors(tmp_path, capsys):
    scene = tmp_path / "scene.toml"
    scene.write_text(SCENE, encoding="utf-8")
    assert main(["video", str(scene), "--path", "没有", "--out", str(tmp_path / "a.mp4")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'没有'" in err and "测试路线" in err
    assert main(["video", str(scene), "--out", str(tmp_path / "a.mp4"), "--size", "321x180"]) == 2
    assert "even" in capsys.readouterr().err
    assert main(["video", str(scene), "--out", str(tmp_path / "a.avi")]) == 2
    assert not (tmp_path / "a.mp4").exists()


def test_caption_font_has_chinese_glyphs():
    if cjk_font_file() is None:
        pytest.skip("no CJK font installed (scripts/setup.sh installs fonts-wqy-microhei)")
    font = caption_font(24)
    assert font.getmask("街").getbbox() is not None
    img = burn_caption(np.zeros((90, 160, 3), np.uint8), "虹梓街道")
    assert img.shape == (90, 160, 3) and img.max() > 200
