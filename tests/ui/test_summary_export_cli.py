"""The Summary dock's CSV…, Excel… and Report… buttons write what
``twinviewer query ... --export`` writes for the same selection (issue 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from PySide6.QtWidgets import QPushButton

import twinviewer.ui.summary_panel as summary_panel

pytestmark = pytest.mark.gui
openpyxl = pytest.importorskip("openpyxl")
pypdf = pytest.importorskip("pypdf")

COMPOUND = 3


def query_export(scene, out):
    proc = subprocess.run([sys.executable, "-m", "twinviewer", "query", str(scene), "--within",
                           f"小区:{COMPOUND}", "--json", "--export", str(out)],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TWINVIEWER_LANG": "en"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def sheets(path) -> dict:
    book = openpyxl.load_workbook(path)
    return {s.title: [[(c.value, c.data_type) for c in row] for row in s.iter_rows()]
            for s in book.worksheets}


def test_dock_buttons_write_what_query_export_writes(main_window, qtbot, tmp_path,
                                                     monkeypatch, artifacts):
    w = main_window()
    scene_file = w.scene.path
    cli = {suffix: tmp_path / f"cli{suffix}" for suffix in (".csv", ".xlsx", ".png", ".pdf")}
    figures = [query_export(scene_file, out) for out in cli.values()][0]

    # the same objects selected in the window
    sel = w.scene.selection
    sel.clear()
    for name, oids in figures["oids"].items():
        sel.select(name, w.scene.layer(name).table.rows_of_oids(oids), add=True)
    panel = w.analysis.summary
    qtbot.waitUntil(lambda: panel.summary.objects == figures["objects"], timeout=10_000)

    gui = {suffix: tmp_path / f"gui{suffix}" for suffix in cli}
    chosen = []
    monkeypatch.setattr(summary_panel.QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(chosen[-1]), "")))
    csv_button, excel_button, report_button = panel.findChildren(QPushButton)
    for button, suffix in ((csv_button, ".csv"), (excel_button, ".xlsx"),
                           (report_button, ".png"), (report_button, ".pdf")):
        chosen.append(gui[suffix])
        button.click()
        assert gui[suffix].is_file(), suffix

    assert gui[".csv"].read_bytes() == cli[".csv"].read_bytes()
    assert sheets(gui[".xlsx"]) == sheets(cli[".xlsx"])
    # reports: the same page but for the picture of the view (the window's camera there,
    # an offscreen overview in the CLI)
    a = np.asarray(Image.open(gui[".png"]).convert("RGB"))
    b = np.asarray(Image.open(cli[".png"]).convert("RGB"))
    assert a.shape == b.shape
    assert np.array_equal(a[:90], b[:90]) and np.array_equal(a[500:], b[500:])
    text = [pypdf.PdfReader(p).pages[0].extract_text() for p in (gui[".pdf"], cli[".pdf"])]
    assert text[0] == text[1] and str(figures["objects"]) in text[0]
    Image.fromarray(a).save(artifacts / "summary_dock_report.png")
    # a file that cannot be written is said in a message box, not raised out of the slot
    said = []
    monkeypatch.setattr(summary_panel.QMessageBox, "warning",
                        staticmethod(lambda parent, title, text: said.append(text)))
    chosen.append(tmp_path / "no such folder" / "x.csv")
    csv_button.click()
    assert len(said) == 1 and "no such folder" in said[0] and "\n" not in said[0]
    w.analysis.summary_dock.raise_()
    qtbot.wait(200)
    panel.grab().save(str(artifacts / "summary_dock_chart.png"))
