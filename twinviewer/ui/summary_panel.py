"""Summary dock: figures of the selection, a bar chart, the special-care list, exports."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtCore import QSignalBlocker, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from twinviewer.core.errors import LoadError
from twinviewer.core.fonts import cjk_families, use_cjk_font
from twinviewer.core.query import FilterEngine
from twinviewer.core.scene import Scene
from twinviewer.core.selection_export import (
    SelectionExport,
    care_list,
    selection_export,
    write_export,
)
from twinviewer.core.summary import Summary, selection_table, summarize
from twinviewer.ui.table_model import ObjectTableModel

log = logging.getLogger(__name__)


class _FrameModel(ObjectTableModel):
    """A read-only table over a plain DataFrame (the special-care list)."""

    def set_frame(self, df: pd.DataFrame) -> None:
        from twinviewer.core.layer import Layer
        from twinviewer.core.table import ObjectTable

        table = ObjectTable(df.drop(columns=["oid"]) if "oid" in df else df,
                            oid=df["oid"].to_numpy() if "oid" in df else None)
        self.set_layer(Layer("list", "vector", table))


class SummaryPanel(QWidget):
    """Follows the selection; recomputes at most once per event-loop turn."""

    def __init__(self, parent=None, image_source=None) -> None:
        super().__init__(parent)
        self.scene: Scene | None = None
        self.engine = FilterEngine()
        self.image_source = image_source  # callable -> (h, w, 3) uint8 screenshot
        self.summary = Summary()
        self.help_table = pd.DataFrame()
        self.figures = QLabel(self)
        self.figures.setObjectName("summaryFigures")
        self.figures.setWordWrap(True)
        use_cjk_font()  # the chart redraws whenever Qt repaints it, outside any rc_context
        self.figure = Figure(figsize=(4, 2.2), dpi=90)
        self.canvas = FigureCanvasQTAgg(self.figure)
        self.canvas.setMinimumHeight(130)
        self.filter_box = QComboBox(self)
        self.filter_box.setObjectName("savedFilterBox")
        self.filter_box.setToolTip(self.tr("The scene file's saved filters ([[filters]]); "
                                           "save one from the table's filter bar"))
        self.filter_box.currentIndexChanged.connect(lambda *_: self.refresh())
        self.help_model = _FrameModel(parent=self)
        self.help_view = QTableView(self)
        self.help_view.setObjectName("helpList")
        self.help_view.setModel(self.help_model)
        buttons = QHBoxLayout()
        for text, slot in ((self.tr("CSV…"), self.export_csv_dialog),
                           (self.tr("Excel…"), self.export_xlsx_dialog),
                           (self.tr("Report…"), self.report_dialog)):
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.figures)
        lay.addWidget(self.canvas, 1)
        lay.addWidget(QLabel(self.tr("Who needs help (saved filter):"), self))
        lay.addWidget(self.filter_box)
        lay.addWidget(self.help_view, 2)
        lay.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)

    def set_scene(self, scene: Scene) -> None:
        if self.scene is not None:
            self.scene.selection.changed.disconnect(self._schedule)
        self.scene = scene
        self.engine.invalidate()
        scene.selection.changed.connect(self._schedule)
        self.fill_filters()
        self.refresh()

    def fill_filters(self, current: str | None = None) -> None:
        """List the scene's saved filters (keeping or choosing ``current`` by name)."""
        current = current or (self.filter_box.currentData().name
                              if self.filter_box.currentData() else None)
        with QSignalBlocker(self.filter_box):
            self.filter_box.clear()
            for f in self.scene.filters:
                self.filter_box.addItem(f"{f.name}  ({f.layer}: {f.expression})", f)
            names = [f.name for f in self.scene.filters]
            if current in names:
                self.filter_box.setCurrentIndex(names.index(current))

    def _schedule(self, *_args) -> None:
        self._timer.start()

    def selected(self) -> dict[str, np.ndarray]:
        sel = self.scene.selection
        return {n: sel.rows(n) for n in sel.layers()}

    def refresh(self) -> None:
        if self.scene is None:
            return
        selected = self.selected()
        self.summary = summarize(self.scene, selected)
        s = self.summary
        parts = [self.tr("{n} objects selected").format(n=f"{s.objects:,}")]
        parts += [self.tr("{f}: total {v:,}, mean {m:.1f}").format(f=f, v=v, m=s.means[f])
                  for f, v in s.sums.items()]
        parts += [f"{k} {v}" for k, v in s.layers.items()]
        self.figures.setText("\n".join(parts[:2 + len(s.sums)]) +
                             ("\n" + ", ".join(parts[1 + len(s.sums):]) if s.layers else ""))
        self._draw_chart()
        self.help_table = self._help(selected)
        self.help_model.set_frame(self.help_table)

    def _help(self, selected) -> pd.DataFrame:
        return care_list(self.scene, self.filter_box.currentData(), selected, self.engine)

    def _draw_chart(self) -> None:
        family = cjk_families()
        self.figure.clear()
        ax = self.figure.add_subplot(111)
        items = list(self.summary.classes.items())[:10]
        if items:
            ax.barh([k for k, _ in items][::-1], [v for _, v in items][::-1], color="#3182bd")
            ax.tick_params(labelfontfamily=family)  # kept for ticks made at draw time
            for lbl in ax.get_yticklabels():
                lbl.set_parse_math(False)  # a class named "$x$" is text, not math
        ax.set_title(self.tr("Objects by class"), fontfamily=family, fontsize=9)
        ax.tick_params(labelsize=8)
        self.figure.tight_layout()
        self.canvas.draw_idle()

    # -- exports --------------------------------------------------------------
    def table(self) -> pd.DataFrame:
        return selection_table(self.scene, self.selected())

    def export(self, title: str = "") -> SelectionExport:
        """What the buttons write: the same as ``twinviewer query ... --export``."""
        return selection_export(self.scene, self.selected(), self.filter_box.currentData(),
                                engine=self.engine, title=title)

    def export_csv(self, path) -> None:
        write_export(path, self.export(), as_suffix=".csv")

    def export_xlsx(self, path) -> None:
        write_export(path, self.export(), as_suffix=".xlsx")

    def export_report(self, path, title: str = "") -> None:
        """A PNG when ``path`` ends in ``.png``, else a PDF."""
        image = self.image_source() if self.image_source is not None else None
        suffix = ".png" if str(path).lower().endswith(".png") else ".pdf"
        write_export(path, self.export(title), image, as_suffix=suffix)

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export CSV"), "selection.csv",
                                              self.tr("CSV (*.csv)"))
        if path:
            self._write(self.export_csv, path)

    def export_xlsx_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export Excel"), "selection.xlsx",
                                              self.tr("Excel workbook (*.xlsx)"))
        if path:
            self._write(self.export_xlsx, path)

    def report_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save report"), "report.pdf",
                                              self.tr("PDF (*.pdf);;PNG image (*.png)"))
        if path:
            self._write(self.export_report, path)

    def _write(self, export, path: str) -> None:
        """Run an export; a file that cannot be written (open in Excel, no permission) is
        said in a message box instead of escaping the slot."""
        try:
            export(path)
        except LoadError as exc:
            QMessageBox.warning(self, self.tr("Export failed"), exc.message)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Export failed"), self.tr(
                "{path}: cannot write the file ({detail})").format(
                    path=path, detail=exc.strerror or exc))
