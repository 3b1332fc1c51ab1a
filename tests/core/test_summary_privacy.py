"""Summary exports with sensitive fields: CSV/XLSX re-read equal the (masked) table, the
one-page PDF shows no real value, and an unmasking shows real values and is logged once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import copy_demo
from twinviewer.core import privacy
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
from twinviewer.io.loader import open_scene
from twinviewer.store import GeoPackageStore
from twinviewer.store.access import auditor

pypdf = pytest.importorskip("pypdf")

SENSITIVE = ["姓名", "身份证号", "电话"]
HELP = SavedFilter("独居高龄老人", "重点人群", "年龄 >= 80 and 独居 = 1")


@pytest.fixture
def district(tmp_path):
    """A copy of the demo (unmasking writes the access log into its store), a compound
    with special-care residents selected, and a fresh privacy state."""
    scene = open_scene([copy_demo(tmp_path)])
    compounds = scene.layer("小区")
    sel = None
    for row in range(len(compounds)):
        sel = select_within(scene, footprint(compounds, row))
        care = matching_table(scene, HELP, sel, privacy=privacy.PrivacyState())
        if len(sel.get("重点人群", [])) >= 3 and len(care):
            break
    state = privacy.PrivacyState()
    yield scene, sel, state
    state.mask()


def as_text(df: pd.DataFrame) -> pd.DataFrame:
    """Cells as the text a CSV holds (missing: empty)."""
    return df.astype(object).where(df.notna(), "").astype(str)


def assert_reread_equal(back: pd.DataFrame, table: pd.DataFrame) -> None:
    """A spreadsheet read back (numbers as numbers) holds the table's values."""
    assert list(back.columns) == list(table.columns) and len(back) == len(table)
    for c in table.columns:
        if table[c].dtype.kind in "iuf":
            np.testing.assert_allclose(back[c].astype(float), table[c].astype(float),
                                       err_msg=c)
        else:
            assert as_text(back[[c]])[c].tolist() == as_text(table[[c]])[c].tolist(), c


def real_values(scene, sel) -> dict[str, list[str]]:
    df = scene.layer("重点人群").table.df.iloc[sel["重点人群"]]
    return {f: [str(v) for v in df[f]] for f in SENSITIVE}


def test_saved_filter_lists_the_old_living_alone(district):
    scene, _, state = district
    care = matching_table(scene, HELP, privacy=state)
    df = scene.layer("重点人群").table.df
    expected = df[(df["年龄"] >= 80) & (df["独居"] == 1)]
    assert care["oid"].tolist() == expected["oid"].tolist() and len(care) > 10
    assert care["年龄"].tolist() == expected["年龄"].tolist()
    assert all(n.endswith("*") and n[0] == r[0]
               for n, r in zip(care["姓名"], expected["姓名"], strict=True))


def test_exports_masked_and_reread_equal(district, tmp_path):
    scene, sel, state = district
    table = selection_table(scene, sel, privacy=state)
    real = real_values(scene, sel)
    res = table[table["图层"] == "重点人群"]
    for f in SENSITIVE:
        assert not set(res[f]) & set(real[f])
        assert all("*" in v for v in res[f])
    export_csv(tmp_path / "s.csv", table)
    back = pd.read_csv(tmp_path / "s.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    pd.testing.assert_frame_equal(back, as_text(table), check_dtype=False)
    care = matching_table(scene, HELP, sel, privacy=state)
    export_xlsx(tmp_path / "s.xlsx", summarize(scene, sel), table, {HELP.name: care})
    sheets = pd.read_excel(tmp_path / "s.xlsx", sheet_name=None)
    assert list(sheets) == ["汇总", "对象", HELP.name]
    assert_reread_equal(sheets["对象"], table)
    assert_reread_equal(sheets[HELP.name], care)
    for f in SENSITIVE:
        assert not set(sheets["对象"][f].astype(str)) & set(real[f])
        assert not set(sheets[HELP.name][f]) & set(real[f])


def test_report_one_page_without_real_values(district, tmp_path):
    scene, sel, state = district
    care = matching_table(scene, HELP, privacy=state)  # the whole district's list
    image = np.full((90, 160, 3), 200, np.uint8)
    write_report(tmp_path / "r.pdf", summarize(scene, sel), image, care, "重点人群")
    reader = pypdf.PdfReader(tmp_path / "r.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    df = scene.layer("重点人群").table.df
    shown = df[df["oid"].isin(care["oid"].head(15))]
    assert len(shown) == min(15, len(care))
    for f in SENSITIVE:
        for v in shown[f]:
            assert str(v) not in text, (f, v)
    assert care["身份证号"].iat[0] in text  # the masked form is what the report shows


def test_unmask_exports_real_values_and_logs_once(district, tmp_path):
    scene, sel, state = district
    layer = scene.layer("重点人群")
    store = GeoPackageStore(layer.source)
    assert store.access_log() == []
    state.unmask(layer, "为独居老人上门服务核对名单", auditor(scene.path, user="街道社工"))
    log = store.access_log()
    assert len(log) == 1 and log[0].purpose == "为独居老人上门服务核对名单"
    assert log[0].user == "街道社工" and sorted(log[0].fields) == sorted(SENSITIVE)
    table = selection_table(scene, sel, privacy=state)
    real = real_values(scene, sel)
    res = table[table["图层"] == "重点人群"]
    for f in SENSITIVE:
        assert res[f].tolist() == real[f]
    export_csv(tmp_path / "real.csv", table)
    back = pd.read_csv(tmp_path / "real.csv", encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)
    pd.testing.assert_frame_equal(back, as_text(table), check_dtype=False)
    assert back.loc[back["图层"] == "重点人群", "身份证号"].tolist() == real["身份证号"]
    care = matching_table(scene, HELP, privacy=state)
    write_report(tmp_path / "real.pdf", summarize(scene, sel), None, care)
    text = pypdf.PdfReader(tmp_path / "real.pdf").pages[0].extract_text()
    assert str(care["身份证号"].iat[0]) in text and "*" not in str(care["身份证号"].iat[0])
    state.mask()
    assert "*" in selection_table(scene, sel, privacy=state).loc[
        lambda d: d["图层"] == "重点人群", "电话"].iat[0]
    assert len(store.access_log()) == 1  # masking again is not an access
