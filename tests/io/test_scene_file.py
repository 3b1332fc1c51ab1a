"""Scene file validation: every message names the key or the line."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_SCENE, copy_demo
from twinviewer.core.errors import LoadError
from twinviewer.io.scene_file import read_scene_file


def write(tmp_path, text, name="scene.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_scene_is_valid():
    spec = read_scene_file(DEMO_SCENE)
    assert spec.crs == "EPSG:32651"
    assert len(spec.layers) >= 8
    assert all(layer.source.exists() for layer in spec.layers)
    assert {layer.group for layer in spec.layers} >= {"基础模型", "人口", "安全隐患"}


@pytest.mark.parametrize("text,needle", [
    ('name = "x"\n', "version"),
    ('version = "1"\n', "version"),
    ("version = 99\n", "newer"),
    ('version = 1\ncolour = "red"\n', "colour"),
    ('version = 1\norigin = [1, 2]\n', "origin"),
    ('version = 1\n[[layers]]\nname = "a"\n', "source"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\nvisible = "yes"\n', "layers[0].visible"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\nopacity = 3\n', "opacity"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style]\ncolor = "blue"\n', "color"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style]\ncolr = "#ffffff"\n',
     "did you mean 'color'"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\nposition = [1, "a", 3]\n', "position"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style]\nlabel_color = "red"\n',
     "layers[0].style.label_color"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style]\nlabel_size = 500\n',
     "label_size"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style]\nsize_range = [3, 1]\n',
     "size_range"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style.view_cone]\nrange = -5\n',
     "view_cone.range"),
    ('version = 1\n[[layers]]\nsource = "a.gpkg"\n[layers.style.view_cone]\nheadng = "a"\n',
     "did you mean 'heading'"),
    ('version = 1\n[[filters]]\nname = "老人"\nexpression = "年龄 > 80"\n',
     "filters[0] needs the text key 'layer'"),
    ('version = 1\n[[filters]]\nname = "老人"\nlayer = "a"\nexpr = "年龄 > 80"\n',
     "did you mean 'expression'"),
])
def test_validation_names_the_key(tmp_path, text, needle):
    with pytest.raises(LoadError) as info:
        read_scene_file(write(tmp_path, text))
    assert needle in info.value.message
    assert "scene.toml" in info.value.message


def test_syntax_error_names_the_line(tmp_path):
    with pytest.raises(LoadError, match="line 3"):
        read_scene_file(write(tmp_path, 'version = 1\nname = "a"\nopacity = = 3\n'))


def test_sources_are_relative_to_the_scene_and_chinese_paths_work(tmp_path):
    folder = tmp_path / "街道 数据"
    folder.mkdir()
    path = write(folder, 'version = 1\n[[layers]]\nsource = "建筑.gpkg"\n', name="场景.toml")
    spec = read_scene_file(path)
    assert spec.layers[0].source == folder / "建筑.gpkg"


def test_a_source_outside_the_scene_folder_is_loaded_but_shown(tmp_path):
    import shutil

    from twinviewer.io.loader import open_scene

    data = tmp_path / "其他部门"
    data.mkdir()
    shutil.copy(DEMO_SCENE.parent / "district.gpkg", data / "district.gpkg")
    scene_dir = tmp_path / "场景"
    scene_dir.mkdir()
    shutil.copy(DEMO_SCENE.parent / "district.gpkg", scene_dir / "district.gpkg")
    path = write(scene_dir, 'version = 1\n'
                 '[[layers]]\nsource = "district.gpkg"\ntable = "hazards"\n'
                 '[[layers]]\nsource = "../其他部门/district.gpkg"\ntable = "cameras"\n')
    spec = read_scene_file(path)
    assert [layer.outside for layer in spec.layers] == [False, True]
    scene = open_scene([path])
    inside, outside = scene.layers
    assert not any("outside" in w for w in inside.warnings)
    assert any("outside the scene file's folder" in w and "其他部门" in w
               for w in outside.warnings)


def test_binary_garbage_is_refused(tmp_path):
    path = tmp_path / "scene.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(LoadError, match="scene.toml"):
        read_scene_file(path)


def test_styles_are_written_back_and_other_keys_kept(tmp_path):

    from twinviewer.io.loader import open_scene
    from twinviewer.io.scene_writer import save_layer_styles

    path = copy_demo(tmp_path)
    scene = open_scene([path])
    cameras = scene.layer("视频监控")
    cameras.style = {"color": "#112233", "label": "编号 || ' ' || 类型",
                     "view_cone": {"heading": "朝向", "range": 50.0, "angle": 90.0},
                     "point_scale": 2.5}
    cameras.opacity = 0.5
    assert save_layer_styles(path, [cameras]) == 1
    spec = read_scene_file(path)
    entry = spec.layers[cameras.scene_entry]
    assert entry.name == "视频监控"
    assert entry.style == {"color": "#112233", "label": "编号 || ' ' || 类型",
                           "view_cone": {"heading": "朝向", "range": 50.0, "angle": 90.0}}
    assert entry.options["point_scale"] == 2.5 and entry.opacity == 0.5
    again = open_scene([path])
    assert again.layer("视频监控").style == cameras.style
    assert again.layer("建筑").style == scene.layer("建筑").style  # others untouched
    assert [b.name for b in again.bookmarks] == [b.name for b in scene.bookmarks]
    assert [p.name for p in again.paths] == [p.name for p in scene.paths]
