"""Selection summaries, the special-care list, CSV/XLSX exports and the report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DEMO_SCENE
from twinviewer.core.query import footprint, select_within
from twinviewer.core.summary import (
    SavedFilter,
    export_csv,
    export_xlsx,
    matching_table,
    selection_table,
    summarize,
    write_report,
)
from twinviewer.io.loader import load, spec_for


@pytest.fixture(scope="module")
def compound():
    scene = load(spec_for([DEMO_SCENE])).to_scene()
    area = footprint(scene.layer("小区"), 2)
    return scene, select_within(scene, area)


def test_compound_figures_equal_pandas(compound):
    scene, sel = compound
    s = summarize(scene, sel)
    b = scene.layer("建筑").table.df.iloc[sel["建筑"]]
    assert s.sums["人口"] == b["人口"].sum() and s.sums["户数"] == b["户数"].sum()
    assert s.layers["建筑"] == len(b) and s.objects == sum(len(v) for v in sel.values())
    name = scene.layer("小区").table.df["名称"].iat[2]
    assert set(b["小区"]) == {name}
    assert s.classes["住宅楼"] == (b["类别"] == "住宅楼").sum()


def test_special_care_list(compound):
    scene, sel = compound
    care = matching_table(scene, SavedFilter("独居或残疾", "人口", "独居老人 > 0 or 残疾人 > 0"),
                          sel)
    pop = scene.layer("人口").table.df.iloc[sel["人口"]]
    expected = pop[(pop["独居老人"] > 0) | (pop["残疾人"] > 0)]
    assert care["oid"].tolist() == expected["oid"].tolist()
    assert care["地址"].notna().all() and care["楼栋"].notna().all()


def test_exports_reread_equal(compound, tmp_path):
    scene, sel = compound
    table = selection_table(scene, sel)
    export_csv(tmp_path / "s.csv", table)
    back = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig")
    assert back.shape == table.shape and list(back.columns) == list(table.columns)
    assert back["oid"].tolist() == table["oid"].tolist()
    export_xlsx(tmp_path / "s.xlsx", summarize(scene, sel), table)
    x = pd.read_excel(tmp_path / "s.xlsx", sheet_name="对象")
    assert x["图层"].tolist() == table["图层"].tolist()
    assert x["oid"].tolist() == table["oid"].tolist()


def test_report_has_one_page(compound, tmp_path):
    scene, sel = compound
    image = np.full((90, 160, 3), 180, np.uint8)
    write_report(tmp_path / "r.pdf", summarize(scene, sel), image,
                 matching_table(scene, scene.filters[0], sel), "报告")
    data = (tmp_path / "r.pdf").read_bytes()
    assert data.startswith(b"%PDF") and b"/Count 1 " in data.replace(b"/Count 1>", b"/Count 1 ")
    write_report(tmp_path / "r.png", summarize(scene, sel), image)
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
