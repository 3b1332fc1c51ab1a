"""Summaries of a selection: counts per class and layer, sums and means, saved filters."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from twinviewer.core.export_safety import safe_frame
from twinviewer.core.fonts import cjk_families, cjk_rc
from twinviewer.core.privacy import PrivacyState, mask_frame
from twinviewer.core.query import FilterEngine, _vertices_xy, footprints

SUM_FIELDS = ("户数", "人口")
BUILDING_FIELDS = ("楼栋", "名称")
ADDRESS_FIELDS = ("地址",)


@dataclass
class SavedFilter:
    """A named filter expression on one layer (e.g. special-care residents)."""

    name: str
    layer: str
    expression: str


@dataclass
class Summary:
    """Figures of a set of objects.

    ``sums``/``means`` are per numeric field over the layers that have it.
    """

    objects: int = 0
    classes: dict[str, int] = field(default_factory=dict)
    layers: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)
    means: dict[str, float] = field(default_factory=dict)
    oids: dict[str, list] = field(default_factory=dict)

    def as_json(self) -> dict:
        return {"objects": self.objects, "classes": self.classes, "layers": self.layers,
                "sums": self.sums, "oids": self.oids}


def summarize(scene, selected: dict[str, np.ndarray] | None = None,
              fields: tuple[str, ...] | list[str] = SUM_FIELDS, *,
              sum_layers: tuple[str, ...] | None = None) -> Summary:
    """Counts, sums and means of ``selected`` (rows per layer; default: the selection).

    Parameters
    ----------
    scene : Scene
    selected : dict of layer name -> rows, optional
    fields : sequence of str
        Numeric fields summed and averaged (where a layer has them).
    sum_layers : tuple of str, optional
        Only these layers count towards sums (so residents are not counted twice
        when both buildings and population points carry 人口).  Default: the first
        selected layer, in scene order, that has the field.

    Examples
    --------
    >>> s = summarize(scene, {"建筑": np.array([0, 1])})  # doctest: +SKIP
    >>> s.sums["人口"]  # doctest: +SKIP
    """
    if selected is None:
        selected = {n: scene.selection.rows(n) for n in scene.selection.layers()}
    out = Summary()
    classes: Counter = Counter()
    values: dict[str, np.ndarray] = {}
    for layer in scene.layers:
        rows = np.asarray(selected.get(layer.name, []), dtype=np.int64)
        rows = rows[rows < len(layer)]
        if not len(rows):
            continue
        out.layers[layer.name] = int(len(rows))
        out.objects += int(len(rows))
        out.oids[layer.name] = [_plain(v) for v in layer.table.oid[rows]]
        cls = layer.class_of_rows()[rows] if layer.class_field else None
        if cls is None or not len(cls):
            classes[layer.name] += int(len(rows))
        else:
            classes.update(Counter(str(c) or layer.name for c in cls))
        df = layer.table.df
        for f in fields:
            if f not in df.columns or df[f].dtype.kind not in "iuf":
                continue
            if sum_layers is not None and layer.name not in sum_layers:
                continue
            if sum_layers is None and f in values and len(values[f]) >= len(rows):
                continue  # the layer with most selected objects having the field wins
            values[f] = df[f].to_numpy()[rows].astype(np.float64)
    out.classes = dict(classes.most_common())
    for f in fields:
        if f in values:
            v = values[f][np.isfinite(values[f])]
            out.sums[f] = _number(v.sum())
            out.means[f] = float(v.mean()) if len(v) else float("nan")
    return out


def _number(v: float):
    return int(v) if float(v).is_integer() else float(v)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def matching_table(scene, saved: SavedFilter, selected: dict[str, np.ndarray] | None = None,
                   engine: FilterEngine | None = None, *,
                   privacy: PrivacyState | None = None) -> pd.DataFrame:
    """Objects of ``saved.layer`` matching its expression (within ``selected`` when that
    holds rows of the layer), with the building and address they belong to.

    The building is the object's own building field (``楼栋``/``名称``) or the
    building whose footprint contains it; the address comes from that building.
    Sensitive fields come masked unless unmasked in ``privacy`` (default: the
    process's :data:`~twinviewer.core.privacy.STATE`).
    """
    engine = engine or FilterEngine()
    layer = scene.layer(saved.layer)
    mask = engine.mask(layer, saved.expression)
    if selected is not None:
        mine = np.zeros(len(layer), dtype=bool)
        rows = np.asarray(selected.get(layer.name, []), dtype=np.int64)
        mine[rows[rows < len(layer)]] = True
        mask &= mine
    rows = np.nonzero(mask)[0]
    df = layer.table.df.iloc[rows].reset_index(drop=True)
    building, address = _buildings_of(scene, layer, rows)
    out = df.copy()
    if "楼栋" not in out.columns:
        out.insert(1, "楼栋", building)
    if "地址" not in out.columns:
        out.insert(2, "地址", address)
    return mask_frame(layer, out, privacy)


def _buildings_of(scene, layer, rows: np.ndarray) -> tuple[list, list]:
    """Building name and address of each row: by its own fields, else the building
    layer whose footprint hull contains its centre (or the nearest within 50 m)."""
    n = len(rows)
    names = [None] * n
    addresses = [None] * n
    buildings = next((lyr for lyr in scene.layers if lyr is not layer and
                      "地址" in lyr.table.df.columns and "名称" in lyr.table.df.columns and
                      lyr.name in ("建筑", "buildings")), None)
    if buildings is None or not n:
        return names, addresses
    bdf = buildings.table.df
    own = next((f for f in BUILDING_FIELDS if f in layer.table.df.columns), None)
    if own is not None:
        keys = layer.table.df[own].to_numpy()[rows]
        by_name = dict(zip(bdf["名称"].astype(object), bdf["地址"].astype(object),
                           strict=True))
        return [_plain(k) for k in keys], [by_name.get(k) for k in keys]
    hulls = footprints(buildings)
    tree = shapely.STRtree(hulls)
    c = layer.object_centers()[rows]
    pts = shapely.points(c[:, :2])
    # inside a building's outline, or the nearest building within 50 m
    hit_pt, hit_b = tree.query_nearest(pts, max_distance=50.0)
    # hull index -> building row: hulls are ordered by row among rows with geometry
    _xy, owner = _vertices_xy(buildings)
    brows = np.unique(owner)
    for p, b in zip(hit_pt, hit_b, strict=True):
        r = int(brows[b])
        names[p] = bdf["名称"].iat[r]
        addresses[p] = bdf["地址"].iat[r]
    return names, addresses


# -- tables, exports and the one-page report --------------------------------
LAYER_COLUMN = "图层"


def selection_table(scene, selected: dict[str, np.ndarray], *,
                    privacy: PrivacyState | None = None) -> pd.DataFrame:
    """Rows of every selected object, layer by layer, with a ``图层`` column first.

    Sensitive fields come masked unless unmasked in ``privacy`` (default: the
    process's :data:`~twinviewer.core.privacy.STATE`).
    """
    parts = []
    for layer in scene.layers:
        rows = np.asarray(selected.get(layer.name, []), dtype=np.int64)
        rows = rows[rows < len(layer)]
        if len(rows):
            df = mask_frame(layer, layer.table.df.iloc[rows].reset_index(drop=True), privacy)
            df.insert(0, LAYER_COLUMN, layer.name)
            parts.append(df)
    if not parts:
        return pd.DataFrame(columns=[LAYER_COLUMN, "oid"])
    return pd.concat(parts, ignore_index=True)


def summary_frame(summary: Summary) -> pd.DataFrame:
    """The figures as a two-column table (what, value)."""
    rows = [("对象数", summary.objects)]
    rows += [(f"图层 {k}", v) for k, v in summary.layers.items()]
    rows += [(f"类别 {k}", v) for k, v in summary.classes.items()]
    rows += [(f"{k} 合计", v) for k, v in summary.sums.items()]
    rows += [(f"{k} 平均", round(v, 2)) for k, v in summary.means.items()]
    return pd.DataFrame(rows, columns=["项目", "数值"])


def export_csv(path, table: pd.DataFrame) -> None:
    """UTF-8 with a byte-order mark, so Excel shows the Chinese text right.

    Text that a spreadsheet would read as a formula is quoted
    (:func:`~twinviewer.core.export_safety.safe_frame`).  Lines end in CRLF as
    RFC 4180 says; then a value holding a carriage return is put in double quotes
    too (with ``\\n`` endings it would split the row).
    """
    safe_frame(table).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")


def export_xlsx(path, summary: Summary, table: pd.DataFrame,
                extra: dict[str, pd.DataFrame] | None = None) -> None:
    """Sheets: 汇总 (figures), 对象 (the selected objects), then ``extra`` sheets.

    Every sheet goes through :func:`~twinviewer.core.export_safety.safe_frame`,
    and every text cell is typed as text, so no value becomes a live formula.
    """
    sheets = {"汇总": summary_frame(summary), "对象": table}
    for name, df in (extra or {}).items():
        sheets.setdefault(_sheet_name(name), df)
    write_sheets(path, sheets)


def write_sheets(path, sheets: dict[str, pd.DataFrame]) -> None:
    """An XLSX workbook of ``sheets`` (name -> table), formula-safe: every table goes
    through :func:`~twinviewer.core.export_safety.safe_frame` and every text cell is
    typed as text. Sheet names are made valid for Excel."""
    sheets = {_sheet_name(name): df for name, df in sheets.items()}
    with pd.ExcelWriter(path, engine="openpyxl") as xw:
        for name, df in sheets.items():
            _xlsx_text(safe_frame(df)).to_excel(xw, sheet_name=name, index=False)
        for sheet in xw.book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":  # openpyxl types any str starting "=" so
                        cell.data_type = "s"


_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def _sheet_name(name: str) -> str:
    """An Excel sheet name: at most 31 characters, none of ``\\ / * ? : [ ]``."""
    return _SHEET_FORBIDDEN.sub("_", str(name)).strip("'")[:31] or "list"


def _xlsx_text(df: pd.DataFrame) -> pd.DataFrame:
    """Control characters removed from text cells (openpyxl refuses them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if col.dtype.kind in "iufcbmM":
            continue
        out.isetitem(i, col.astype(object).map(
            lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v))
    out.columns = [ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c
                   for c in out.columns]
    return out


def report_figure(summary: Summary, image: np.ndarray | None = None,
                  table: pd.DataFrame | None = None, title: str = ""):
    """A one-page A4 figure: the view, the figures, a bar chart of classes and a table.

    Text is drawn with the CJK font file of :func:`~twinviewer.core.fonts.cjk_rc`
    (whatever matplotlib's font cache holds); table values are neutralised by
    :func:`~twinviewer.core.export_safety.safe_frame` and never read as mathtext.
    """
    from matplotlib.figure import Figure

    family = cjk_families()
    fig = Figure(figsize=(8.27, 11.69), dpi=100)
    fig.set_layout_engine("none")
    with _rc(cjk_rc()):
        fig.suptitle(title or "选区汇总", fontsize=16, fontfamily=family)
        ax = fig.add_axes((0.05, 0.58, 0.9, 0.34))
        ax.axis("off")
        if image is not None:
            ax.imshow(image)
        text = [f"对象 {summary.objects}"] + [f"{k} 合计 {v:,}" for k, v in summary.sums.items()]
        fig.text(0.05, 0.55, "   ".join(text), fontsize=11, fontfamily=family,
                 parse_math=False)
        bar = fig.add_axes((0.12, 0.34, 0.83, 0.18))
        classes = list(summary.classes.items())[:12]
        bar.barh([c for c, _ in classes][::-1], [n for _, n in classes][::-1],
                 color="#3182bd")
        bar.tick_params(labelfontfamily=family)  # kept for ticks made at draw time
        for lbl in bar.get_yticklabels():
            lbl.set_parse_math(False)
        bar.set_xlabel("数量", fontfamily=family)
        tab = fig.add_axes((0.05, 0.03, 0.9, 0.27))
        tab.axis("off")
        if table is not None and len(table):
            shown = safe_frame(table.head(15)).astype(str)
            cols = list(shown.columns)[:8]
            t = tab.table(cellText=shown[cols].to_numpy().tolist(), colLabels=cols,
                          loc="upper center", cellLoc="left")
            t.auto_set_font_size(False)
            t.set_fontsize(7)
            for cell in t.get_celld().values():
                cell.get_text().set_fontfamily(family)
                cell.get_text().set_parse_math(False)  # "$x$" in a value is text, not math
    return fig


def _rc(params):
    import matplotlib as mpl

    return mpl.rc_context(params)


def write_report(path, summary: Summary, image: np.ndarray | None = None,
                 table: pd.DataFrame | None = None, title: str = "") -> None:
    """Save the one-page report as PNG or PDF (by the file's suffix)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = report_figure(summary, image, table, title)
    FigureCanvasAgg(fig)
    with _rc(cjk_rc()):  # tick labels are made while saving
        fig.savefig(str(path))
