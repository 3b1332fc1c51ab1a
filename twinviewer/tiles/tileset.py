"""3D Tiles 1.0 / 1.1 tilesets as tile trees: bounding volumes placed in the scene,
float64 transforms, REPLACE/ADD, external tilesets and content URIs.

A tileset's coordinates are ECEF (EPSG:4978) when georeferenced, or local metres. A
:class:`Placement` (the scene CRS and origin, given when the layer is placed) turns them
into local scene coordinates through pyproj; each tile gets an affine ``frame`` fitted
on its own bounding volume (exact for local tilesets, millimetres for a street-sized
georeferenced tile), which the decode worker applies to the content's vertices in
float64. Implicit tiling lives in :mod:`twinviewer.tiles.implicit`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from pyproj import CRS, Transformer

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.tiles.fetch import read_bytes, resolve, short_name
from twinviewer.tiles.tile import ADD, REPLACE, Bounds, Pending, Tile

log = logging.getLogger(__name__)

EARTH_MIN_RADIUS = 6.2e6  # a point this far from (0, 0, 0) is on the globe: ECEF
RENDERABLE = (".b3dm", ".i3dm", ".pnts", ".cmpt", ".glb", ".gltf")


@dataclass(frozen=True)
class Content:
    """What a tile draws: its URIs and the float64 affine from content to scene."""

    uris: tuple[str, ...]
    frame: np.ndarray  # 4x4: tileset-frame (tile transforms composed) -> local scene


class Placement:
    """Source coordinates of a tileset -> local scene coordinates (metres from origin).

    Parameters
    ----------
    scene_crs : pyproj.CRS or None
        The scene's projected CRS; None: the tileset's coordinates are used as they are.
    origin : array of 3 float
        The scene origin, subtracted after reprojection.
    geocentric : bool
        Whether the tileset is in ECEF (EPSG:4978).
    source_crs : str or None
        For a local (non-ECEF) tileset, the CRS the scene file gives it.
    """

    def __init__(self, scene_crs: CRS | None, origin=(0.0, 0.0, 0.0), geocentric: bool = False,
                 source_crs: str | None = None) -> None:
        self.scene_crs = scene_crs
        self.origin = np.asarray(origin, dtype=np.float64)
        self.geocentric = geocentric
        self._xyz = None
        self._region = None
        if scene_crs is not None:
            if geocentric:
                self._xyz = Transformer.from_crs(CRS.from_epsg(4978), scene_crs, always_xy=True)
            elif source_crs:
                src = CRS.from_user_input(source_crs)
                if not src.equals(scene_crs, ignore_axis_order=True):
                    self._xyz = Transformer.from_crs(src, scene_crs, always_xy=True)
            self._region = Transformer.from_crs(CRS.from_epsg(4979), scene_crs, always_xy=True)
        self._to_ecef = Transformer.from_crs(CRS.from_epsg(4979), CRS.from_epsg(4978),
                                             always_xy=True)

    def points(self, pts: np.ndarray) -> np.ndarray:
        """Source points ``(n, 3)`` -> local scene points, exactly (pyproj), float64."""
        pts = np.asarray(pts, dtype=np.float64).reshape(-1, 3)
        if self._xyz is not None:
            x, y, z = self._xyz.transform(pts[:, 0], pts[:, 1], pts[:, 2])
            pts = np.column_stack([x, y, z])
        return pts - self.origin

    def region_points(self, lon_rad, lat_rad, h) -> np.ndarray:
        """Region samples (radians, metres above the ellipsoid) -> local scene points."""
        lon, lat = np.degrees(lon_rad), np.degrees(lat_rad)
        if self._region is None:  # no scene CRS: place the region through ECEF
            x, y, z = self._to_ecef.transform(lon, lat, h)
            return np.column_stack([x, y, z]) - self.origin
        x, y, z = self._region.transform(lon, lat, h)
        return np.column_stack([x, y, z]) - self.origin

    def ecef_of_region(self, lon_rad, lat_rad, h) -> np.ndarray:
        x, y, z = self._to_ecef.transform(np.degrees(lon_rad), np.degrees(lat_rad), h)
        return np.column_stack([x, y, z])

    def affine(self, center: np.ndarray, size: float) -> np.ndarray:
        """The 4x4 affine best fitting :meth:`points` on a cube of half ``size`` around
        ``center`` (source coordinates): exact where the mapping is linear."""
        s = max(float(size), 1.0)
        corners = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)],
                           dtype=np.float64)
        src = np.vstack([np.zeros((1, 3)), corners]) * s + np.asarray(center, np.float64)
        dst = self.points(src)
        a = np.column_stack([src - center, np.ones(len(src))])
        sol, *_ = np.linalg.lstsq(a, dst, rcond=None)  # (4, 3): rows x, y, z, 1
        m = np.eye(4)
        m[:3, :3] = sol[:3].T
        m[:3, 3] = sol[3] - sol[:3].T @ center
        return m


def matrix(values) -> np.ndarray:
    """A 3D Tiles ``transform`` (16 numbers, column-major) as a 4x4 float64 matrix."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != (16,) or not np.all(np.isfinite(arr)):
        raise ValueError("transform must be 16 finite numbers")
    return arr.reshape(4, 4).T


def _box_corners(box) -> tuple[np.ndarray, np.ndarray, float]:
    b = np.asarray(box, dtype=np.float64)
    c, axes = b[:3], b[3:12].reshape(3, 3)
    signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], float)
    return c + signs @ axes, c, float(np.linalg.norm(axes.sum(axis=0)) or np.abs(axes).sum())


def place_volume(volume: dict, transform: np.ndarray, placement: Placement
                 ) -> tuple[Bounds, np.ndarray]:
    """A bounding volume (box, sphere or region) -> placed :class:`Bounds` and the affine
    frame (tileset coordinates under ``transform`` -> local scene)."""
    if "region" in volume:
        w, s, e, n, h0, h1 = (float(v) for v in volume["region"])
        if e < w:  # crosses the antimeridian
            e += 2 * np.pi
        lon = np.linspace(w, e, 5)
        lat = np.linspace(s, n, 5)
        lo, la, hh = np.meshgrid(lon, lat, [h0, h1], indexing="ij")
        pts = placement.region_points(lo.ravel(), la.ravel(), hh.ravel())
        c_ecef = placement.ecef_of_region(np.array([(w + e) / 2]), np.array([(s + n) / 2]),
                                          np.array([(h0 + h1) / 2]))[0]
        size = max(float(np.ptp(pts, axis=0).max()) / 2.0, 1.0)
        frame = placement.affine(c_ecef, size) if placement.geocentric else \
            _local_frame(placement)
        return Bounds.of_points(pts), frame @ transform
    if "box" in volume:
        corners, center, size = _box_corners(volume["box"])
    elif "sphere" in volume:
        cx, cy, cz, r = (float(v) for v in volume["sphere"])
        center = np.array([cx, cy, cz])
        signs = np.array([[i, j, k] for i in (-1, 1) for j in (-1, 1) for k in (-1, 1)], float)
        corners = center + signs * r
        size = r
    else:
        raise ValueError("bounding volume has no box, region or sphere")
    world = (np.column_stack([corners, np.ones(8)]) @ transform.T)[:, :3]
    w_center = (transform @ np.append(center, 1.0))[:3]
    scale = float(np.linalg.norm(transform[:3, :3], axis=0).max() or 1.0)
    frame = placement.affine(w_center, size * scale)
    placed = (np.column_stack([world, np.ones(8)]) @ frame.T)[:, :3]
    return Bounds.of_points(placed), frame @ transform


def _local_frame(placement: Placement) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = -placement.origin
    return m


@dataclass
class TilesetTree:
    """A tileset read into a :class:`Tile` tree (children of external tilesets and of
    implicit tiles are made when asked for).

    ``get(uri)`` returns the bytes of a tileset or subtree file; it may raise
    :class:`Pending` (the bytes are being fetched in a worker) or :class:`LoadError`.
    Problems found while expanding land in ``errors`` (one line each).
    """

    uri: str
    placement: Placement
    get: Callable[[str], bytes] = read_bytes
    errors: list[str] = field(default_factory=list)
    extensions: set[str] = field(default_factory=set)
    root: Tile | None = None
    _keys: int = 0

    def build(self) -> Tile:
        doc = parse_tileset(self.get(self.uri), self.uri)
        self.extensions.update(doc.get("extensionsRequired", []) or [])
        self.root = self._tile(doc["root"], self.uri, np.eye(4), REPLACE, 0, (self.uri,), "0")
        return self.root

    def fail(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)
            log.warning("%s", message)

    def _tile(self, node: dict, base: str, parent_tf: np.ndarray, parent_refine: str,
              level: int, chain: tuple[str, ...], key: str) -> Tile:
        try:
            tf = parent_tf @ matrix(node["transform"]) if "transform" in node else parent_tf
            bounds, frame = place_volume(node["boundingVolume"], tf, self.placement)
            error = float(node.get("geometricError", 0.0))
        except (KeyError, TypeError, ValueError) as exc:
            raise LoadError(translate("LoadError", "tile {key}: bad tile ({detail})").format(
                key=key, detail=exc), base) from None
        refine = str(node.get("refine", parent_refine)).upper()
        refine = ADD if refine == ADD else REPLACE
        if "implicitTiling" in node:
            from twinviewer.tiles.implicit import implicit_root

            return implicit_root(self, node, base, tf, refine, level, bounds, frame, key)
        uris = content_uris(node, base)
        external = [u for u in uris if is_tileset_uri(u)]
        drawable = tuple(u for u in uris if u not in external)
        tile = Tile(key, level, error, bounds, refine=refine,
                    content=Content(drawable, frame) if drawable else None)
        kids = node.get("children") or []
        if external:
            tile.children = None
            tile.expander = lambda t, u=external[0]: self._external(t, u, tf, refine, chain)
        elif kids:
            tile.children = None  # made when the traversal first refines this tile
            tile.expander = lambda t: [self._tile(k, base, tf, refine, level + 1, chain,
                                                  f"{key}/{i}") for i, k in enumerate(kids)]
        return tile

    def _external(self, tile: Tile, uri: str, tf: np.ndarray, refine: str,
                  chain: tuple[str, ...]) -> list[Tile]:
        """An external tileset's root merges with the tile naming it: its children become
        that tile's children and its content that tile's content."""
        if uri in chain:
            msg = LoadError(translate("LoadError", "external tilesets form a cycle "
                                                   "({chain})").format(
                chain=" -> ".join(short_name(u) for u in (*chain, uri))), uri).message
            self.fail(msg)
            raise ValueError(msg)
        try:
            data = self.get(uri)
        except Pending:
            raise
        except LoadError as exc:
            self.fail(exc.message)
            raise
        try:
            doc = parse_tileset(data, uri)
            self.extensions.update(doc.get("extensionsRequired", []) or [])
            sub = self._tile(doc["root"], uri, tf, refine, tile.level, (*chain, uri),
                             tile.key + "@")
        except LoadError as exc:
            self.fail(exc.message)
            raise
        tile.refine = sub.refine  # the merged tile refines as its tileset root says
        if sub.has_content and not tile.has_content:
            tile.content = sub.content
        kids = sub.expand()
        for k in kids:
            k.parent = tile
        return kids


def content_uris(node: dict, base: str) -> tuple[str, ...]:
    """Every content URI of a tile (1.0 ``content``, 1.1 ``contents``), resolved."""
    items = []
    if isinstance(node.get("content"), dict):
        items.append(node["content"])
    items.extend(c for c in node.get("contents") or [] if isinstance(c, dict))
    out = []
    for c in items:
        uri = c.get("uri", c.get("url"))  # "url": early 1.0 drafts
        if isinstance(uri, str) and uri:
            out.append(resolve(base, uri))
    return tuple(out)


def is_tileset_uri(uri: str) -> bool:
    return uri.split("?", 1)[0].lower().endswith(".json")


def parse_tileset(data: bytes, uri: str) -> dict:
    """A tileset.json's document, checked enough to build the tree from it."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LoadError(translate("LoadError", "not a valid tileset.json ({detail})").format(
            detail=exc), uri) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("root"), dict):
        raise LoadError(translate("LoadError", "not a tileset: no root tile"), uri)
    version = str((doc.get("asset") or {}).get("version", ""))
    if version and version.split(".")[0] not in ("0", "1"):
        raise LoadError(translate("LoadError", "3D Tiles version {version} is not "
                                               "supported").format(version=version), uri)
    return doc


def root_source_bounds(doc: dict) -> tuple[bool, tuple[float, ...] | None]:
    """Whether the tileset is in ECEF, and its root's bounds in source terms
    (degrees and metres for ECEF, as the scene's CRS choice wants them)."""
    root = doc["root"]
    vol = root.get("boundingVolume", {})
    tf = matrix(root["transform"]) if "transform" in root else np.eye(4)
    if "region" in vol:
        w, s, e, n, h0, h1 = (float(v) for v in vol["region"])
        return True, (np.degrees(w), np.degrees(s), h0, np.degrees(e), np.degrees(n), h1)
    ident = Placement(None)
    bounds, _ = place_volume(vol, tf, ident)
    geocentric = float(np.linalg.norm(bounds.center)) > EARTH_MIN_RADIUS
    if not geocentric:
        return False, (*bounds.lo, *bounds.hi)
    to_geo = Transformer.from_crs(CRS.from_epsg(4978), CRS.from_epsg(4979), always_xy=True)
    pts = np.vstack([bounds.lo, bounds.hi, bounds.center])
    lon, lat, h = to_geo.transform(pts[:, 0], pts[:, 1], pts[:, 2])
    c_lon, c_lat = lon[2], lat[2]
    r = bounds.radius
    dlat = np.degrees(r / 6.371e6)
    dlon = dlat / max(np.cos(np.radians(c_lat)), 1e-6)
    return True, (c_lon - dlon, c_lat - dlat, h[2] - r, c_lon + dlon, c_lat + dlat, h[2] + r)
