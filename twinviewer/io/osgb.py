"""OSGB oblique photography (ContextCapture / Smart3D): metadata, osgconv and PagedLODs.

A ContextCapture export is a folder with ``metadata.xml`` (the SRS and SRSOrigin) and
``Data/Tile_+xxx_+yyy/Tile_+xxx_+yyy.osgb`` pyramids whose PagedLOD nodes name finer
files. The binary files are read by OpenSceneGraph's ``osgconv`` (Debian
``openscenegraph``), never by a parser of ours: each file becomes ASCII ``.osgt`` (for
the PagedLOD ranges, child file names and bounding spheres) and ``.obj`` (for the
geometry and textures, which trimesh reads). :mod:`twinviewer.io.osgb_convert` turns
the pyramid into a 3D Tiles cache once; the tiles layer streams that.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

OSGCONV_TIMEOUT_S = 600
# the nominal camera the OSG ranges are turned into geometric errors with: the
# default View of tiles/select.py (1000 px high, 30 degrees) at the default max SSE
NOMINAL_HEIGHT_PX = 1000.0
NOMINAL_FOV_DEG = 30.0
NOMINAL_MAX_SSE = 16.0


# -- metadata.xml -------------------------------------------------------------------
@dataclass(frozen=True)
class Georef:
    """Where a ContextCapture model's local coordinates lie on the earth.

    ``srs`` is the text of ``<SRS>`` (``EPSG:4549``, WKT, or ``ENU:lat,lon``);
    ``origin`` is ``<SRSOrigin>``, added to every vertex before the SRS applies.
    """

    srs: str
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)
    enu: tuple[float, float] | None = None  # (lat, lon) of an ENU frame

    @property
    def crs_label(self) -> str:
        """The SRS as ``info`` prints it (``EPSG:4549``, ``ENU:30.5,120.2``)."""
        if self.enu is not None:
            return f"ENU:{self.enu[0]:g},{self.enu[1]:g}"
        crs = CRS.from_user_input(self.srs)
        code = crs.to_epsg()
        return f"EPSG:{code}" if code else crs.name

    def to_ecef(self, points: np.ndarray) -> np.ndarray:
        """Local model coordinates ``(n, 3)`` to ECEF (EPSG:4978) metres, float64."""
        p = np.asarray(points, dtype=np.float64).reshape(-1, 3) + np.asarray(self.origin)
        if self.enu is not None:
            lat, lon = np.radians(self.enu)
            east = np.array([-np.sin(lon), np.cos(lon), 0.0])
            north = np.array([-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon),
                              np.cos(lat)])
            up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
            o = _geodetic_to_ecef.transform(self.enu[1], self.enu[0], 0.0)
            return np.asarray(o) + p @ np.vstack([east, north, up])
        x, y, z = _to_ecef(self.srs).transform(p[:, 0], p[:, 1], p[:, 2])
        return np.column_stack([x, y, z])


_geodetic_to_ecef = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)


def _to_ecef(srs: str) -> Transformer:
    crs = CRS.from_user_input(srs)
    # heights are ellipsoidal: a 2D projected SRS becomes 3D with the height passed on
    return Transformer.from_crs(crs.to_3d(), "EPSG:4978", always_xy=True)


def read_metadata(folder: str | Path) -> Georef:
    """The SRS and SRSOrigin of a ContextCapture folder's ``metadata.xml``.

    Raises :class:`LoadError` naming the file when it is missing, broken, or its SRS
    is unknown.
    """
    folder = Path(folder)
    path = folder / "metadata.xml"
    if not path.is_file():
        raise LoadError(translate("LoadError", "not an OSGB folder: no metadata.xml"), folder)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise LoadError(translate("LoadError", "broken XML ({detail})").format(
            detail=exc), path) from None
    srs = (root.findtext("SRS") or "").strip()
    if not srs:
        raise LoadError(translate("LoadError", "metadata.xml names no <SRS>"), path)
    origin_text = (root.findtext("SRSOrigin") or "0,0,0").strip()
    try:
        values = [float(v) for v in re.split(r"[,\s]+", origin_text) if v]
        origin = tuple((values + [0.0, 0.0, 0.0])[:3])
    except ValueError:
        raise LoadError(translate("LoadError", "SRSOrigin {text!r} is not numbers").format(
            text=origin_text), path) from None
    enu = None
    if srs.upper().startswith("ENU:"):
        try:
            lat, lon = (float(v) for v in srs[4:].split(","))
        except ValueError:
            raise LoadError(translate("LoadError", "SRS {srs!r}: ENU needs ENU:lat,lon").format(
                srs=srs), path) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 360):
            raise LoadError(translate("LoadError", "SRS {srs!r}: latitude or longitude out of "
                                                   "range").format(srs=srs), path)
        enu = (lat, lon)
    else:
        try:
            CRS.from_user_input(srs)
        except CRSError:
            raise LoadError(translate("LoadError", "unknown SRS {srs!r}").format(
                srs=srs[:80]), path) from None
    return Georef(srs, origin, enu)  # type: ignore[arg-type]


def looks_like_osgb(path: Path) -> bool:
    """A folder with ``metadata.xml`` and ``Data/`` (the reader registry's sniff)."""
    path = Path(path)
    return path.is_dir() and (path / "metadata.xml").is_file() and (path / "Data").is_dir()


def top_tiles(folder: Path) -> list[Path]:
    """``Data/Tile_x/Tile_x.osgb`` of every top-level tile, in name order."""
    data = Path(folder) / "Data"
    found = []
    for sub in sorted(p for p in data.iterdir() if p.is_dir()):
        f = sub / f"{sub.name}.osgb"
        if f.is_file():
            found.append(f)
    found += sorted(p for p in data.glob("*.osgb") if p.is_file())  # flat exports
    return found


# -- osgconv -------------------------------------------------------------------------
def osgconv() -> str:
    """The ``osgconv`` executable (``$TWINVIEWER_OSGCONV`` or on ``PATH``)."""
    exe = os.environ.get("TWINVIEWER_OSGCONV") or shutil.which("osgconv")
    if not exe:
        raise LoadError(translate("LoadError", "osgconv (OpenSceneGraph) is not installed: "
                                               "apt-get install openscenegraph"))
    return exe


def run_osgconv(src: Path, dst: Path, *, options: str | None = None,
                cwd: Path | None = None) -> None:
    """Convert one file with ``osgconv`` (``dst``'s suffix picks the format).

    Raises :class:`LoadError` naming ``src`` with osgconv's own complaint when it
    writes nothing.
    """
    cmd = [osgconv()]
    if options:
        cmd += ["-O", options]
    cmd += [str(src), str(dst)]
    env = dict(os.environ, OSG_NOTIFY_LEVEL="WARN")
    try:
        done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env,
                              timeout=OSGCONV_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise LoadError(translate("LoadError", "osgconv took longer than {s} s").format(
            s=OSGCONV_TIMEOUT_S), src) from None
    if done.returncode != 0 or not Path(cwd or ".", dst).is_file():
        said = " ".join((done.stderr or done.stdout or "").split())[-200:]
        raise LoadError(translate("LoadError", "OpenSceneGraph cannot read it ({detail})")
                        .format(detail=said or f"osgconv exit {done.returncode}"), src)


# -- the ASCII scene (.osgt) -----------------------------------------------------------
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}]|[^\s{}"]+')


@dataclass
class PagedLOD:
    """One PagedLOD node of a file: its sphere, ranges, child files and own geometry.

    ``files[i]`` names the file loaded for range ``ranges[i]`` (``""``: the embedded
    child, the geometry this node draws itself); ``children_text`` is the osgt text of
    the embedded children (cut out to convert this node's geometry alone).
    """

    center: tuple[float, float, float] | None
    radius: float | None
    range_mode: str
    ranges: list[tuple[float, float]]
    files: list[str]
    children_text: str = ""

    @property
    def child_files(self) -> list[str]:
        """The finer files this node refines into."""
        return [f for f in self.files if f]

    def geometric_error(self, radius: float | None = None) -> float:
        """Metres of error of drawing this node instead of its child files, from the
        OSG range at which the children load, for the nominal camera.

        ``PIXEL_SIZE_ON_SCREEN``: OSG loads the children when the bounding sphere's
        diameter covers more than ``T`` pixels; the SSE reaches the maximum SSE at the
        same distance when ``error = 2 r x max_sse / T``. ``DISTANCE_FROM_EYE_POINT``
        (children within ``D`` metres): ``error = D x max_sse / K`` with ``K = height /
        (2 tan(fov / 2))``. No child file: 0.
        """
        r = self.radius if self.radius is not None else radius
        limits = [rg for rg, f in zip(self.ranges, self.files, strict=False) if f]
        if not limits:
            return 0.0
        if self.range_mode == "PIXEL_SIZE_ON_SCREEN":
            threshold = max(min(lo for lo, _ in limits), 1.0)
            return 2.0 * float(r or 0.0) * NOMINAL_MAX_SSE / threshold
        k = NOMINAL_HEIGHT_PX / (2.0 * np.tan(np.radians(NOMINAL_FOV_DEG) / 2.0))
        return max(hi for _, hi in limits) * NOMINAL_MAX_SSE / k


@dataclass
class OsgtScene:
    """What the converter needs of one ``.osgt``: header, PagedLODs, object texts."""

    header: str
    lods: list[PagedLOD] = field(default_factory=list)
    definitions: dict[str, str] = field(default_factory=dict)  # UniqueID -> object text


def _tokens(text: str) -> list[re.Match]:
    return list(_TOKEN.finditer(text))


def _block_end(toks: list[re.Match], i: int) -> int:
    """Index of the ``}`` closing the ``{`` at ``toks[i]``."""
    depth = 0
    for j in range(i, len(toks)):
        t = toks[j].group()
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced braces")


def scan_osgt(text: str) -> OsgtScene:
    """The PagedLODs of an osgt scene (not nested ones: a PagedLOD inside another's
    embedded children belongs to that node's geometry) and its objects by UniqueID.

    Raises ValueError on text that is not an osgt scene.
    """
    if not text.startswith("#Ascii"):
        raise ValueError("not an ASCII OSG scene")
    body_at = re.search(r"^[^#\s]", text, re.M)
    header = text[:body_at.start()] if body_at else text
    toks = _tokens(text)
    scene = OsgtScene(header)
    # every object with a UniqueID: the first full text, for references cut out later
    for i in range(len(toks) - 3):
        if toks[i + 1].group() == "{" and toks[i + 2].group() == "UniqueID":
            uid = toks[i + 3].group()
            end = _block_end(toks, i + 1)
            if end > i + 4 and uid not in scene.definitions:
                scene.definitions[uid] = text[toks[i].start():toks[end].end()]
    i = 0
    while i < len(toks):
        if toks[i].group() == "osg::PagedLOD" and i + 1 < len(toks) and \
                toks[i + 1].group() == "{":
            end = _block_end(toks, i + 1)
            scene.lods.append(_paged_lod(text, toks, i + 2, end))
            i = end + 1
            continue
        i += 1
    return scene


def _paged_lod(text: str, toks: list[re.Match], i: int, end: int) -> PagedLOD:
    lod = PagedLOD(None, None, "DISTANCE_FROM_EYE_POINT", [], [])
    while i < end:
        key = toks[i].group()
        if key == "{":  # a nested block of a field we do not read
            i = _block_end(toks, i) + 1
            continue
        if key == "UserCenter":
            x, y, z, r = (float(toks[i + k].group()) for k in range(1, 5))
            lod.center, lod.radius = (x, y, z), r
            i += 5
        elif key == "RangeMode":
            lod.range_mode = toks[i + 1].group()
            i += 2
        elif key == "RangeList":
            close = _block_end(toks, i + 2)
            vals = [float(t.group()) for t in toks[i + 3:close]]
            lod.ranges = list(zip(vals[0::2], vals[1::2], strict=False))
            i = close + 1
        elif key == "RangeDataList":
            close = _block_end(toks, i + 2)
            lod.files = [t.group()[1:-1] for t in toks[i + 3:close]]
            i = close + 1
        elif key == "Children":
            close = _block_end(toks, i + 2)
            lod.children_text = text[toks[i + 2].end():toks[close].start()]
            i = close + 1
        else:
            i += 1
    return lod


_REF = re.compile(r"(osg::\w+)\s*\{\s*UniqueID\s+(\d+)\s*\}")


def node_osgt(scene: OsgtScene, lod: PagedLOD) -> str:
    """A standalone osgt of one PagedLOD's embedded children (its own geometry), with
    objects it shares with other nodes (referenced by UniqueID only) written out."""
    body = lod.children_text
    for _ in range(4):  # a written-out object may refer to further shared ones
        full = {m.group(1) for m in re.finditer(r"\{\s*UniqueID\s+(\d+)\s+[^\s}]", body)}
        missing = [m for m in _REF.finditer(body)
                   if m.group(2) not in full and m.group(2) in scene.definitions]
        if not missing:
            break
        done: set[str] = set()
        out, at = [], 0
        for m in missing:  # the first reference becomes the object, later ones stay
            if m.group(2) in done:
                continue
            done.add(m.group(2))
            out += [body[at:m.start()], scene.definitions[m.group(2)]]
            at = m.end()
        body = "".join(out) + body[at:]
    return (f"{scene.header}osg::Group {{\n  UniqueID 999999991\n  Children "
            f"{_count_objects(body)} {{{body}}}\n}}\n")


def _count_objects(body: str) -> int:
    """Top-level objects in a Children block's text."""
    toks = _tokens(body)
    n, i = 0, 0
    while i < len(toks):
        if i + 1 < len(toks) and toks[i + 1].group() == "{":
            n += 1
            i = _block_end(toks, i + 1) + 1
        else:
            i += 1
    return n


def cache_key(folder: Path) -> str:
    """A short stable name for a folder's conversion cache."""
    return hashlib.sha1(str(Path(folder).resolve()).encode()).hexdigest()[:16]
