"""The scene file: a small versioned TOML file next to its data.

Validated on load; every message names the key (and the line for syntax errors).
Scene files are data only: nothing in them is executed.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from twinviewer.core.errors import LoadError
from twinviewer.core.sources import (
    PostGISSource,
    UrlSource,
    has_password,
    is_http_url,
    is_postgis_url,
)
from twinviewer.core.summary import SavedFilter
from twinviewer.core.transform import TransformSpec
from twinviewer.i18n import translate
from twinviewer.io.camera_paths import parse_bookmarks, parse_paths
from twinviewer.io.registry import is_scene_file, option_types  # noqa: F401  (re-exported)
from twinviewer.io.scene_transform import check_crs, parse_transform

SCENE_VERSION = 1
MAX_SCENE_BYTES = 5_000_000

_TOP_KEYS = {"version", "name", "crs", "origin", "layers", "view", "bookmarks", "paths",
             "transform", "filters", "live"}
_LIVE_KEYS = {"broker": str, "sensors": str, "buildings": str}  # [live] (issue 14)
_FILTER_KEYS = {"name": str, "layer": str, "expression": str}
# Keys of every layer; each reader adds its own (io/registry.py: Reader.options).
_COMMON_LAYER_KEYS = {
    "name": str, "source": str, "kind": str, "group": str, "visible": bool,
    "opacity": (int, float), "line_width": (int, float), "point_scale": (int, float),
    "style": dict, "assets": dict, "sensitive": list,
    "crs": (str, int), "transform": dict,  # local coordinates (issue 8)
}


def layer_keys() -> dict[str, Any]:
    """Every key a ``[[layers]]`` entry may hold, with its TOML type."""
    return {**_COMMON_LAYER_KEYS, **option_types()}


_STYLE_KEYS = {"color": str, "use_file_colors": bool, "edge_color": str,
               # thematic styles (issue 5): categorized by / categories, graduated
               # by / method / classes / ramp / breaks, labels
               "by": str, "categories": dict, "method": str, "classes": int, "ramp": str,
               "breaks": list, "label": str, "label_size": int, "label_color": str,
               # size by attribute (point layers) and camera view cones
               "size_by": str, "size_range": list, "view_cone": dict}
_CONE_KEYS = {"heading": str, "range": (int, float), "angle": (int, float)}
_VIEW_KEYS = {"position": list, "focal_point": list, "up": list}


@dataclass
class LayerSpec:
    """One ``[[layers]]`` entry: where the data is and how to show it."""

    source: Path
    name: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    group: str = ""
    visible: bool = True
    opacity: float = 1.0
    style: dict[str, Any] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    index: int = 0
    sensitive: tuple[str, ...] = ()  # fields holding personal data (masked until unmasked)
    crs: str | None = None  # the CRS of the layer's coordinates, instead of the file's
    transform: TransformSpec | None = None  # Helmert transform applied after reading
    outside: bool = False  # the source lies outside the scene file's folder (shown)


@dataclass
class SceneSpec:
    """What a scene file says, validated, with sources resolved against its folder."""

    path: Path | None
    name: str = ""
    crs: str | None = None
    origin: tuple[float, float, float] | None = None
    layers: list[LayerSpec] = field(default_factory=list)
    view: dict[str, list[float]] | None = None
    bookmarks: list = field(default_factory=list)  # core.camera_path.Bookmark
    paths: list = field(default_factory=list)  # core.camera_path.WalkPath
    filters: list = field(default_factory=list)  # core.summary.SavedFilter
    transform: TransformSpec | None = None  # [transform]: for layers without their own
    live: dict[str, str] = field(default_factory=dict)  # [live]: broker, sensors layer


def read_scene_file(path: str | Path) -> SceneSpec:
    """Parse and validate a scene file.

    Raises
    ------
    LoadError
        Naming the file and the key (or line) that is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError(translate("LoadError", "scene file not found"), path)
    if path.stat().st_size > MAX_SCENE_BYTES:
        raise LoadError(translate("LoadError", "scene file is too large to be a scene file"),
                        path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(translate("LoadError", "scene file is not UTF-8 text"), path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(translate("LoadError", "scene file syntax error: {detail}").format(
            detail=_toml_detail(exc)), path) from None
    return parse_scene(data, path)


def _toml_detail(exc: Exception) -> str:
    """tomllib's ``"Invalid value (at line 3, column 11)"``, its position translated."""
    text = str(exc)
    m = re.search(r"\(at line (\d+), column (\d+)\)$", text)
    if m is not None:
        where = translate("LoadError", "line {line}, column {column}").format(
            line=m.group(1), column=m.group(2))
    else:
        m = re.search(r"\(at end of document\)$", text)
        if m is None:
            return text
        where = translate("LoadError", "at the end of the file")
    return f"{text[:m.start()].strip()} ({where})"


def parse_scene(data: dict, path: Path | None) -> SceneSpec:
    """Validate the parsed TOML of a scene file."""
    def fail(msg: str):
        raise LoadError(msg, path)

    _unknown(data, _TOP_KEYS, "", fail)
    version = data.get("version")
    if version is None:
        fail(translate("LoadError", "missing key 'version' (this program writes version = 1)"))
    if not isinstance(version, int) or isinstance(version, bool):
        fail(translate("LoadError", "key 'version' must be an integer"))
    if version > SCENE_VERSION:
        fail(translate("LoadError", "scene version {version} is newer than this program "
                                    "understands ({supported})").format(
            version=version, supported=SCENE_VERSION))
    spec = SceneSpec(path=path, name=_typed(data, "name", str, "", fail) or "")
    crs = data.get("crs")
    if crs is not None and not isinstance(crs, (str, int)):
        fail(translate("LoadError", "key 'crs' must be a string such as \"EPSG:32651\""))
    spec.crs = None if crs is None else str(crs)
    if "transform" in data:
        spec.transform = parse_transform(data["transform"], "transform", spec.crs, fail)
    if "origin" in data:
        spec.origin = tuple(_floats(data["origin"], 3, "origin", fail))
    if "view" in data:
        view = data["view"]
        if not isinstance(view, dict):
            fail(translate("LoadError", "key 'view' must be a table"))
        _unknown(view, set(_VIEW_KEYS), "view.", fail)
        spec.view = {k: _floats(v, 3, f"view.{k}", fail) for k, v in view.items()}
    spec.bookmarks = parse_bookmarks(data, fail)
    spec.paths = parse_paths(data, spec.bookmarks, fail)
    spec.filters = _filters(data, fail)
    if "live" in data:
        live = data["live"]
        if not isinstance(live, dict):
            fail(translate("LoadError", "key 'live' must be a table"))
        _unknown(live, set(_LIVE_KEYS), "live.", fail)
        spec.live = {k: _typed(live, k, str, "", fail) for k in live}
    layers = data.get("layers", [])
    if not isinstance(layers, list):
        fail(translate("LoadError", "key 'layers' must be an array of tables ([[layers]])"))
    base = path.parent if path is not None else Path.cwd()
    for i, entry in enumerate(layers):
        layer = _layer(entry, i, base, fail, spec.crs)
        if layer.transform is None:
            layer.transform = spec.transform
        spec.layers.append(layer)
    return spec


def _layer(entry, i: int, base: Path, fail, scene_crs: str | None = None) -> LayerSpec:
    where = f"layers[{i}]"
    if not isinstance(entry, dict):
        fail(translate("LoadError", "{key} must be a table").format(key=where))
    keys = layer_keys()
    _unknown(entry, set(keys), f"{where}.", fail)
    for key, typ in keys.items():
        if key in entry and (not isinstance(entry[key], typ) or
                             (typ is not bool and isinstance(entry[key], bool))):
            fail(translate("LoadError", "{key} has the wrong type ({type})").format(
                key=f"{where}.{key}", type=type(entry[key]).__name__))
    if "source" not in entry:
        fail(translate("LoadError", "{key} is missing key '{missing}'").format(
            key=where, missing="source"))
    if is_postgis_url(entry["source"]):
        if has_password(entry["source"]):
            fail(translate("LoadError", "{key} holds a password: keep it in ~/.pgpass "
                                        "(PGPASSFILE), PGPASSWORD or a service file, never in "
                                        "a scene file").format(key=f"{where}.source"))
        source = PostGISSource(entry["source"])
        outside = False
    elif is_http_url(entry["source"]):  # a streamed tileset on a web server
        source = UrlSource(entry["source"])
        outside = False
    else:
        source = Path(entry["source"])
        source = source if source.is_absolute() else (base / source)
        outside = not _within(source, base)
    opacity = float(entry.get("opacity", 1.0))
    if not 0.0 <= opacity <= 1.0:
        fail(translate("LoadError", "{key} must be between 0 and 1").format(
            key=f"{where}.opacity"))
    style = entry.get("style", {})
    _unknown(style, set(_STYLE_KEYS), f"{where}.style.", fail)
    for key, typ in _STYLE_KEYS.items():
        if key in style and not isinstance(style[key], typ):
            fail(translate("LoadError", "{key} has the wrong type").format(
                key=f"{where}.style.{key}"))
    for key in ("color", "label_color"):
        if key in style and not _is_color(style[key]):
            fail(translate("LoadError", "{key} {value!r} is not a colour like \"#d9d4c7\"")
                 .format(key=f"{where}.style.{key}", value=style[key]))
    if "label_size" in style and not 4 <= style["label_size"] <= 96:
        fail(translate("LoadError", "{key} must be between 4 and 96 pixels").format(
            key=f"{where}.style.label_size"))
    if "size_range" in style:
        low, high = _floats(style["size_range"], 2, f"{where}.style.size_range", fail)
        if not 0 < low <= high <= 100:
            fail(translate("LoadError", "{key} must be two sizes with 0 < smallest <= "
                                        "largest <= 100").format(key=f"{where}.style.size_range"))
    if "view_cone" in style:
        cone = style["view_cone"]
        _unknown(cone, set(_CONE_KEYS), f"{where}.style.view_cone.", fail)
        for key, typ in _CONE_KEYS.items():
            if key in cone and (not isinstance(cone[key], typ) or isinstance(cone[key], bool)):
                fail(translate("LoadError", "{key} has the wrong type").format(
                    key=f"{where}.style.view_cone.{key}"))
        if not 0 < float(cone.get("range", 30.0)) <= 10_000:
            fail(translate("LoadError", "{key} must be between 0 and 10000 metres").format(
                key=f"{where}.style.view_cone.range"))
        if not 0 < float(cone.get("angle", 60.0)) < 360:
            fail(translate("LoadError", "{key} must be between 0 and 360 degrees").format(
                key=f"{where}.style.view_cone.angle"))
    for key in ("position",):
        if key in entry:
            _floats(entry[key], 3, f"{where}.{key}", fail)
    for key in ("rotation", "scale"):
        if isinstance(entry.get(key), list):
            _floats(entry[key], 3, f"{where}.{key}", fail)
    sensitive = entry.get("sensitive", [])
    if not all(isinstance(v, str) and v for v in sensitive):
        fail(translate("LoadError", "{key} must be a list of field names").format(
            key=f"{where}.sensitive"))
    crs = None if entry.get("crs") is None else str(entry["crs"])
    if crs is not None:
        check_crs(crs, f"{where}.crs", fail)
    transform = None
    if "transform" in entry:
        transform = parse_transform(entry["transform"], f"{where}.transform", scene_crs, fail)
    options = {k: v for k, v in entry.items()
               if k not in {"name", "source", "group", "visible", "opacity", "style", "assets",
                            "sensitive", "crs", "transform"}}
    assets = entry.get("assets", {})
    if not all(isinstance(v, str) for v in assets.values()):
        fail(translate("LoadError", "{key} values must be asset names").format(
            key=f"{where}.assets"))
    return LayerSpec(source=source, name=entry.get("name"), options=options,
                     group=entry.get("group", ""), visible=entry.get("visible", True),
                     opacity=opacity, style=dict(style), assets=dict(assets), index=i,
                     sensitive=tuple(sensitive), crs=crs, transform=transform,
                     outside=outside)


def _within(path: Path, folder: Path) -> bool:
    """Whether ``path`` (links and ``..`` resolved) lies in ``folder`` or below it."""
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError, RuntimeError):
        return False


def _filters(data: dict, fail) -> list[SavedFilter]:
    """``[[filters]]``: named filter expressions (e.g. who needs help), checked when used."""
    entries = data.get("filters", [])
    if not isinstance(entries, list):
        fail(translate("LoadError", "key 'filters' must be an array of tables ([[filters]])"))
    out = []
    for i, entry in enumerate(entries):
        where = f"filters[{i}]"
        if not isinstance(entry, dict):
            fail(translate("LoadError", "{where} must be a table").format(where=where))
        _unknown(entry, set(_FILTER_KEYS), f"{where}.", fail)
        for key in _FILTER_KEYS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                fail(translate("LoadError", "{where} needs the text key '{key}'").format(
                    where=where, key=key))
        out.append(SavedFilter(entry["name"], entry["layer"], entry["expression"]))
    return out


def _unknown(table: dict, allowed: set[str], prefix: str, fail) -> None:
    for key in table:
        if key not in allowed:
            near = difflib.get_close_matches(key, sorted(allowed), n=1) or [
                k for k in sorted(allowed) if len(key) >= 3 and k.startswith(key)][:1]
            if near:
                fail(translate("LoadError", "unknown key '{key}' (did you mean '{near}'?)")
                     .format(key=f"{prefix}{key}", near=near[0]))
            fail(translate("LoadError", "unknown key '{key}'").format(key=f"{prefix}{key}"))


def _typed(data: dict, key: str, typ, default, fail):
    value = data.get(key, default)
    if value is not None and not isinstance(value, typ):
        fail(translate("LoadError", "key '{key}' has the wrong type ({type})").format(
            key=key, type=type(value).__name__))
    return value


def _floats(value, n: int, key: str, fail) -> list[float]:
    if not (isinstance(value, list) and len(value) == n and
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        fail(translate("LoadError", "key '{key}' must be a list of {n} numbers").format(
            key=key, n=n))
    out = [float(v) for v in value]
    if not all(abs(v) < 1e12 and v == v for v in out):
        fail(translate("LoadError", "key '{key}' holds a number out of range").format(
            key=key))
    return out


def _is_color(text: str) -> bool:
    t = text.lstrip("#")
    return text.startswith("#") and len(t) in (6, 8) and all(c in "0123456789abcdefABCDEF"
                                                             for c in t)
