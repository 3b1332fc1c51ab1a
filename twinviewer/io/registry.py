"""The reader registry: which reader opens a layer source, by kind, URL scheme or name.

Every kind of layer (vector files, CityJSON, meshes, PostGIS tables, and the tiles and
raster kinds to come) is one :class:`Reader` entry in :data:`READERS`. The loader asks
:func:`reader_for` and never branches on formats itself. A reader's function is named
as ``"module:function"`` and imported on first use, the way packaging entry points
are, so that ``io`` names the PostGIS reader without importing ``store`` (and loading
a plain GeoPackage never imports psycopg).

A reader's function is called as ``function(source, progress=None, **options)`` and
returns a list of :class:`~twinviewer.core.layer.Layer` in source coordinates, or
raises :class:`~twinviewer.core.errors.LoadError`.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from twinviewer.core.errors import LoadError
from twinviewer.core.sources import is_postgis_url
from twinviewer.i18n import translate

MESH_SUFFIXES = (".obj", ".ply", ".stl", ".glb", ".gltf", ".off")


@dataclass(frozen=True)
class Reader:
    """One kind of layer source and the function that reads it.

    Parameters
    ----------
    kind : str
        The scene file's ``kind = ...`` for it (``"vector"``, ``"mesh"``, ...).
    target : str
        ``"module:function"`` of the reader, imported on first use.
    options : dict
        The scene-file layer keys it takes (passed as keyword arguments), each with
        its TOML type (or tuple of types): the scene file checks them.
    suffixes : tuple of str
        Lower-case name endings it recognises (``".city.json"``); default: none.
    schemes : tuple of str
        URL schemes it reads (``"postgresql"``); default: none (local files only).
    sniff : str or None
        ``"module:function"`` taking a :class:`~pathlib.Path` and answering whether
        this reader recognises it, for names that say nothing (``.json``, folders).
    """

    kind: str
    target: str
    options: dict[str, Any] = field(default_factory=dict)
    suffixes: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    sniff: str | None = None

    def function(self) -> Callable[..., list]:
        module, name = self.target.split(":")
        return getattr(importlib.import_module(module), name)

    def recognises(self, path: Path) -> bool:
        name = path.name.lower()
        if self.suffixes and name.endswith(self.suffixes):
            return True
        if self.sniff:
            module, fname = self.sniff.split(":")
            return bool(getattr(importlib.import_module(module), fname)(path))
        return False

    def read(self, source: Any, options: dict, progress: Callable | None = None) -> list:
        fn = self.function()
        if progress is not None and "progress" in inspect.signature(fn).parameters:
            return fn(source, progress=progress, **options)
        return fn(source, **options)


_NUMBER = (int, float)
_VECTOR_OPTIONS = {"table": str, "encoding": str, "class_field": str, "height_field": str,
                   "floors_field": str, "default_height": _NUMBER,
                   "base_height": (int, float, str),  # a number or "terrain"
                   "gcj02": bool}
RASTER_SUFFIXES = (".tif", ".tiff", ".vrt", ".img", ".asc", ".hgt")

# Every reader, in the order names are matched; the last one without suffixes,
# scheme or sniff (``vector``: anything OGR opens) takes what no other recognises.
_TILES_OPTIONS = {"budget_mb": _NUMBER, "max_sse": _NUMBER, "classify": str}

READERS: list[Reader] = [
    Reader("tiles", "twinviewer.tiles.layer:read_tileset", _TILES_OPTIONS,
           suffixes=("tileset.json",), schemes=("http", "https"),
           sniff="twinviewer.tiles.layer:looks_like_tileset"),
    Reader("raster", "twinviewer.io.raster:read_raster",
           {"role": str, "max_error": _NUMBER, "nodata": _NUMBER},
           suffixes=RASTER_SUFFIXES, sniff="twinviewer.io.raster:looks_like_raster_zip"),
    Reader("basemap", "twinviewer.io.basemap:read_basemap",
           {"tms": str, "zoom_offset": int, "gcj02": bool, "url": str, "bounds": list,
            "maxzoom": int},
           suffixes=(".mbtiles",), sniff="twinviewer.io.basemap:looks_like_tile_folder"),
    Reader("cityjson", "twinviewer.io.cityjson:read_cityjson", {"lod": (str, int, float)},
           suffixes=(".city.json", ".city.jsonl", ".jsonl"),
           sniff="twinviewer.io.registry:looks_like_cityjson"),
    Reader("osgb", "twinviewer.io.osgb_convert:read_osgb", {"cache": str, **_TILES_OPTIONS},
           sniff="twinviewer.io.osgb:looks_like_osgb"),
    Reader("mesh", "twinviewer.io.mesh:read_mesh",
           {"position": list, "rotation": (list, int, float), "scale": (list, int, float)},
           suffixes=MESH_SUFFIXES),
    Reader("vector", "twinviewer.store.postgis:read_url_layers",
           {**{k: v for k, v in _VECTOR_OPTIONS.items() if k not in ("encoding", "gcj02")},
            "base_height": _NUMBER},
           schemes=("postgresql", "postgres")),
    Reader("vector", "twinviewer.io.vector:read_vector", _VECTOR_OPTIONS),
]


# Stores whose files a plain reader reads (a GeoPackage is read by ``vector``), by
# lower-case name ending: ``"module:function"`` taking ``(source, table)`` and returning
# the layer's data provider (:class:`~twinviewer.core.layer.Provider`) or None.  The
# store names its provider here so that ``io`` does not import ``store``; readers of a
# store's own kind (PostGIS) set ``layer.provider`` themselves.
PROVIDERS: dict[str, str] = {".gpkg": "twinviewer.store.gpkg:provider_for"}


def provider_for(source: Any, table: str) -> Any:
    """The data provider of a layer read from ``source`` (None: a plain file)."""
    name = str(source).lower()
    for suffix, target in PROVIDERS.items():
        if name.endswith(suffix):
            module, fname = target.split(":")
            return getattr(importlib.import_module(module), fname)(source, table)
    return None


def register_reader(reader: Reader, *, first: bool = True) -> None:
    """Add a reader (a plug-in kind); ``first``: matched before the built-in ones."""
    READERS.insert(0 if first else len(READERS) - 1, reader)


def option_types() -> dict[str, Any]:
    """Every reader's scene-file layer keys with their TOML types."""
    out: dict[str, Any] = {}
    for reader in READERS:
        out.update(reader.options)
    return out


def is_scene_file(path: str | Path) -> bool:
    """Whether ``path`` names a scene file (``.toml``)."""
    return Path(path).suffix.lower() == ".toml"


def kinds() -> list[str]:
    """The layer kinds a scene file may name, in registry order, each once."""
    return list(dict.fromkeys(r.kind for r in READERS))


def looks_like_cityjson(path: Path) -> bool:
    """A ``.json`` file whose first 64 KiB name CityJSON."""
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    return b'"CityJSON' in head or b'"CityObjects"' in head


def scheme_of(source: Any) -> str | None:
    """The URL scheme of a source (``"postgresql"``, ``"https"``), or None for a path."""
    text = str(source)
    if is_postgis_url(text):
        return text.split(":", 1)[0].lower()
    head, sep, _ = text.partition("://")
    return head.lower() if sep and head.isalpha() and len(head) > 1 else None


def kind_of(path: Path) -> str:
    """``"scene"`` or the kind of the first reader that recognises ``path``
    (``"vector"`` when none does)."""
    if is_scene_file(path):
        return "scene"
    for reader in READERS:
        if (not reader.schemes or reader.suffixes or reader.sniff) and reader.recognises(path):
            return reader.kind
    return "vector"


def reader_for(source: Any, kind: str | None = None) -> Reader:
    """The reader for ``source`` (a path or URL), of ``kind`` when the scene file says.

    Raises :class:`LoadError` for an unknown kind or a URL no reader takes.
    """
    scheme = scheme_of(source)
    if kind is not None and kind not in kinds():
        raise LoadError(translate("LoadError", "unknown layer kind {kind!r} ({known})").format(
            kind=kind, known=", ".join(kinds())), source)
    if scheme is not None:
        for reader in READERS:
            if scheme in reader.schemes and kind in (None, reader.kind):
                return reader
        raise LoadError(translate("LoadError", "no reader for {scheme}:// sources of kind "
                                               "{kind}").format(scheme=scheme,
                                                                kind=kind or "?"), source)
    kind = kind or kind_of(Path(source))
    if kind == "scene":
        raise LoadError(translate("LoadError", "a scene file cannot be a layer of another "
                                               "scene"), source)
    for reader in READERS:  # a URL reader with suffixes or a sniff reads files too
        if reader.kind == kind and (not reader.schemes or reader.suffixes or reader.sniff):
            return reader
    raise LoadError(translate("LoadError", "unknown layer kind {kind!r} ({known})").format(
        kind=kind, known=", ".join(kinds())), source)
