"""Sensitive fields: masking rules, schema marks, the scene-file key, unmasking and its log."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DEMO_SCENE, copy_demo
from twinviewer.core import privacy
from twinviewer.core.edits import CommandStack, FieldType, RenameField
from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.core.privacy import (
    PrivacyError,
    PrivacyState,
    field_kind,
    mask_frame,
    mask_text,
    mask_values,
)
from twinviewer.core.table import ObjectTable
from twinviewer.io.loader import open_scene
from twinviewer.store import GeoPackageStore, StoreError
from twinviewer.store.access import access_log_path, auditor, read_access_file

SENSITIVE = frozenset({"姓名", "身份证号", "电话"})


@pytest.fixture
def demo_copy(tmp_path):
    return copy_demo(tmp_path)


def people() -> Layer:
    return Layer("people", "vector", ObjectTable({
        "姓名": ["张三", "欧阳娜娜", None, "李"],
        "身份证号": ["310104195003121234", "31011219881201002X", "", "1234"],
        "联系电话": ["13812345678", "021-64871234", None, "110"],
        "病史": ["高血压", None, "糖尿病", ""],
        "年龄": [76, 38, 81, 90],
    }), sensitive=frozenset({"姓名", "身份证号", "联系电话", "病史"}))


def test_masking_rules():
    assert [field_kind(f) for f in ("姓名", "联系人", "name", "身份证号", "证件号码", "id_no",
                                    "电话", "手机号", "联系人电话", "mobile", "病史")] == \
        ["name", "name", "name", "id", "id", "id", "phone", "phone", "phone", "phone", "other"]
    assert mask_text("张三", "name") == "张*"
    assert mask_text("欧阳娜娜", "name") == "欧***"
    assert mask_text("李", "name") == "李*"
    assert mask_text("310104195003121234", "id") == "310***********1234"
    assert mask_text("31011219881201002X", "id") == "310***********002X"
    assert mask_text("13812345678", "phone") == "138****5678"
    assert mask_text("021-64871234", "phone") == "021*****1234"
    assert mask_text("110", "phone") == "****"
    assert mask_text("高血压", "other") == "****"
    for kind in privacy.KINDS:
        assert mask_text(None, kind) == "" and mask_text(float("nan"), kind) == ""


def test_field_type_sensitive():
    ft = FieldType.of({"type": "text", "sensitive": True})
    assert ft.sensitive and ft.to_dict() == {"type": "text", "sensitive": True}
    assert FieldType.of(ft.to_dict()) == ft
    assert not FieldType.of("text").sensitive
    enum = FieldType.of({"type": "enum", "values": ["男", "女"], "sensitive": True})
    assert enum.values == ("男", "女") and enum.sensitive


def test_mask_values_and_frame_follow_the_state():
    layer = people()
    state = PrivacyState()
    assert mask_values(layer, "姓名", layer.table.df["姓名"], state) == ["张*", "欧***", "", "李*"]
    assert mask_values(layer, "年龄", np.array([76, 38]), state) == ["76", "38"]
    assert mask_values(layer, "病史", ["高血压"], state) == ["****"]
    df = layer.table.df
    masked = mask_frame(layer, df, state)
    assert masked is not df and df["姓名"].iat[0] == "张三"  # the layer is untouched
    assert masked["身份证号"].tolist() == ["310***********1234", "310***********002X", "",
                                        "****"]
    assert masked["联系电话"].tolist() == ["138****5678", "021*****1234", "", "****"]
    assert masked["年龄"].tolist() == df["年龄"].tolist()
    seen = []
    record = state.unmask(layer, "  核查 走访名单 ", lambda lyr, rec: seen.append(rec) or rec,
                          ["姓名"], user="tester")
    assert seen == [record] and record.purpose == "核查 走访名单" and record.fields == ["姓名"]
    assert record.user == "tester" and record.layer == "people" and record.ts.endswith("Z")
    assert mask_values(layer, "姓名", ["张三"], state) == ["张三"]
    assert mask_values(layer, "联系电话", ["13812345678"], state) == \
        ["138****5678"]  # only the fields asked for
    assert state.masked_fields(layer) == {"身份证号", "联系电话", "病史"}
    part = df[["姓名", "年龄"]]
    assert mask_frame(layer, part, state) is part  # nothing masked there: not even copied
    state.mask(layer)
    assert state.is_masked(layer, "姓名")


def test_unmask_needs_a_purpose_and_a_working_log():
    layer = people()
    state = PrivacyState()
    with pytest.raises(PrivacyError, match="purpose"):
        state.unmask(layer, "  ", lambda lyr, rec: rec)
    with pytest.raises(PrivacyError, match="not sensitive"):
        state.unmask(layer, "x", lambda lyr, rec: rec, ["年龄"])

    def broken(lyr, rec):
        raise StoreError("disk is full", "x.gpkg")

    with pytest.raises(StoreError):
        state.unmask(layer, "核查", broken)
    assert state.masked_fields(layer) == layer.sensitive  # nothing shown
    events = []
    state.changed.connect(events.append)
    state.unmask(layer, "核查", lambda lyr, rec: rec)
    assert not state.masked_fields(layer) and events == [layer]
    state.mask()
    assert state.masked_fields(layer) == layer.sensitive and events == [layer, None]


def test_demo_marks_residents_sensitive_in_its_schema():
    store = GeoPackageStore(DEMO_SCENE.parent / "district.gpkg")
    schema = store.schema("residents")
    assert {n for n, ft in schema.items() if ft.sensitive} == SENSITIVE
    assert schema["姓名"].kind == "text" and schema["年龄"].kind == "int"
    scene = open_scene([DEMO_SCENE])
    assert scene.layer("重点人群").sensitive == SENSITIVE
    assert scene.layer("重点人群").group == "人口"
    assert all(not lyr.sensitive for lyr in scene.layers if lyr.name != "重点人群")
    names = scene.layer("重点人群").table.df["姓名"]
    shown = mask_values(scene.layer("重点人群"), "姓名", names)
    assert all(s[0] == n[0] and set(s[1:]) == {"*"} for s, n in zip(shown, names, strict=True))


def test_mark_sensitive_keeps_enums_and_descriptions(demo_copy):
    gpkg = demo_copy.parent / "district.gpkg"
    store = GeoPackageStore(gpkg)
    store.declare_enum("hazards", "状态", ["待处理", "处理中", "已办结"])
    with sqlite3.connect(gpkg) as conn:
        conn.execute("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                     "description) VALUES ('hazards', '责任人', '责任人', '网格责任人')")
    store.mark_sensitive("hazards", ["责任人", "状态"])
    schema = store.schema("hazards")
    assert schema["状态"] == FieldType("enum", ("待处理", "处理中", "已办结"), sensitive=True)
    assert schema["责任人"].sensitive
    assert set(store.sensitive_fields("hazards")) == {"状态", "责任人"}
    with sqlite3.connect(gpkg) as conn:
        desc = conn.execute("SELECT description FROM gpkg_data_columns WHERE "
                            "table_name = 'hazards' AND column_name = '责任人'").fetchone()[0]
    assert desc == "网格责任人; twinviewer:sensitive"
    store.declare_enum("hazards", "状态", ["待处理", "已办结"])  # a new value list
    assert store.schema("hazards")["状态"] == FieldType("enum", ("待处理", "已办结"),
                                                     sensitive=True)
    store.mark_sensitive("hazards", ["责任人"], sensitive=False)
    assert not store.schema("hazards")["责任人"].sensitive
    with pytest.raises(StoreError, match="无此字段"):
        store.mark_sensitive("hazards", ["无此字段"])
    assert store.schema("hazards")["状态"].sensitive  # the failed call changed nothing


def test_scene_file_key(demo_copy, tmp_path):
    text = demo_copy.read_text(encoding="utf-8")
    marked = text.replace('table = "hazards"\n',
                          'table = "hazards"\nsensitive = ["责任人", "无此字段"]\n')
    assert marked != text
    demo_copy.write_text(marked, encoding="utf-8")
    scene = open_scene([demo_copy])
    hazards = scene.layer("安全隐患")
    assert hazards.sensitive == {"责任人", "无此字段"}
    assert any("无此字段" in w for w in hazards.warnings)
    assert scene.layer("重点人群").sensitive == SENSITIVE  # the schema's marks stay
    demo_copy.write_text(text.replace('table = "hazards"\n',
                                      'table = "hazards"\nsensitive = "责任人"\n'),
                         encoding="utf-8")
    with pytest.raises(LoadError, match="sensitive"):
        open_scene([demo_copy])
    demo_copy.write_text(text.replace('table = "hazards"\n',
                                      'table = "hazards"\nsensitive = [1]\n'), encoding="utf-8")
    with pytest.raises(LoadError, match="sensitive"):
        open_scene([demo_copy])


def test_unmasking_is_logged_in_the_store(demo_copy):
    scene = open_scene([demo_copy])
    layer = scene.layer("重点人群")
    state = PrivacyState()
    record = state.unmask(layer, "独居老人走访", auditor(scene.path, user="网格员甲"))
    log = GeoPackageStore(layer.source).access_log()
    assert [r.to_dict() for r in log] == [record.to_dict()]
    assert log[0].user == "网格员甲" and log[0].layer == "residents"
    assert log[0].fields == sorted(SENSITIVE) and log[0].purpose == "独居老人走访"
    assert log[0].id == 1
    # a plain sqlite3 reader sees the same row
    with sqlite3.connect(layer.source) as conn:
        rows = conn.execute("SELECT user, layer, fields, purpose FROM twinviewer_access_log"
                            ).fetchall()
    assert len(rows) == 1 and rows[0][0] == "网格员甲" and rows[0][1] == "residents"
    assert sorted(json.loads(rows[0][2])) == sorted(SENSITIVE) and rows[0][3] == "独居老人走访"
    assert not access_log_path(layer, scene.path).exists()  # not in a file as well


def test_unmasking_without_a_store_goes_to_a_file_beside_the_scene(tmp_path):
    layer = people()
    layer.source = str(tmp_path / "people.geojson")
    scene_path = tmp_path / "scene.toml"
    state = PrivacyState()
    first = state.unmask(layer, "核查", auditor(scene_path, user="a"), ["姓名"])
    state.mask()
    second = state.unmask(layer, "复核", auditor(scene_path, user="b"))
    path = tmp_path / "scene.toml.access.jsonl"
    assert access_log_path(layer, scene_path) == path
    back = read_access_file(path)
    assert [r.to_dict() for r in back] == [first.to_dict(), second.to_dict()]
    assert [r.id for r in back] == [1, 2]
    # no scene file: beside the layer's source
    assert access_log_path(layer) == tmp_path / "people.geojson.access.jsonl"


def test_search_skips_masked_fields_and_rename_keeps_the_mark():
    layer = people()
    assert layer.table.search_mask("张三").tolist() == [True, False, False, False]
    skip = privacy.STATE.masked_fields(layer)
    assert not layer.table.search_mask("张三", skip=skip).any()
    assert layer.table.search_mask("76", skip=skip).tolist() == [True, False, False, False]
    stack = CommandStack()
    stack.push(RenameField(layer, "姓名", "户主姓名"))
    assert "户主姓名" in layer.sensitive and "姓名" not in layer.sensitive
    stack.undo()
    assert "姓名" in layer.sensitive and "户主姓名" not in layer.sensitive


def test_mask_frame_with_a_pandas_frame_of_other_types():
    layer = people()
    df = pd.DataFrame({"姓名": pd.Series(["王五", None], dtype="string"), "年龄": [1, 2]})
    out = mask_frame(layer, df, PrivacyState())
    assert out["姓名"].tolist() == ["王*", ""]


def test_filter_expressions_naming_masked_fields_are_found():
    layer = people()
    state = PrivacyState()
    assert privacy.masked_names(layer, "年龄 > 80 and 姓名 = '张三'", state) == [("姓名", 12)]
    assert privacy.masked_names(layer, '"联系电话" like \'138%\'', state) == [("联系电话", 0)]
    assert privacy.masked_names(layer, "年龄 > 80 and 类别 = '姓名'", state) == []  # a value
    state.unmask(layer, "核查", lambda lyr, rec: rec, ["姓名"])
    assert privacy.masked_names(layer, "姓名 = '张三'", state) == []


def test_a_field_added_as_sensitive_is_masked_and_saved_marked(demo_copy):
    from twinviewer.core.edits import AddField

    scene = open_scene([demo_copy])
    layer = scene.layer("安全隐患")
    stack = CommandStack()
    stack.push(AddField(layer, "举报人电话", {"type": "text", "sensitive": True},
                        "13900001111"))
    assert "举报人电话" in layer.sensitive
    assert mask_values(layer, "举报人电话", ["13900001111"]) == ["139****1111"]
    GeoPackageStore(layer.source).save(stack, scene=scene, tables={layer.name: "hazards"})
    assert GeoPackageStore(layer.source).schema("hazards")["举报人电话"].sensitive
    assert open_scene([demo_copy]).layer("安全隐患").sensitive == {"举报人电话"}
    stack.undo()
    assert "举报人电话" not in layer.sensitive
