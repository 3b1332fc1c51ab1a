"""Where the demo is: the checkout's ``scenes/demo``, else generated into the user's data
folder on first use (an installed wheel has no ``scenes/``), for the window, ``info`` and
``render`` alike."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyogrio
import pytest
from PIL import Image

from tests.conftest import DEMO_SCENE, ROOT
from twinviewer.core.errors import LoadError
from twinviewer.demo import demo_scene, generated_demo_dir, user_data_dir


def layers_of(gpkg: Path) -> dict:
    """Each table's rows as plain records, read with pyogrio (not through twinviewer)."""
    out = {}
    for name, _geom in pyogrio.list_layers(gpkg):
        if str(name).startswith("twinviewer_"):  # the store's own tables (cases, logs)
            continue
        df = pyogrio.read_dataframe(gpkg, layer=str(name))
        out[str(name)] = (df.drop(columns="geometry").astype(str).to_dict("list"),
                          [g.wkt for g in df.geometry])
    return out


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_in_a_checkout_the_demo_is_scenes_demo():
    assert demo_scene() == DEMO_SCENE


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG folders are Linux's")
def test_data_folder_follows_xdg(data_home, monkeypatch, tmp_path):
    assert user_data_dir() == data_home / "twinviewer"
    assert generated_demo_dir() == data_home / "twinviewer" / "demo"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for value in ("", "relative/path"):  # the XDG spec: unset or relative means default
        monkeypatch.setenv("XDG_DATA_HOME", value)
        assert user_data_dir() == tmp_path / "home" / ".local" / "share" / "twinviewer"


def test_outside_a_checkout_the_demo_is_generated_once(data_home):
    told = []
    scene = demo_scene(lambda fraction, message: told.append(fraction), checkout=False)
    assert scene == data_home / "twinviewer" / "demo" / "scene.toml"
    assert told and told[0] == 0.0 and told[-1] == 1.0 and told == sorted(told)
    # the same demo as the checkout's: same scene file, same tables row for row
    assert scene.read_bytes() == DEMO_SCENE.read_bytes()
    assert layers_of(scene.parent / "district.gpkg") == layers_of(
        DEMO_SCENE.parent / "district.gpkg")
    assert [p.name for p in data_home.joinpath("twinviewer").iterdir()] == ["demo"]
    stamp = scene.stat().st_mtime_ns
    again = []
    assert demo_scene(lambda f, m: again.append(f), checkout=False) == scene
    assert again == [] and scene.stat().st_mtime_ns == stamp


def test_an_incomplete_demo_is_generated_again(data_home):
    folder = data_home / "twinviewer" / "demo"
    folder.mkdir(parents=True)
    (folder / "scene.toml").write_text("half", encoding="utf-8")
    scene = demo_scene(checkout=False)
    assert scene.read_bytes() == DEMO_SCENE.read_bytes()
    assert (folder / "district.gpkg").stat().st_size > 100_000


def test_an_unwritable_data_folder_is_one_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    with pytest.raises(LoadError) as err:
        demo_scene(checkout=False)
    assert str(blocker) in err.value.message and "\n" not in err.value.message


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict]:
    """The package alone, outside the checkout (as a wheel installs it), and an
    environment whose data folder is empty."""
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(ROOT / "twinviewer", root / "twinviewer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.qm"))
    env = {**os.environ, "PYTHONPATH": str(root), "XDG_DATA_HOME": str(root / "data"),
           "TWINVIEWER_LANG": "en"}
    return root, env


def cli(installed, *args, timeout=300):
    root, env = installed
    work = root / "elsewhere"
    work.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "twinviewer", *map(str, args)], cwd=work,
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_installed_info_and_render_use_the_generated_demo(installed):
    root, _env = installed
    proc = cli(installed, "info", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    scene = root / "data" / "twinviewer" / "demo" / "scene.toml"
    assert info["path"] == str(scene) and scene.is_file()
    assert "generating the demo scene" in proc.stderr and "100%" in proc.stderr
    gpkg = DEMO_SCENE.parent / "district.gpkg"
    assert info["objects"] == sum(pyogrio.read_info(gpkg, layer=str(n))["features"]
                                  for n, _ in pyogrio.list_layers(gpkg)
                                  if not str(n).startswith("twinviewer_"))
    # the second command finds it: no generation, and the assets come from the package
    out = root / "演示.png"
    proc = cli(installed, "render", "--out", out, "--size", "480x300")
    assert proc.returncode == 0, proc.stderr
    assert "generating" not in proc.stderr
    img = np.asarray(Image.open(out))
    assert img.shape[:2] == (300, 480) and img[..., :3].std() > 10
