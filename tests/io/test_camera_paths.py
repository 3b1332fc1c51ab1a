"""[[bookmarks]] and [[paths]] in scene files: validation, writing back, the demo tour."""

from __future__ import annotations

import pytest
import tomllib

from tests.conftest import DEMO_SCENE
from twinviewer.core.camera_path import Bookmark
from twinviewer.core.errors import LoadError
from twinviewer.io.camera_paths import save_bookmarks
from twinviewer.io.scene_file import read_scene_file

HEAD = 'version = 1\nname = "测试"\n[[layers]]\nname = "建筑"\nsource = "x.gpkg"\n'
MARKS = '''
[[bookmarks]]
name = "入口"
position = [0, -100, 50]
focal_point = [0, 0, 0]

[[bookmarks]]
name = "高处"
position = [10, 10, 300]
focal_point = [0, 0, 0]
up = [0, 1, 0]
'''
PATH = '''
[[paths]]
name = "巡览"
speed = 30
[[paths.keyframes]]
bookmark = "入口"
dwell = 2
caption = "从入口开始"
layers = ["建筑"]
[[paths.keyframes]]
bookmark = "高处"
'''


def write(tmp_path, text):
    p = tmp_path / "scene.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bookmarks_and_paths_are_read(tmp_path):
    spec = read_scene_file(write(tmp_path, HEAD + MARKS + PATH))
    assert [b.name for b in spec.bookmarks] == ["入口", "高处"]
    assert spec.bookmarks[0].up == (0.0, 0.0, 1.0) and spec.bookmarks[1].up == (0.0, 1.0, 0.0)
    (path,) = spec.paths
    assert path.name == "巡览" and path.speed == 30.0
    assert path.keyframes[0].bookmark is spec.bookmarks[0]
    assert path.keyframes[0].caption == "从入口开始" and path.keyframes[0].layers == ["建筑"]
    assert path.keyframes[1].dwell == 0.0 and path.keyframes[1].layers is None


@pytest.mark.parametrize("text, needle", [
    (MARKS.replace("focal_point = [0, 0, 0]\n\n", "focal_piont = [0, 0, 0]\n\n", 1),
     "unknown key 'bookmarks[0].focal_piont' (did you mean 'focal_point'?)"),
    (MARKS.replace("[0, -100, 50]", "[0, -100]"), "bookmarks[0].position"),
    (MARKS + PATH.replace('bookmark = "高处"', 'bookmark = "高楼"'),
     "paths[0].keyframes[1].bookmark '高楼' is not a bookmark of this file"),
    (MARKS + PATH.replace("dwell = 2", "dwel = 2"), "unknown key 'paths[0].keyframes[0].dwel'"),
    (MARKS + PATH.replace("dwell = 2", "dwell = -1"), "paths[0].keyframes[0].dwell"),
    (MARKS + PATH.replace("speed = 30", "speed = 0"), "paths[0].speed"),
    (MARKS + PATH.replace("speed = 30", "sped = 30"), "unknown key 'paths[0].sped'"),
    (MARKS + '[[paths]]\nname = "空"\n', "paths[0] has no keyframes"),
    (MARKS + MARKS, "'入口' is used twice"),
])
def test_mistakes_name_the_key(tmp_path, text, needle):
    with pytest.raises(LoadError) as err:
        read_scene_file(write(tmp_path, HEAD + text))
    assert needle in err.value.message
    assert str(tmp_path) in err.value.message


def test_bookmarks_must_be_tables(tmp_path):
    with pytest.raises(LoadError, match="key 'bookmarks' must be an array"):
        read_scene_file(write(tmp_path, "version = 1\nbookmarks = 3\n"))


def test_saved_bookmarks_land_in_the_file_and_keep_the_rest(tmp_path):
    p = write(tmp_path, HEAD + '[view]\nposition = [1, 2, 3]\nfocal_point = [0, 0, 0]\n'
              + MARKS + PATH)
    spec = read_scene_file(p)
    marks = [spec.bookmarks[1], Bookmark("新书签", (5.0, 6.0, 7.0), (1.0, 1.0, 0.0))]
    save_bookmarks(p, marks)  # 入口 removed: its keyframe goes, the path stays
    doc = tomllib.loads(p.read_text(encoding="utf-8"))
    assert doc["name"] == "测试" and doc["layers"][0]["source"] == "x.gpkg"
    assert doc["view"]["position"] == [1, 2, 3]
    assert [b["name"] for b in doc["bookmarks"]] == ["高处", "新书签"]
    assert doc["bookmarks"][1]["position"] == [5.0, 6.0, 7.0]
    assert [k["bookmark"] for k in doc["paths"][0]["keyframes"]] == ["高处"]
    again = read_scene_file(p)
    assert again.bookmarks == marks
    save_bookmarks(p, [])
    doc = tomllib.loads(p.read_text(encoding="utf-8"))
    assert doc["bookmarks"] == [] and "paths" not in doc


def test_demo_ships_a_walkthrough_the_generator_keeps():
    from twinviewer.demo.generator import _scene_document

    spec = read_scene_file(DEMO_SCENE)
    (tour,) = spec.paths
    assert 4 <= len(tour.keyframes) <= 6
    assert all(k.caption and k.layers for k in tour.keyframes)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in tour.keyframes[1].caption)
    layer_names = {lyr.name for lyr in spec.layers}
    assert all(set(k.layers) <= layer_names for k in tour.keyframes)
    doc = tomllib.loads(DEMO_SCENE.read_text(encoding="utf-8"))
    generated = _scene_document(doc["origin"])
    assert generated["bookmarks"] == doc["bookmarks"]
    assert generated["paths"] == doc["paths"]
