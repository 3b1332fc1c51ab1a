"""``twinviewer query ... --export FILE``: the Summary dock's exports without a window.

The dock's CSV…, Excel… and Report… buttons and this module build the same
:class:`~twinviewer.core.selection_export.SelectionExport` and write it with
the same :func:`~twinviewer.core.selection_export.write_export`; what differs
is only where the parts come from: the chosen saved filter is ``--filter`` (by
default the scene's first, as the dock starts with), and the report's picture
is the scene rendered offscreen with the selection highlighted, where the dock
takes a screenshot of its viewport.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.selection_export import (
    REPORT_SUFFIXES,
    check_export_path,
    selection_export,
    write_export,
)
from twinviewer.core.summary import SUM_FIELDS, SavedFilter
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

REPORT_IMAGE_SIZE = (1600, 1000)
"""Size of the offscreen picture put in a PDF/PNG report."""


def saved_filter(scene, name: str | None) -> SavedFilter | None:
    """The saved filter named ``name``; ``None`` for the scene's first (the dock's
    default choice), or no filter when the scene has none."""
    if name is None:
        return scene.filters[0] if scene.filters else None
    for f in scene.filters:
        if f.name == name:
            return f
    raise LoadError(translate("LoadError", "--filter: the scene has no saved filter {name!r} "
                                           "(saved filters: {names})").format(
        name=name, names=", ".join(f.name for f in scene.filters) or "-"))


def export_selection(scene, selected: dict[str, np.ndarray], path: str | Path, *,
                     fields: tuple[str, ...] | list[str] = SUM_FIELDS,
                     filter_name: str | None = None) -> Path:
    """Write what the Summary dock would write for ``selected`` to ``path``.

    Parameters
    ----------
    scene : Scene
    selected : dict of layer name -> rows
    path : path-like
        ``.csv``, ``.xlsx``, ``.pdf`` or ``.png``.
    fields : sequence of str, default: ``SUM_FIELDS``
    filter_name : str, optional
        Saved filter of the special-care list (default: the scene's first).

    Returns
    -------
    pathlib.Path
        The file written.

    Examples
    --------
    >>> export_selection(scene, {"建筑": rows}, "weekly.xlsx")  # doctest: +SKIP
    """
    path = check_export_path(path)
    export = selection_export(scene, selected, saved_filter(scene, filter_name),
                              fields=fields)
    image = _view_image(scene, selected) if path.suffix.lower() in REPORT_SUFFIXES else None
    return write_export(path, export, image)


def _view_image(scene, selected: dict[str, np.ndarray]) -> np.ndarray:
    """The scene drawn offscreen as the window draws it, the selection highlighted."""
    if not os.environ.get("DISPLAY"):  # straight to EGL instead of trying X first
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.render import render_image

    scene.selection.clear()
    for name, rows in selected.items():
        if len(rows):
            scene.selection.select(name, rows, add=True)
    return np.asarray(render_image(scene, None, REPORT_IMAGE_SIZE))
