"""Offline basemaps: MBTiles files, XYZ tile folders and an http(s) template with a cache.

A basemap is an imagery layer whose cells come from map tiles: :class:`TileSource`
answers the same ``read(bounds, shape, crs)`` as a GeoTIFF's reader, so the ground
drapes it like an orthophoto. Tiles are addressed through a morecantile tile matrix
set: ``WebMercatorQuad`` (EPSG:3857, the usual web tiles) or ``CGCS2000Quad``
(EPSG:4490 longitude/latitude, two tiles at the top level, as Tianditu's ``_c``
services number them from level 1: ``zoom_offset = 1``).

- MBTiles is plain SQLite: ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with
  rows in TMS order (counted from the south), ``metadata`` with bounds and zooms.
- XYZ folders hold ``{z}/{x}/{y}.png|jpg|jpeg|webp`` (rows from the north).
- ``url = "https://server/{z}/{x}/{y}.png"`` on an XYZ layer fetches tiles the folder
  lacks and keeps them there: the folder is the disk cache.

Tiles missing at the zoom a view wants (an MBTiles with gaps) are filled from the
nearest coarser zoom that has them, so what can be drawn is drawn.

Chinese web tiles (Gaode/AMap, Tencent; Baidu after its own BD-09 step) are drawn in
GCJ-02: they are shifted back to WGS 84 only when the layer says ``gcj02 = true``;
otherwise, inside China, the layer carries a warning that it may be offset (Tianditu
is CGCS2000 and needs no shift).
"""

from __future__ import annotations

import abc
import io
import logging
import sqlite3
import threading
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.ground_layer import RasterLayer
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

TILE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
TMS_NAMES = ("WebMercatorQuad", "CGCS2000Quad")


def tile_matrix_set(name: str):
    """The morecantile tile matrix set called ``name`` (see :data:`TMS_NAMES`)."""
    import morecantile
    from pyproj import CRS

    if name == "WebMercatorQuad":
        return morecantile.tms.get("WebMercatorQuad")
    if name == "CGCS2000Quad":
        return morecantile.TileMatrixSet.custom(
            [-180.0, -90.0, 180.0, 90.0], CRS.from_epsg(4490), matrix_scale=[2, 1],
            id="CGCS2000Quad", geographic_crs=CRS.from_epsg(4490))
    raise LoadError(translate("LoadError", "unknown tile matrix set {name!r} ({known})")
                    .format(name=name, known=", ".join(TMS_NAMES)))


@dataclass
class _Info:
    """What the ground asks of a raster's header."""

    path: str
    resolution: tuple[float, float]
    bands: int = 3
    dtype: str = "uint8"
    overviews: list = field(default_factory=list)
    z_factor: float = 1.0


class TileStore(abc.ABC):
    """Where tile images come from: ``get(z, x, y)`` returns bytes or None."""

    zooms: list[int]

    @abc.abstractmethod
    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The encoded image of tile ``z/x/y``, or None where there is none."""


class MBTilesStore(TileStore):
    """An MBTiles file (SQLite), opened read-only once per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        try:
            con = self._con()
            meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
            self.zooms = sorted(z for (z,) in con.execute(
                "SELECT DISTINCT zoom_level FROM tiles"))
        except sqlite3.Error as exc:
            raise LoadError(translate("LoadError", "not a readable MBTiles file ({detail})")
                            .format(detail=exc), path) from None
        if not self.zooms:
            raise LoadError(translate("LoadError", "the MBTiles file holds no tiles"), path)
        self.meta = meta
        self.bounds = _parse_bounds(meta.get("bounds"))
        if self.bounds is None:  # from the tiles of the coarsest zoom
            z = self.zooms[0]
            xs, ys = zip(*con.execute("SELECT tile_column, tile_row FROM tiles WHERE "
                                      "zoom_level = ?", (z,)).fetchall(), strict=True)
            self.tile_range = (z, min(xs), max(xs), (1 << z) - 1 - max(ys),
                               (1 << z) - 1 - min(ys))
        declared = [int(meta[k]) for k in ("minzoom", "maxzoom") if str(meta.get(k, "")).isdigit()]
        self.missing = []
        if len(declared) == 2:
            self.missing = [z for z in range(declared[0], declared[1] + 1) if z not in self.zooms]

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                  check_same_thread=False)
            self._local.con = con
        return con

    def get(self, z: int, x: int, y: int) -> bytes | None:
        row = self._con().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND "
            "tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()  # TMS rows from the south
        return None if row is None else bytes(row[0])


class FolderStore(TileStore):
    """An XYZ folder ``{z}/{x}/{y}.ext``; with ``url``, missing tiles are fetched and
    saved into it (the disk cache)."""

    def __init__(self, path: Path, url: str | None = None, zooms: list[int] | None = None,
                 timeout: float = 10.0) -> None:
        self.path = path
        self.url = url
        self.timeout = timeout
        found = sorted(int(p.name) for p in path.iterdir() if p.is_dir() and p.name.isdigit())
        self.zooms = sorted(set(found) | set(zooms or [])) if url else found
        if not self.zooms:
            raise LoadError(translate("LoadError", "no {z}/{x}/{y} tiles in this folder "
                                                   "(and no url to fetch them)"), path)
        self.bounds = None
        z = found[0] if found else None
        if z is not None:
            xs = [int(p.name) for p in (path / str(z)).iterdir() if p.name.isdigit()]
            ys = [int(f.name.split(".")[0]) for x in xs for f in (path / str(z) / str(x)).iterdir()
                  if f.suffix.lower() in TILE_SUFFIXES and f.name.split(".")[0].isdigit()]
            self.tile_range = (z, min(xs), max(xs), min(ys), max(ys)) if xs and ys else None
        self.missing = [z for z in range(self.zooms[0], self.zooms[-1] + 1)
                        if z not in self.zooms]
        self.failed_fetches = 0

    def get(self, z: int, x: int, y: int) -> bytes | None:
        folder = self.path / str(z) / str(x)
        for suffix in TILE_SUFFIXES:
            f = folder / f"{y}{suffix}"
            if f.is_file():
                return f.read_bytes()
        if not self.url:
            return None
        address = self.url.format(z=z, x=x, y=y)
        try:
            with urllib.request.urlopen(address, timeout=self.timeout) as resp:  # noqa: S310
                data = resp.read()
        except Exception as exc:  # offline, 404: the tile stays missing
            self.failed_fetches += 1
            log.info("tile %s: %s", address, exc)
            return None
        suffix = Path(address.split("?")[0]).suffix.lower()
        suffix = suffix if suffix in TILE_SUFFIXES else ".png"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{y}{suffix}.part"
        tmp.write_bytes(data)
        tmp.replace(folder / f"{y}{suffix}")  # whole tiles only, even if interrupted
        return data


def _parse_bounds(text) -> tuple[float, float, float, float] | None:
    try:
        w, s, e, n = (float(v) for v in str(text).split(","))
    except (TypeError, ValueError):
        return None
    return (w, s, e, n)


class TileSource:
    """Reads boxes of a tiled basemap, warped into a target CRS (see the module).

    Parameters
    ----------
    store : TileStore
        Where the tiles are.
    tms : str
        ``"WebMercatorQuad"`` or ``"CGCS2000Quad"``.
    zoom_offset : int
        The store's zoom minus the tile matrix set's (Tianditu ``_c``: 1).
    gcj02 : bool
        The tiles are GCJ-02 (Gaode, Tencent): shift them back to WGS 84.
    """

    def __init__(self, store: TileStore, tms: str = "WebMercatorQuad", *,
                 zoom_offset: int = 0, gcj02: bool = False, bounds=None) -> None:
        self.store = store
        self.tms = tile_matrix_set(tms)
        self.tms_name = tms
        self.zoom_offset = int(zoom_offset)
        self.gcj02 = bool(gcj02)
        self.crs = f"EPSG:{self.tms.crs.to_epsg()}" if self.tms.crs.to_epsg() else \
            self.tms.crs.to_wkt()
        self.lonlat = self._lonlat_bounds(bounds)
        finest = max(store.zooms) - self.zoom_offset
        res = self.tms.matrix(finest).cellSize
        if self.tms_name == "CGCS2000Quad":
            res *= 111_320.0  # degrees to metres: the ground compares it with metres
        self.info = _Info(path=str(getattr(store, "path", "")), resolution=(res, res))
        self.decoded = 0

    def _lonlat_bounds(self, bounds) -> tuple[float, float, float, float]:
        if bounds is not None:
            return tuple(float(v) for v in bounds)
        if getattr(self.store, "bounds", None):
            return self.store.bounds
        rng = getattr(self.store, "tile_range", None)
        if rng is None:
            raise LoadError(translate("LoadError", "the basemap's extent is unknown: give "
                                                   "bounds = [west, south, east, north]"),
                            getattr(self.store, "path", None))
        import morecantile

        z, x0, x1, y0, y1 = rng
        z -= self.zoom_offset
        a = self.tms.bounds(morecantile.Tile(x0, y0, z))
        b = self.tms.bounds(morecantile.Tile(x1, y1, z))
        return (a.left, b.bottom, b.right, a.top)

    # -- the raster reader's interface --------------------------------------------
    def has_data(self) -> bool:
        return bool(self.store.zooms)

    def scene_bounds(self, dst_crs) -> tuple[float, float, float, float]:
        from rasterio.warp import transform_bounds

        w, s, e, n = self.lonlat
        if self.gcj02:
            w, s, e, n = _gcj_box_to_wgs(w, s, e, n)
        src = "EPSG:4490" if self.tms_name == "CGCS2000Quad" else "EPSG:4326"
        return tuple(transform_bounds(src, dst_crs or self.crs, w, s, e, n, densify_pts=21))

    def read(self, bounds, shape, dst_crs=None, *, bands=(1, 2, 3), pixel_is_point=False,
             resampling: str = "bilinear") -> np.ndarray:
        """RGB(A) of ``bounds`` (in ``dst_crs``) as ``(len(bands), rows, cols)`` float32,
        NaN where no tile covers it."""
        from rasterio.enums import Resampling
        from rasterio.transform import from_bounds as transform_from_bounds
        from rasterio.warp import reproject, transform_bounds

        rows, cols = shape
        dst_crs = dst_crs or self.crs
        dst_transform = transform_from_bounds(*bounds, cols, rows)
        out = np.full((len(bands), rows, cols), np.nan, dtype=np.float32)
        box = transform_bounds(dst_crs, self.crs, *bounds, densify_pts=8)
        shift = (0.0, 0.0)
        if self.gcj02:  # where a true position is drawn in GCJ-02 tiles
            shift = self._gcj_shift(box)
            box = (box[0] + shift[0], box[1] + shift[1], box[2] + shift[0], box[3] + shift[1])
        want = min((box[2] - box[0]) / cols, (box[3] - box[1]) / rows)
        zooms = [z - self.zoom_offset for z in self.store.zooms]
        z = next((z for z in zooms if self.tms.matrix(z).cellSize <= want * 1.0001), zooms[-1])
        for zoom in [zz for zz in reversed(zooms) if zz <= z]:
            mosaic, transform = self._mosaic(zoom, box)
            if mosaic is None:
                continue
            if shift != (0.0, 0.0):  # draw the tiles back where they truly belong
                from affine import Affine

                transform = Affine.translation(-shift[0], -shift[1]) * transform
            layer = np.full_like(out, np.nan)
            for i, band in enumerate(bands):
                reproject(mosaic[band - 1], layer[i], src_transform=transform, src_crs=self.crs,
                          dst_transform=dst_transform, dst_crs=dst_crs, src_nodata=np.nan,
                          dst_nodata=np.nan, resampling=getattr(Resampling, resampling))
            gaps = np.isnan(out)
            out[gaps] = layer[gaps]
            if not np.isnan(out).any():
                break
        return out

    def _mosaic(self, zoom: int, box):
        """The tiles of ``zoom`` over ``box`` as one float32 RGBA array (NaN where a
        tile is missing or transparent) and its transform; (None, None): none."""
        import morecantile
        from affine import Affine
        from PIL import Image

        tms = self.tms
        matrix = tms.matrix(zoom)
        from pyproj import CRS

        own = CRS.from_user_input(self.crs)
        # the tile under a point in the matrix set's own CRS (an identity "geographic" CRS)
        lo = tms.tile(box[0] + 1e-9, box[3] - 1e-9, zoom, geographic_crs=own)
        hi = tms.tile(box[2] - 1e-9, box[1] + 1e-9, zoom, geographic_crs=own)
        x0, x1 = max(lo.x, 0), min(hi.x, matrix.matrixWidth - 1)
        y0, y1 = max(lo.y, 0), min(hi.y, matrix.matrixHeight - 1)
        if x1 < x0 or y1 < y0 or (x1 - x0 + 1) * (y1 - y0 + 1) > 64:
            return None, None
        size = matrix.tileWidth
        mosaic = np.full((4, (y1 - y0 + 1) * size, (x1 - x0 + 1) * size), np.nan, np.float32)
        found = False
        for ty in range(y0, y1 + 1):
            for tx in range(x0, x1 + 1):
                data = self.store.get(zoom + self.zoom_offset, tx, ty)
                if data is None:
                    continue
                try:
                    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"),
                                     dtype=np.float32)
                except Exception as exc:  # a damaged tile stays a hole
                    log.info("tile %d/%d/%d: %s", zoom, tx, ty, exc)
                    continue
                if img.shape[:2] != (size, size):
                    continue
                self.decoded += 1
                img[img[..., 3] == 0] = np.nan
                r, c = (ty - y0) * size, (tx - x0) * size
                mosaic[:, r:r + size, c:c + size] = img.transpose(2, 0, 1)
                found = True
        if not found:
            return None, None
        ul = tms.xy_bounds(morecantile.Tile(x0, y0, zoom))
        cell = matrix.cellSize
        return mosaic, Affine(cell, 0, ul.left, 0, -cell, ul.top)

    def _gcj_shift(self, box) -> tuple[float, float]:
        """How far GCJ-02 moves the centre of ``box`` (in the tiles' CRS units)."""
        from pyproj import Transformer

        from twinviewer.io.gcj02 import wgs84_to_gcj02

        to_ll = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        lon, lat = to_ll.transform(cx, cy)
        glon, glat = wgs84_to_gcj02(np.array([lon]), np.array([lat]))
        gx, gy = to_ll.transform(float(glon[0]), float(glat[0]), direction="INVERSE")
        return (gx - cx, gy - cy)

    def close(self) -> None:
        pass


def _gcj_box_to_wgs(w, s, e, n):
    from twinviewer.io.gcj02 import gcj02_to_wgs84

    lon, lat = gcj02_to_wgs84(np.array([w, e]), np.array([s, n]))
    return float(lon[0]), float(lat[0]), float(lon[1]), float(lat[1])


def looks_like_tile_folder(path: Path) -> bool:
    """A folder whose sub-folders are zoom numbers holding ``{x}/{y}.png`` (the sniff)."""
    if not path.is_dir():
        return False
    for z in path.iterdir():
        if z.is_dir() and z.name.isdigit():
            for x in z.iterdir():
                if x.is_dir() and x.name.isdigit():
                    return any(f.suffix.lower() in TILE_SUFFIXES for f in x.iterdir())
    return False


def read_basemap(path: str | Path, *, tms: str = "WebMercatorQuad", zoom_offset: int = 0,
                 gcj02: bool = False, url: str | None = None, bounds: list | None = None,
                 maxzoom: int | None = None, name: str | None = None) -> list[RasterLayer]:
    """Open an MBTiles file or an XYZ folder (optionally fed from ``url``) as imagery.

    Examples
    --------
    >>> read_basemap("shanghai.mbtiles", gcj02=True)  # doctest: +SKIP
    """
    path = Path(path)
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise LoadError(translate("LoadError", "url must start with http:// or https://"), path)
    if url is not None and not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise LoadError(translate("LoadError", "url must hold {z}, {x} and {y}"), path)
    if path.is_dir():
        zooms = list(range(0, (maxzoom if maxzoom is not None else 18) + 1)) if url else None
        store: TileStore = FolderStore(path, url=url, zooms=zooms)
    else:
        store = MBTilesStore(path)
    source = TileSource(store, tms, zoom_offset=zoom_offset, gcj02=gcj02, bounds=bounds)
    layer = RasterLayer(name=name or path.name.split(".")[0], role="imagery", raster=source,
                        crs="EPSG:4490" if tms == "CGCS2000Quad" else "EPSG:4326",
                        source=str(path), kind="basemap")
    w, s, e, n = source.lonlat
    layer.source_bounds = (w, s, 0.0, e, n, 0.0)
    layer.gcj02 = bool(gcj02)
    layer.info = {"tms": tms, "zooms": list(store.zooms), "bounds": list(source.lonlat),
                  "gcj02": bool(gcj02), "url": url, "missing_zooms": list(store.missing)}
    if store.missing:
        layer.warnings.append(translate("LoadError", "zoom levels {zooms} are missing: "
                                                     "coarser tiles stand in").format(
            zooms=", ".join(str(z) for z in store.missing)))
    meta = " ".join(str(v) for v in getattr(store, "meta", {}).values()) + " " + (url or "")
    tianditu = "tianditu" in meta.lower() or "天地图" in meta or tms == "CGCS2000Quad"
    from twinviewer.io.gcj02 import in_china

    if not gcj02 and not tianditu and bool(in_china((w + e) / 2, (s + n) / 2)):
        layer.warnings.append(translate(
            "LoadError", "web map tiles of China (Gaode, Tencent, Baidu) are offset by "
                         "100-700 m: if these are, set gcj02 = true (Tianditu needs none)"))
    return [layer]
