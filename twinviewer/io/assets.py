"""The low-poly models drawn for point objects (``twinviewer/assets/<name>.obj``)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np

import twinviewer
from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

FALLBACK = "marker"
_SAFE_NAME = re.compile(r"[A-Za-z0-9_\-]+")


def assets_dir() -> Path:
    """The folder holding the asset models: package data, so an installed wheel has it."""
    return Path(twinviewer.__file__).resolve().parent / "assets"


def load_asset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Vertices ``(n, 3)`` float64 and triangles ``(m, 3)`` int64 of an asset model.

    Unknown names fall back to ``marker``.  The arrays are shared (cached) and
    read-only: copy before changing them.

    Examples
    --------
    >>> vertices, triangles = load_asset("tree")
    >>> float(vertices[:, 2].min())
    0.0
    """
    name = str(name)
    if not _SAFE_NAME.fullmatch(name) or not (assets_dir() / f"{name}.obj").is_file():
        name = FALLBACK
    return _load(name)


def asset_height(name: str) -> float:
    """Height in metres of an asset model (its models stand on z = 0).

    Examples
    --------
    >>> asset_height("lamp_post") > asset_height("bin")
    True
    """
    verts, _faces = load_asset(name)
    return float(verts[:, 2].max()) if len(verts) else 1.0


def assets_of_rows(layer, rows: np.ndarray, overrides: dict | None = None) -> np.ndarray:
    """The asset name drawn for each of ``rows`` of a point layer (by its class field)."""
    from twinviewer.core.assets import asset_for_class

    classes = layer.class_of_rows()[rows]
    uniq, inverse = np.unique(classes, return_inverse=True)
    return np.array([asset_for_class(c, overrides) for c in uniq], dtype=object)[inverse]


@functools.lru_cache(maxsize=64)
def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    path = assets_dir() / f"{name}.obj"
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise LoadError(translate("LoadError", "asset model missing ({detail})").format(
            detail=exc.strerror or exc), path) from None
    vertices, triangles = [], []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "v" and len(parts) >= 4:
            vertices.append([float(p) for p in parts[1:4]])
        elif parts[0] == "f" and len(parts) >= 4:
            idx = [int(p.split("/")[0]) for p in parts[1:]]
            idx = [i - 1 if i > 0 else len(vertices) + i for i in idx]
            triangles += [(idx[0], idx[k], idx[k + 1]) for k in range(1, len(idx) - 1)]
    v = np.array(vertices, dtype=np.float64).reshape(-1, 3)
    t = np.array(triangles, dtype=np.int64).reshape(-1, 3)
    if not len(t) or t.min() < 0 or t.max() >= len(v) or not np.all(np.isfinite(v)):
        raise LoadError(translate("LoadError", "asset model is empty or damaged"), path)
    v.setflags(write=False)
    t.setflags(write=False)
    return v, t
