"""What the Summary dock exports for a selection, and writing it as CSV, XLSX, PDF or PNG.

One path for the window and the command line: the Summary dock's CSV…, Excel…
and Report… buttons and ``twinviewer query ... --export FILE`` both build a
:class:`SelectionExport` with :func:`selection_export` and write it with
:func:`write_export`, so the same selection gives the same file, masked the same
way (:mod:`twinviewer.core.privacy`) and safe from formula injection
(:mod:`twinviewer.core.export_safety`).  No Qt, no VTK: the view's picture is
handed in as an array.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from twinviewer.core.errors import LoadError
from twinviewer.core.privacy import PrivacyState
from twinviewer.core.query import FilterEngine, QueryError
from twinviewer.core.summary import (
    SUM_FIELDS,
    SavedFilter,
    Summary,
    export_csv,
    export_xlsx,
    matching_table,
    selection_table,
    summarize,
    write_report,
)
from twinviewer.i18n import translate

EXPORT_SUFFIXES = (".csv", ".xlsx", ".pdf", ".png")
"""The files an export writes, by suffix."""

REPORT_SUFFIXES = (".pdf", ".png")
"""The suffixes that write the one-page report (they show the view's picture)."""


@dataclass
class SelectionExport:
    """Everything an export of one selection writes.

    Attributes
    ----------
    summary : Summary
        The figures (the XLSX 汇总 sheet, the report's text and bar chart).
    table : pandas.DataFrame
        Every selected object, masked (CSV, the XLSX 对象 sheet).
    care_list : pandas.DataFrame
        The saved filter's matches, masked (an XLSX sheet named ``care_name``;
        the report's table when not empty, else ``table``).
    care_name : str
        Name of that sheet: the saved filter's name, or ``"list"``.
    title : str
        The report's title (default: the scene's name).
    """

    summary: Summary
    table: pd.DataFrame
    care_list: pd.DataFrame
    care_name: str = "list"
    title: str = ""


def care_list(scene, saved: SavedFilter | None, selected: dict[str, np.ndarray] | None,
              engine: FilterEngine | None = None, *,
              privacy: PrivacyState | None = None) -> pd.DataFrame:
    """The Summary dock's "who needs help" list: ``saved``'s matches in ``selected``.

    An empty selection means the whole layer; no filter, a filter on a layer the
    scene lacks or one that does not parse gives an empty table.
    """
    if saved is None:
        return pd.DataFrame()
    try:
        scene.layer(saved.layer)
        return matching_table(scene, saved, selected or None, engine, privacy=privacy)
    except (KeyError, QueryError):
        return pd.DataFrame()


def selection_export(scene, selected: dict[str, np.ndarray], saved: SavedFilter | None = None,
                     *, fields: tuple[str, ...] | list[str] = SUM_FIELDS,
                     engine: FilterEngine | None = None, privacy: PrivacyState | None = None,
                     title: str = "") -> SelectionExport:
    """What the Summary dock exports for ``selected`` with ``saved`` as its chosen filter.

    Parameters
    ----------
    scene : Scene
    selected : dict of layer name -> rows
    saved : SavedFilter, optional
        The filter of the special-care list (the dock's choice; default none).
    fields : sequence of str, default: ``SUM_FIELDS``
        Numeric fields summed and averaged.
    engine : FilterEngine, optional
    privacy : PrivacyState, optional
        Masking state (default: the process's
        :data:`~twinviewer.core.privacy.STATE`, as the window uses).
    title : str, default: the scene's name

    Examples
    --------
    >>> export = selection_export(scene, {"建筑": rows}, scene.filters[0])  # doctest: +SKIP
    >>> write_export("weekly.xlsx", export)  # doctest: +SKIP
    """
    engine = engine or FilterEngine()
    return SelectionExport(
        summary=summarize(scene, selected, fields),
        table=selection_table(scene, selected, privacy=privacy),
        care_list=care_list(scene, saved, selected, engine, privacy=privacy),
        care_name=saved.name if saved is not None else "list",
        title=title or getattr(scene, "name", "") or "")


def check_export_path(path: str | Path, as_suffix: str | None = None) -> Path:
    """``path`` if an export can be written there (a known suffix, an existing folder).

    Raises
    ------
    LoadError
        Naming the file and the problem.
    """
    path = Path(path)
    suffix = (as_suffix or path.suffix).lower()
    if suffix not in EXPORT_SUFFIXES:
        raise LoadError(translate("LoadError", "cannot export to {suffix!r} (use one of "
                                               "{choices})").format(
            suffix=suffix or path.name, choices=", ".join(EXPORT_SUFFIXES)), path)
    if not path.parent.is_dir():
        raise LoadError(translate("LoadError", "the output folder does not exist"), path)
    return path


def write_export(path: str | Path, export: SelectionExport,
                 image: np.ndarray | None = None, *, as_suffix: str | None = None) -> Path:
    """Write ``export`` as the file's suffix (or ``as_suffix``) says (:data:`EXPORT_SUFFIXES`).

    ``.csv``: the selected objects; ``.xlsx``: figures, objects and the
    special-care list; ``.pdf``/``.png``: the one-page report with ``image``
    (an ``(h, w, 3)`` uint8 picture of the view) when given.

    Raises
    ------
    LoadError
        For another suffix, or a folder that does not exist.
    """
    path = check_export_path(path, as_suffix)
    suffix = (as_suffix or path.suffix).lower()
    if suffix == ".csv":
        export_csv(path, export.table)
    elif suffix == ".xlsx":
        export_xlsx(path, export.summary, export.table, {export.care_name: export.care_list})
    else:
        write_report(path, export.summary, image,
                     export.care_list if len(export.care_list) else export.table, export.title)
    return path
