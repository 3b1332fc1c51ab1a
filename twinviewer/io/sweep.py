"""Hazard-sweep spreadsheets (排查表, XLSX or CSV in UTF-8 or GBK) matched to buildings.

Each row names a hazard and where it is.  A row is placed on a building by, in
this order:

1. its building code (``楼栋编号`` / ``建筑编号`` / ``编号``) against the buildings
   layer's code column (``编号`` when the layer has one, else the object id);
2. its address: ``门牌`` / ``地址`` text against the buildings' ``地址``, or
   ``小区`` + ``楼栋`` (e.g. ``丰辉家园`` + ``1号楼``) against ``名称``, compared after
   Unicode NFKC folding (full-width digits) and without spaces;
3. its coordinates: ``X``/``Y`` in the scene CRS, or ``经度``/``纬度`` (WGS 84, or
   GCJ-02 is not guessed: give WGS 84), inside a footprint or within 15 m of one.

A row that none of them places is returned with the reason; nothing is decided
here about filing (see ``twinviewer cases import``).
"""

from __future__ import annotations

import csv
import io as _io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

CODE_COLUMNS = ("楼栋编号", "建筑编号", "编号", "building_code")
ADDRESS_COLUMNS = ("门牌", "地址", "门牌地址", "address")
NEAR_M = 15.0
MAX_ROWS = 200_000


@dataclass
class SweepRow:
    """One spreadsheet row: what it says and where it landed."""

    row: int  # 1-based spreadsheet row (the header is row 1)
    values: dict
    oid: int | None = None
    how: str = ""  # code | address | coordinates
    reason: str = ""  # why it could not be placed


@dataclass
class SweepPlan:
    """Every row of a sheet, placed or not."""

    path: Path
    rows: list[SweepRow] = field(default_factory=list)

    @property
    def matched(self) -> list[SweepRow]:
        return [r for r in self.rows if r.oid is not None]

    @property
    def unmatched(self) -> list[SweepRow]:
        return [r for r in self.rows if r.oid is None]


def read_sheet(path: str | Path) -> pd.DataFrame:
    """The rows of an XLSX or CSV sheet as text (CSV: UTF-8, else GBK)."""
    path = Path(path)
    if not path.is_file():
        raise LoadError(translate("LoadError", "file not found"), path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            df = pd.read_excel(path, dtype=str, engine="openpyxl")
        elif suffix in (".csv", ".txt"):
            raw = path.read_bytes()
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = raw.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise LoadError(translate("LoadError", "is neither UTF-8 nor GBK text"), path)
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text else "excel"
            df = pd.read_csv(_io.StringIO(text), dtype=str, sep=dialect.delimiter
                             if not isinstance(dialect, str) else ",", keep_default_na=False)
        else:
            raise LoadError(translate("LoadError", "a sweep sheet must be .xlsx or .csv"), path)
    except LoadError:
        raise
    except Exception as exc:  # openpyxl / csv raise many kinds on damaged files
        raise LoadError(translate("LoadError", "cannot read the sheet: {detail}").format(
            detail=f"{type(exc).__name__}: {exc}"), path) from None
    if len(df) > MAX_ROWS:
        raise LoadError(translate("LoadError", "has {n} rows; at most {max} are read").format(
            n=len(df), max=MAX_ROWS), path)
    df.columns = [str(c).strip() for c in df.columns]
    return df.fillna("")


def fold(text) -> str:
    """Text for comparing addresses: NFKC (full-width to half-width), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _first(values: dict, names) -> str:
    for n in names:
        v = str(values.get(n, "") or "").strip()
        if v:
            return v
    return ""


def match_rows(sheet: pd.DataFrame, buildings: pd.DataFrame, footprints, *, path: Path,
               to_layer=None) -> SweepPlan:
    """Place every row of ``sheet`` on a building.

    Parameters
    ----------
    sheet : DataFrame
        From :func:`read_sheet`.
    buildings : DataFrame
        The buildings layer's attributes with an ``oid`` column (and ``编号``,
        ``名称``, ``地址``, ``小区`` where it has them).
    footprints : array of shapely geometries
        The buildings' footprints in the layer's CRS, row for row.
    to_layer : callable, optional
        ``(lon, lat) -> (x, y)`` arrays into the layer's CRS, for ``经度``/``纬度``.
    """
    import shapely

    plan = SweepPlan(path)
    oids = buildings["oid"].to_numpy()
    code_col = next((c for c in ("编号", "楼栋编号", "建筑编号") if c in buildings), None)
    codes = {fold(v): o for v, o in zip(buildings[code_col] if code_col else oids, oids,
                                        strict=True)}
    by_address: dict[str, list[int]] = {}
    for col in ("地址", "名称"):
        if col in buildings:
            for v, o in zip(buildings[col], oids, strict=True):
                if str(v or ""):
                    by_address.setdefault(fold(v), []).append(int(o))
    if "小区" in buildings and "名称" in buildings:
        for c, n, o in zip(buildings["小区"], buildings["名称"], oids, strict=True):
            by_address.setdefault(fold(n), [])  # 名称 already holds 小区 + 楼栋 in most sets
            by_address.setdefault(fold(f"{c}{n}"), []).append(int(o))
    tree = shapely.STRtree(footprints)

    for i, values in enumerate(sheet.to_dict("records")):
        r = SweepRow(i + 2, values)
        plan.rows.append(r)
        code = _first(values, CODE_COLUMNS)
        address = _first(values, ADDRESS_COLUMNS)
        compound, block = _first(values, ("小区",)), _first(values, ("楼栋", "楼号"))
        if not (_first(values, ("小类", "隐患类别")) or _first(values, ("类别",))):
            r.reason = translate("cases", "no 类别 or 小类")
            continue
        if code:
            if fold(code) in codes:
                r.oid, r.how = int(codes[fold(code)]), "code"
                continue
            r.reason = translate("cases", "no building with code {code!r}").format(code=code)
        texts = [t for t in (address, f"{compound}{block}" if block else "") if t]
        placed = False
        for text in texts:
            hits = by_address.get(fold(text), [])
            if len(set(hits)) == 1:
                r.oid, r.how, placed = hits[0], "address", True
                break
            if len(set(hits)) > 1:
                r.reason = translate("cases", "address {text!r} names {n} buildings").format(
                    text=text, n=len(set(hits)))
            elif not r.reason:
                r.reason = translate("cases", "no building at address {text!r}").format(
                    text=text)
        if placed:
            r.reason = ""
            continue
        xy = _coordinates(values, to_layer)
        if xy is None:
            if not r.reason:
                r.reason = translate("cases", "no building code, address or coordinates")
            continue
        if xy is False:
            r.reason = translate("cases", "coordinates are not numbers")
            continue
        pt = shapely.points(*xy)
        inside = tree.query(pt, predicate="within")
        if len(inside) == 0:
            inside = tree.query(pt, predicate="dwithin", distance=NEAR_M)
        if len(inside) == 0:
            r.reason = translate("cases", "coordinates ({x:.1f}, {y:.1f}) are not on or within "
                                          "{m:.0f} m of a building").format(x=xy[0], y=xy[1],
                                                                            m=NEAR_M)
            continue
        if len(inside) > 1:
            d = shapely.distance(footprints[inside], pt)
            inside = inside[np.argsort(d)]
        r.oid, r.how, r.reason = int(oids[inside[0]]), "coordinates", ""
    return plan


def _coordinates(values: dict, to_layer):
    x, y = _first(values, ("X", "x", "东坐标")), _first(values, ("Y", "y", "北坐标"))
    lon, lat = _first(values, ("经度", "lon", "lng")), _first(values, ("纬度", "lat"))
    try:
        if x and y:
            return float(x), float(y)
        if lon and lat and to_layer is not None:
            px, py = to_layer(np.array([float(lon)]), np.array([float(lat)]))
            return float(px[0]), float(py[0])
    except ValueError:
        return False
    return None
