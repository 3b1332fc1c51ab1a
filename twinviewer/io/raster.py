"""Raster layers through rasterio (GDAL): DEMs and orthophotos, read by window and level.

A raster is never read whole. :func:`open_raster` reads the header (size, bands, CRS,
bounds, nodata, overviews, vertical units); :class:`RasterSource` then reads any box of
the scene at any resolution: it picks the overview whose cells are just finer than
asked (GDAL's ``overview_level``), reads the window inside the file and warps it into
the scene CRS with :func:`rasterio.warp.reproject`, nodata kept as NaN (heights) or as
transparent (imagery). Datasets are opened once per thread: GDAL handles are not
thread-safe, and the ground's worker pool reads tiles in parallel.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.ground_layer import RasterLayer
from twinviewer.i18n import translate
from twinviewer.io.registry import RASTER_SUFFIXES

log = logging.getLogger(__name__)

FOOT = 0.3048
US_FOOT = 1200.0 / 3937.0
_FOOT_NAMES = {"ft": FOOT, "foot": FOOT, "feet": FOOT, "international foot": FOOT,
               "us-ft": US_FOOT, "us survey foot": US_FOOT, "ftus": US_FOOT,
               "us_survey_foot": US_FOOT}
STRIP_WARN_PIXELS = 4096 * 4096  # a single strip bigger than this decodes slowly
GDAL_CACHE_MB = 96  # GDAL's block cache: bounded, so memory is the tiles' budget
PARALLEL_CELLS = 1 << 20  # resampled reads this big are read in row bands, in threads
MAX_READ_THREADS = 4


def _bound_gdal_cache() -> None:
    """GDAL caches 5 % of RAM in blocks by default; the ground keeps its own budget."""
    import os

    if "GDAL_CACHEMAX" not in os.environ:
        from rasterio.env import set_gdal_config

        set_gdal_config("GDAL_CACHEMAX", GDAL_CACHE_MB)


@dataclass
class RasterInfo:
    """What ``twinviewer info`` prints about a raster (all plain values, JSON-ready)."""

    path: str
    driver: str
    width: int
    height: int
    bands: int
    dtype: str
    crs: str | None
    bounds: tuple[float, float, float, float]
    resolution: tuple[float, float]
    nodata: float | None
    overviews: list[int] = field(default_factory=list)
    block: tuple[int, int] = (0, 0)
    vertical_unit: str = "metre"
    z_factor: float = 1.0  # heights times this are metres
    colorinterp: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def gdal_path(path: str | Path) -> str:
    """The path GDAL opens: a zip file becomes ``/vsizip/...`` of its first raster."""
    text = str(path)
    if text.lower().endswith(".zip"):
        try:
            with zipfile.ZipFile(text) as zf:
                names = [n for n in zf.namelist() if n.lower().endswith(RASTER_SUFFIXES)]
        except (OSError, zipfile.BadZipFile) as exc:
            raise LoadError(translate("LoadError", "not a readable zip file ({detail})")
                            .format(detail=exc), path) from None
        if not names:
            raise LoadError(translate("LoadError", "the zip file holds no raster "
                                                   "(.tif, .img, .asc, .hgt...)"), path)
        return f"/vsizip/{Path(text).resolve()}/{names[0]}"
    return text


def looks_like_raster_zip(path: Path) -> bool:
    """A ``.zip`` whose members include a raster (the registry's sniff)."""
    if path.suffix.lower() != ".zip" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.lower().endswith(RASTER_SUFFIXES) for n in zf.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _problem(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return translate("LoadError", "not a readable raster ({detail})").format(detail=text[:200])


def _z_factor(ds) -> tuple[str, float]:
    """The vertical unit (band unit type, else the compound CRS's vertical axis) and the
    factor to metres."""
    unit = (ds.units[0] if ds.units else "") or ""
    if not unit and ds.crs is not None:
        try:
            from pyproj import CRS

            crs = CRS.from_user_input(ds.crs.to_wkt())
            if crs.is_compound and len(crs.sub_crs_list) > 1:
                axes = crs.sub_crs_list[1].axis_info
                unit = axes[0].unit_name if axes else ""
        except Exception:  # an exotic WKT: heights are taken as metres
            unit = ""
    key = unit.strip().lower()
    if key in _FOOT_NAMES:
        return unit, _FOOT_NAMES[key]
    return unit or "metre", 1.0


def _crs_text(crs) -> str | None:
    if crs is None:
        return None
    epsg = crs.to_epsg(confidence_threshold=90) if hasattr(crs, "to_epsg") else None
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def raster_info(path: str | Path) -> RasterInfo:
    """Read a raster's header; raises :class:`LoadError` (one line) when GDAL cannot."""
    import rasterio
    from rasterio.errors import RasterioError

    gpath = gdal_path(path)
    try:
        # GDAL shows an uncompressed strip as one-row blocks; the header should say
        # how the file is really stored (strips are what make windowed reads slow)
        with rasterio.Env(GDAL_ENABLE_TIFF_SPLIT="NO"), rasterio.open(gpath) as ds:
            if ds.count < 1 or ds.width < 1 or ds.height < 1:
                raise LoadError(translate("LoadError", "the raster has no cells or no bands"),
                                path)
            unit, factor = _z_factor(ds)
            overviews = ds.overviews(1) if ds.count else []
            return RasterInfo(
                path=str(path), driver=ds.driver, width=ds.width, height=ds.height,
                bands=ds.count, dtype=str(ds.dtypes[0]), crs=_crs_text(ds.crs),
                bounds=tuple(float(v) for v in ds.bounds), resolution=tuple(ds.res),
                nodata=None if ds.nodata is None else float(ds.nodata),
                overviews=list(overviews), block=tuple(ds.block_shapes[0]),
                vertical_unit=unit, z_factor=factor,
                colorinterp=[c.name for c in ds.colorinterp])
    except LoadError:
        raise
    except (RasterioError, OSError, ValueError) as exc:
        raise LoadError(_problem(exc), path) from None


class RasterSource:
    """Reads boxes of one raster, at a level, warped into a target CRS.

    Parameters
    ----------
    info : RasterInfo
        From :func:`raster_info`.
    crs : str, optional
        The raster's CRS when the file has none (the scene file's ``crs``).
    nodata : float, optional
        A nodata value the file does not declare.
    """

    def __init__(self, info: RasterInfo, crs: str | None = None,
                 nodata: float | None = None) -> None:
        self.info = info
        self.crs = crs or info.crs
        self.nodata = info.nodata if nodata is None else float(nodata)
        self._gpath = gdal_path(info.path)
        self._local = threading.local()
        self._handles: list = []
        self._lock = threading.Lock()
        _bound_gdal_cache()

    # -- datasets per thread and level -------------------------------------
    def _dataset(self, level: int):
        import rasterio

        cache = getattr(self._local, "datasets", None)
        if cache is None:
            cache = self._local.datasets = {}
        ds = cache.get(level)
        if ds is None:
            ds = rasterio.open(self._gpath) if level < 0 else \
                rasterio.open(self._gpath, overview_level=level)
            cache[level] = ds
            with self._lock:
                self._handles.append(ds)
        return ds

    def level_for(self, cell: float) -> int:
        """The coarsest level (-1: full resolution) whose cells are no bigger than
        ``cell`` source units."""
        res = min(self.info.resolution)
        best = -1
        for i, factor in enumerate(self.info.overviews):
            if res * factor <= cell * 1.0001:
                best = i
        return best

    def close(self) -> None:
        """Close every thread's datasets; a later read opens new ones."""
        with self._lock:
            self._local = threading.local()  # no thread keeps a closed dataset
            for ds in self._handles:
                try:
                    ds.close()
                except Exception:  # closing a handle from another thread at exit
                    pass
            self._handles.clear()

    # -- reading -------------------------------------------------------------
    def read(self, bounds: tuple[float, float, float, float], shape: tuple[int, int],
             dst_crs: str | None = None, *, bands: tuple[int, ...] = (1,),
             pixel_is_point: bool = False, resampling: str = "bilinear") -> np.ndarray:
        """Cells of ``bounds`` (xmin, ymin, xmax, ymax in ``dst_crs``) as a
        ``(len(bands), rows, cols)`` float32 array, NaN where there is no data.

        ``pixel_is_point``: the first and last rows/columns lie ON the edges of
        ``bounds`` (a terrain tile's vertices, shared with its neighbours), instead of
        the cells filling it.
        """
        from rasterio.enums import Resampling
        from rasterio.transform import from_origin
        from rasterio.warp import reproject, transform_bounds
        from rasterio.windows import Window, from_bounds

        rows, cols = shape
        x0, y0, x1, y1 = bounds
        if pixel_is_point:
            dx = (x1 - x0) / max(cols - 1, 1)
            dy = (y1 - y0) / max(rows - 1, 1)
            x0, x1, y0, y1 = x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2
        dx, dy = (x1 - x0) / cols, (y1 - y0) / rows
        dst_transform = from_origin(x0, y1, dx, dy)
        dst_crs = dst_crs or self.crs
        src_box = (x0, y0, x1, y1)
        if dst_crs and self.crs and dst_crs != self.crs:
            src_box = transform_bounds(dst_crs, self.crs, x0, y0, x1, y1, densify_pts=8)
        # cell size asked, in source units
        cell = min((src_box[2] - src_box[0]) / cols, (src_box[3] - src_box[1]) / rows)
        level = self.level_for(cell)
        ds = self._dataset(level)
        win = from_bounds(*src_box, transform=ds.transform)
        c0 = max(int(math.floor(win.col_off)) - 2, 0)
        r0 = max(int(math.floor(win.row_off)) - 2, 0)
        c1 = min(int(math.ceil(win.col_off + win.width)) + 2, ds.width)
        r1 = min(int(math.ceil(win.row_off + win.height)) + 2, ds.height)
        if c1 <= c0 or r1 <= r0:
            return np.full((len(bands), rows, cols), np.nan, dtype=np.float32)
        same_crs = not dst_crs or not self.crs or dst_crs == self.crs
        eps = 1e-6 * max(win.width, win.height, 1.0)
        if same_crs and win.col_off >= -eps and win.row_off >= -eps and \
                win.col_off + win.width <= ds.width + eps and \
                win.row_off + win.height <= ds.height + eps:
            # same CRS, inside the file: GDAL resamples the (fractional) window itself,
            # several times faster than the warper
            return self._resampled(ds, win, bands, (rows, cols), resampling, level)
        out = np.full((len(bands), rows, cols), np.nan, dtype=np.float32)
        window = Window(c0, r0, c1 - c0, r1 - r0)
        data = ds.read(list(bands), window=window, masked=True).astype(np.float32)
        if self.nodata is not None and ds.nodata is None:
            data = np.ma.masked_equal(data, self.nodata)
        src = np.ma.filled(data, np.nan).astype(np.float32)
        mask = np.ma.getmaskarray(data)
        if mask.any():
            src[mask] = np.nan
        if ds.count >= 4 and 4 not in bands and ds.colorinterp[3].name == "alpha":
            alpha = ds.read(4, window=window)
            src[:, alpha == 0] = np.nan
        win_transform = ds.window_transform(window)
        method = getattr(Resampling, resampling)
        near = np.full((rows, cols), np.nan, dtype=np.float32)
        for i in range(len(bands)):
            kw = dict(src_transform=win_transform, src_crs=self.crs,
                      dst_transform=dst_transform, dst_crs=dst_crs or self.crs,
                      src_nodata=np.nan, dst_nodata=np.nan)
            reproject(src[i], out[i], resampling=method, **kw)
            gaps = np.isnan(out[i])
            inner = gaps[1:-1, 1:-1].any() if min(rows, cols) > 2 else gaps.any()
            if inner or (gaps.any() and not pixel_is_point):
                # bilinear needs neighbours on both sides: at the raster's outer edge
                # and beside nodata, the nearest cell's value stands in (edge samples
                # of a lattice are filled from their neighbours below)
                reproject(src[i], near, resampling=Resampling.nearest, **kw)
                out[i][gaps] = near[gaps]
        if pixel_is_point and rows > 2 and cols > 2:
            # samples ON the raster's outer edge fall half outside every cell: the
            # row or column next to them stands in
            for edge, inner in ((0, 1), (-1, -2)):
                row, nxt = out[:, edge, :], out[:, inner, :]
                row[np.isnan(row)] = nxt[np.isnan(row)]
                col, nxt = out[:, :, edge], out[:, :, inner]
                col[np.isnan(col)] = nxt[np.isnan(col)]
        return out

    def _resampled(self, ds, win, bands, shape, resampling: str, level: int) -> np.ndarray:
        from rasterio.enums import Resampling
        from rasterio.windows import Window

        rows, cols = shape
        method = getattr(Resampling, resampling)

        def snap(v: float) -> float:  # whole pixels take GDAL's fast path
            return float(round(v)) if abs(v - round(v)) < 1e-3 else v

        c0, r0 = max(snap(win.col_off), 0.0), max(snap(win.row_off), 0.0)
        win = Window(c0, r0, min(snap(win.width), ds.width - c0),
                     min(snap(win.height), ds.height - r0))
        # not masked=True: a resampled mask band costs more than the read itself;
        # GDAL's resampling keeps nodata cells at the nodata value
        threads = min(os.cpu_count() or 1, MAX_READ_THREADS)
        if rows * cols >= PARALLEL_CELLS and threads > 1 and rows >= 2 * threads:
            data = self._in_bands(level, win, bands, (rows, cols), method, threads)
        else:
            data = ds.read(list(bands), window=win, out_shape=(len(bands), rows, cols),
                           resampling=method)
        nodata = ds.nodata if ds.nodata is not None else self.nodata
        holes = (data == nodata) if nodata is not None else None
        out = data.astype(np.float32, copy=False)  # float32 DEMs: the read buffer itself
        if holes is not None and holes.any():
            out[holes] = np.nan
        if np.issubdtype(data.dtype, np.floating) and np.issubdtype(out.dtype, np.floating):
            bad = ~np.isfinite(out)
            if bad.any():
                out[bad] = np.nan
        if ds.count >= 4 and 4 not in bands and ds.colorinterp[3].name == "alpha":
            alpha = ds.read(4, window=win, out_shape=(rows, cols))
            out[:, alpha == 0] = np.nan
        return out

    def _in_bands(self, level: int, win, bands, shape, method, threads: int) -> np.ndarray:
        """A big resampled read (a DEM's placement grid) as row bands read at once in
        threads, each with its own dataset (GDAL decodes and resamples outside the
        GIL). Each output row maps to the same source rows as in one read, so the
        cells are the same."""
        from concurrent.futures import ThreadPoolExecutor

        import rasterio
        from rasterio.windows import Window

        rows, cols = shape
        out = np.empty((len(bands), rows, cols),
                       dtype=self._dataset(level).dtypes[bands[0] - 1])
        scale = win.height / rows
        cuts = [rows * k // threads for k in range(threads + 1)]

        def band(k: int) -> None:
            a, b = cuts[k], cuts[k + 1]
            part = Window(win.col_off, win.row_off + a * scale, win.width, (b - a) * scale)
            opts = {} if level < 0 else {"overview_level": level}
            with rasterio.open(self._gpath, **opts) as ds:  # a handle per band: closed
                out[:, a:b] = ds.read(list(bands), window=part,
                                      out_shape=(len(bands), b - a, cols), resampling=method)

        with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="raster") as pool:
            list(pool.map(band, range(threads)))
        return out

    def has_data(self) -> bool:
        """Whether any cell holds data (read from the coarsest overview)."""
        ds = self._dataset(len(self.info.overviews) - 1)
        data = ds.read(1, masked=True,
                       out_shape=(min(ds.height, 512), min(ds.width, 512)))
        if self.nodata is not None and ds.nodata is None:
            data = np.ma.masked_equal(data, self.nodata)
        return not bool(np.ma.getmaskarray(data).all())

    def scene_bounds(self, dst_crs: str | None) -> tuple[float, float, float, float]:
        """The raster's extent in ``dst_crs``."""
        from rasterio.warp import transform_bounds

        b = self.info.bounds
        if not dst_crs or not self.crs or dst_crs == self.crs:
            return b
        return tuple(transform_bounds(self.crs, dst_crs, *b, densify_pts=21))


def _role_of(info: RasterInfo, role: str | None, path) -> str:
    if role is not None:
        if role not in ("terrain", "imagery"):
            raise LoadError(translate("LoadError", "role must be \"terrain\" or \"imagery\", "
                                                   "not {role!r}").format(role=role), path)
        return role
    if info.bands >= 3 or info.dtype == "uint8":
        return "imagery"
    return "terrain"


def read_raster(path: str | Path, *, role: str | None = None, max_error: float | None = None,
                nodata: float | None = None, name: str | None = None) -> list[RasterLayer]:
    """Open a raster as a layer: a DEM (``role = "terrain"``) or imagery draped on it.

    Nothing but the header and a small overview is read here; the ground's tiles read
    their windows later, in workers. The layer's CRS may be given by the scene file
    (``crs = ...``) when the file has none: without either it is refused when placed.

    Examples
    --------
    >>> layers = read_raster("dem_4549.tif", role="terrain", max_error=0.5)  # doctest: +SKIP
    """
    path = Path(path)
    if not path.exists():
        raise LoadError(translate("LoadError", "file not found"), path)
    info = raster_info(path)
    role = _role_of(info, role, path)
    if max_error is not None and not (float(max_error) > 0):
        raise LoadError(translate("LoadError", "max_error must be a positive number of "
                                               "metres"), path)
    source = RasterSource(info, nodata=nodata)
    layer = RasterLayer(name=name or path.name.split(".")[0], role=role, raster=source,
                        crs=info.crs, source=str(path), source_bounds=(
                            info.bounds[0], info.bounds[1], 0.0,
                            info.bounds[2], info.bounds[3], 0.0),
                        max_error=float(max_error) if max_error is not None else 0.5)
    layer.info = info.to_dict()
    if role == "terrain" and info.z_factor != 1.0:
        layer.warnings.append(translate("LoadError", "heights are in {unit}: converted to "
                                                     "metres (x {factor})").format(
            unit=info.vertical_unit, factor=f"{info.z_factor:.6g}"))
    if info.width * info.height == 1:
        layer.warnings.append(translate("LoadError", "a 1 x 1 raster: drawn as one flat "
                                                     "cell"))
    if info.block[0] >= info.height and info.width * info.height > STRIP_WARN_PIXELS \
            and not info.overviews:
        layer.warnings.append(translate(
            "LoadError", "stored as one strip without overviews: every view reads the "
                         "whole image; convert it to a tiled COG (gdal_translate -of COG) "
                         "for speed"))
    if info.crs is None:
        layer.warnings.append(translate("LoadError", "the raster has no CRS"))
    if role == "terrain" and info.bands > 1:
        layer.warnings.append(translate("LoadError", "{n} bands: the first is taken as "
                                                     "heights").format(n=info.bands))
    return [layer]
