"""The reader registry: one entry per layer kind, matched by kind, scheme or name."""

from pathlib import Path

import pytest

from twinviewer.core.errors import LoadError
from twinviewer.io import registry
from twinviewer.io.registry import Reader, kind_of, reader_for
from twinviewer.io.scene_file import layer_keys


def test_kinds_by_name_and_first_bytes(tmp_path, shared_data):
    assert kind_of(Path("scene.toml")) == "scene"
    assert kind_of(Path("a.city.jsonl")) == "cityjson"
    assert kind_of(Path("x.glb")) == "mesh"
    assert kind_of(shared_data / "cjio" / "cube.json") == "cityjson"
    plain = tmp_path / "plain.json"
    plain.write_text('{"type": "FeatureCollection", "features": []}')
    assert kind_of(plain) == "vector"


def test_urls_go_to_the_reader_of_their_scheme():
    reader = reader_for("postgresql://alice@db/twin")
    assert reader.target.startswith("twinviewer.store.postgis:")
    with pytest.raises(LoadError, match="mesh"):
        reader_for("postgresql://alice@db/twin", "mesh")
    with pytest.raises(LoadError, match="ftp://"):
        reader_for("ftp://example/x.gpkg")


def test_unknown_kind_names_the_known_ones():
    with pytest.raises(LoadError) as err:
        reader_for(Path("x.gpkg"), "nonsense")
    assert "vector" in str(err.value) and "cityjson" in str(err.value)


def test_a_registered_reader_adds_its_kind_and_scene_file_keys(monkeypatch):
    monkeypatch.setattr(registry, "READERS", list(registry.READERS))
    registry.register_reader(Reader("probe", "json:loads", {"probe_size": int},
                                    suffixes=(".probe",)))
    assert kind_of(Path("a.probe")) == "probe"
    assert reader_for(Path("a.probe")).kind == "probe"
    assert layer_keys()["probe_size"] is int
    assert "probe" in registry.kinds()
