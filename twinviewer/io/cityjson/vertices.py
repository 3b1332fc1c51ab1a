"""Vertices of a CityJSON document: the transform, the vertex array and its limits.
"""

from __future__ import annotations

import numpy as np

from twinviewer.i18n import translate
from twinviewer.io.cityjson.common import _Bad, _is_number

DEFAULT_MAX_BYTES = 2 * 1024**3
"""Files larger than this are refused before reading (2 GiB)."""

MAX_ABS_COORD = 1e9
"""Coordinates beyond this (metres or degrees) are taken as a broken file."""

MAX_VERTICES = 100_000_000
"""More vertices than this are refused (~2.4 GB as float64: beyond any district model)."""


def _transform(value) -> tuple[np.ndarray, np.ndarray] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Bad(translate("LoadError", "'transform' must be an object with 'scale' and "
                                          "'translate'"))
    out = []
    for key in ("scale", "translate"):
        v = value.get(key)
        if (not isinstance(v, list) or len(v) != 3
                or not all(_is_number(x) for x in v)):
            raise _Bad(translate("LoadError", "'{what}' must be three numbers").format(
                what=f"transform.{key}"))
        arr = np.array([float(x) for x in v])
        if not np.isfinite(arr).all():
            raise _Bad(translate("LoadError", "'{what}' {value} is not finite").format(
                what=f"transform.{key}", value=v))
        out.append(arr)
    return out[0], out[1]


def _vertex_array(raw, transform, what: str) -> np.ndarray:
    """Vertices as float64 ``(n, 3)`` real coordinates, checked for sanity."""
    if raw is None:
        return np.empty((0, 3))
    if not isinstance(raw, list):
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z]").format(
            what=what))
    if not raw:
        return np.empty((0, 3))
    if len(raw) > MAX_VERTICES:  # refuse before numpy allocates gigabytes
        raise _Bad(translate("LoadError", "'{what}' holds {n:,} vertices, more than twinviewer "
                                          "reads ({limit:,})").format(
            what=what, n=len(raw), limit=MAX_VERTICES))
    try:
        arr = np.asarray(raw)
    except (ValueError, TypeError, OverflowError):
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what)) from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what))
    if arr.dtype == object:
        if not all(_is_number(x) for x in arr.ravel()):
            raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                       .format(what=what))
        try:
            arr = arr.astype(np.float64)
        except OverflowError:
            raise _Bad(translate("LoadError", "'{what}' hold a number too large for a "
                                              "coordinate").format(what=what)) from None
    elif arr.dtype.kind not in "iuf":
        raise _Bad(translate("LoadError", "'{what}' must be a list of [x, y, z] numbers")
                   .format(what=what))
    arr = arr.astype(np.float64)
    if transform is not None:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr * transform[0] + transform[1]
    _check_coordinates(arr, what)
    return arr


def _check_coordinates(arr: np.ndarray, what: str) -> None:
    if not len(arr):
        return
    finite = np.isfinite(arr)
    if not finite.all():
        i = int(np.nonzero(~finite.all(axis=1))[0][0])
        raise _Bad(translate("LoadError", "'{what}' {i} is not a finite coordinate").format(
            what=what, i=i))
    big = np.abs(arr).max(axis=1) > MAX_ABS_COORD
    if big.any():
        i = int(np.nonzero(big)[0][0])
        raise _Bad(translate("LoadError", "'{what}' {i} has an absurd coordinate {xyz} "
                                          "(beyond {limit:g})").format(
            what=what, i=i, xyz=arr[i].tolist(), limit=MAX_ABS_COORD))
