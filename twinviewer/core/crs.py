"""CRS handling: parse user CRS strings, reproject and re-centre layers."""

from __future__ import annotations

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer
from twinviewer.i18n import translate


def parse_crs(value: str | int, path=None) -> CRS:
    """A :class:`pyproj.CRS` from ``EPSG:4549``, an OGC URL, WKT or a PROJ string.

    Raises :class:`LoadError` naming the value when PROJ does not know it.
    """
    text = str(value).strip()
    # CityJSON writes "https://www.opengis.net/def/crs/EPSG/0/7415".
    if "/def/crs/EPSG/" in text:
        text = "EPSG:" + text.rstrip("/").rsplit("/", 1)[-1]
    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise LoadError(translate("LoadError", "unknown CRS {value!r} ({detail})").format(
            value=value, detail=exc), path) from None


def crs_label(crs: CRS | None) -> str | None:
    """Short name of a CRS: ``EPSG:32651`` when it has a code, else its name."""
    if crs is None:
        return None
    auth = crs.to_authority(min_confidence=90)
    if auth:
        return f"{auth[0]}:{auth[1]}"
    return crs.name


def scene_crs_for(crs: CRS | None, bounds) -> CRS | None:
    """A projected CRS in metres for a scene built around one layer.

    Projected CRSs are kept; geographic ones get the UTM zone of the centre
    (as QGIS does when it needs metres).
    """
    if crs is None:
        return None
    horiz = crs.sub_crs_list[0] if crs.is_compound else crs
    if horiz.is_projected:
        return horiz
    if bounds is None:
        return CRS.from_epsg(32651)
    lon = (bounds[0] + bounds[3]) / 2
    lat = (bounds[1] + bounds[4]) / 2
    zone = int(np.clip((lon + 180) // 6 + 1, 1, 60))
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def place_layer(layer: Layer, scene_crs: CRS | None, origin: np.ndarray) -> None:
    """Reproject the layer's batches into ``scene_crs`` and subtract ``origin``.

    Done in float64 before VTK sees anything, so float32 points keep
    millimetre precision near the origin.  Z is kept as it is.

    A layer whose geometry is not in memory (a streamed tileset) has a ``place``
    method and places itself.
    """
    place = getattr(layer, "place", None)
    if place is not None:
        place(scene_crs, origin)
        return
    transformer = None
    if layer.crs is not None and scene_crs is not None:
        src = parse_crs(layer.crs, layer.source)
        if src.is_compound:  # e.g. RD New + NAP height: heights pass through unchanged
            src = src.sub_crs_list[0]
        if not src.equals(scene_crs, ignore_axis_order=True):
            transformer = Transformer.from_crs(src, scene_crs, always_xy=True)
    origin = np.asarray(origin, dtype=np.float64)
    if transformer is None:  # a shift at most: the bounds shift with the points
        if np.any(origin):
            bounds = layer.bounds()
            for batch in layer.batches:
                batch.points = batch.points - origin
            layer.geometry_moved(bounds, -origin)
        return
    for batch in layer.batches:
        pts = batch.points
        if len(pts):
            x, y = transformer.transform(pts[:, 0], pts[:, 1])
            pts = np.column_stack([x, y, pts[:, 2]])
        batch.points = pts - origin if np.any(origin) else pts
    layer.geometry_changed()
