"""Chinese in the Summary chart and the report, with a matplotlib font cache that
predates the CJK font (issue 12).

Each check runs in a fresh process whose ``MPLCONFIGDIR`` holds a font cache
built by matplotlib and then stripped of every entry of the CJK font file, as if
the font had been installed after matplotlib first ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from twinviewer.core.fonts import cjk_font_file

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(cjk_font_file() is None,
                                reason="no CJK font (scripts/setup.sh installs one)")


@pytest.fixture(scope="module")
def stale_cache(tmp_path_factory) -> Path:
    """An MPLCONFIGDIR whose fontlist json knows nothing of the CJK font file."""
    folder = tmp_path_factory.mktemp("mplconfig")
    env = {**os.environ, "MPLCONFIGDIR": str(folder)}
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env,
                   check=True, timeout=300)
    (cache,) = folder.glob("fontlist-*.json")
    data = json.loads(cache.read_text(encoding="utf-8"))
    font = Path(cjk_font_file()).resolve()
    for key in ("ttflist", "afmlist"):
        data[key] = [f for f in data[key] if Path(f["fname"]).resolve() != font]
    cache.write_text(json.dumps(data), encoding="utf-8")
    return folder


def run_with(stale_cache: Path, code: str) -> dict:
    """Run ``code`` (which prints one JSON line last) with the stale font cache."""
    prelude = textwrap.dedent("""
        import json, warnings
        from pathlib import Path
        warnings.simplefilter("always")
        caught = warnings.catch_warnings(record=True)
        seen = caught.__enter__()
        from matplotlib import font_manager
        from twinviewer.core.fonts import cjk_font_file
        stale = not any(Path(f.fname).resolve() == Path(cjk_font_file()).resolve()
                        for f in font_manager.fontManager.ttflist)
        def glyph_warnings():
            return [str(w.message) for w in seen if "missing from font" in str(w.message)]
        def font_of(text):
            return str(Path(font_manager.findfont(text.get_fontproperties())).resolve())
    """)
    env = {**os.environ, "MPLCONFIGDIR": str(stale_cache), "PYTHONPATH": str(ROOT),
           "QT_QPA_PLATFORM": "offscreen", "TWINVIEWER_LANG": "zh_CN"}
    proc = subprocess.run([sys.executable, "-c", prelude + textwrap.dedent(code)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_report_draws_chinese_with_a_stale_font_cache(stale_cache, tmp_path):
    out = run_with(stale_cache, f"""
        import numpy as np, pandas as pd
        from PIL import Image
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from twinviewer.core.summary import Summary, report_figure, write_report

        s = Summary(objects=3, classes={{"住宅楼": 2, "商铺": 1}}, sums={{"人口": 12}})
        table = pd.DataFrame({{"图层": ["建筑", "建筑"], "名称": ["一号楼", "二号楼"]}})
        fig = report_figure(s, None, table, "街道汇总")
        FigureCanvasAgg(fig).draw()
        fonts = {{t.get_text(): font_of(t) for t in fig.findobj(
            lambda a: hasattr(a, "get_fontproperties") and hasattr(a, "get_text"))
            if any("\\u4e00" <= ch <= "\\u9fff" for ch in t.get_text())}}
        tops = []
        for title in ("街道汇总", "人口统计"):
            path = r"{tmp_path}" + "/r_" + str(len(tops)) + ".png"
            write_report(path, s, None, table, title)
            tops.append(np.asarray(Image.open(path).convert("L"))[:90])
        print(json.dumps({{"stale": stale, "warnings": glyph_warnings(), "fonts": fonts,
                          "titles_differ": int((tops[0] != tops[1]).sum()),
                          "title_ink": int((tops[0] < 128).sum())}}))
    """)
    assert out["stale"], "the cache still knows the CJK font: the test proves nothing"
    assert out["warnings"] == []
    font = str(Path(cjk_font_file()).resolve())
    assert out["fonts"] and set(out["fonts"].values()) == {font}, out["fonts"]
    # two different titles of four characters each: boxes (tofu) would be the same pixels
    assert out["title_ink"] > 100 and out["titles_differ"] > 100, out


def test_summary_chart_draws_chinese_with_a_stale_font_cache(stale_cache):
    out = run_with(stale_cache, """
        from PySide6.QtWidgets import QApplication
        from twinviewer.core.summary import Summary
        from twinviewer.ui.summary_panel import SummaryPanel

        app = QApplication([])
        panel = SummaryPanel()
        panel.summary = Summary(objects=3, classes={"住宅楼": 2, "商铺": 1})
        panel._draw_chart()
        panel.canvas.draw()
        ax = panel.figure.axes[0]
        texts = [*ax.get_yticklabels(), ax.title]
        print(json.dumps({"stale": stale, "warnings": glyph_warnings(),
                          "fonts": {t.get_text(): font_of(t) for t in texts}}))
    """)
    assert out["stale"]
    assert out["warnings"] == []
    font = str(Path(cjk_font_file()).resolve())
    assert {"住宅楼", "商铺"} <= set(out["fonts"])
    assert all(v == font for k, v in out["fonts"].items() if not k.isascii()), out["fonts"]
