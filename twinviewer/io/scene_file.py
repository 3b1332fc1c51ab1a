"""The scene file: a small versioned TOML file next to its data.

Validated on load; every message names the key (and the line for syntax errors).
Scene files are data only: nothing in them is executed.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from twinviewer.core.errors import LoadError
from twinviewer.io.camera_paths import parse_bookmarks, parse_paths

SCENE_VERSION = 1
MAX_SCENE_BYTES = 5_000_000

_TOP_KEYS = {"version", "name", "crs", "origin", "layers", "view", "bookmarks", "paths"}
_LAYER_KEYS = {
    "name": str, "source": str, "table": str, "kind": str, "group": str, "visible": bool,
    "opacity": (int, float), "class_field": str, "height_field": str, "floors_field": str,
    "default_height": (int, float), "base_height": (int, float), "line_width": (int, float),
    "point_scale": (int, float), "encoding": str, "gcj02": bool, "lod": (str, int, float),
    "position": list, "rotation": (list, int, float), "scale": (list, int, float),
    "style": dict, "assets": dict,
}
_STYLE_KEYS = {"color": str, "use_file_colors": bool, "edge_color": str,
               # thematic styles (issue 5): categorized by / categories, graduated
               # by / method / classes / ramp / breaks, labels
               "by": str, "categories": dict, "method": str, "classes": int, "ramp": str,
               "breaks": list, "label": str}
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


def is_scene_file(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".toml"


def read_scene_file(path: str | Path) -> SceneSpec:
    """Parse and validate a scene file.

    Raises
    ------
    LoadError
        Naming the file and the key (or line) that is wrong.
    """
    path = Path(path)
    if not path.is_file():
        raise LoadError("scene file not found", path)
    if path.stat().st_size > MAX_SCENE_BYTES:
        raise LoadError("scene file is too large to be a scene file", path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError("scene file is not UTF-8 text", path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LoadError(f"scene file syntax error: {exc}", path) from None
    return parse_scene(data, path)


def parse_scene(data: dict, path: Path | None) -> SceneSpec:
    """Validate the parsed TOML of a scene file."""
    def fail(msg: str):
        raise LoadError(msg, path)

    _unknown(data, _TOP_KEYS, "", fail)
    version = data.get("version")
    if version is None:
        fail("missing key 'version' (this program writes version = 1)")
    if not isinstance(version, int) or isinstance(version, bool):
        fail("key 'version' must be an integer")
    if version > SCENE_VERSION:
        fail(f"scene version {version} is newer than this program understands ({SCENE_VERSION})")
    spec = SceneSpec(path=path, name=_typed(data, "name", str, "", fail) or "")
    crs = data.get("crs")
    if crs is not None and not isinstance(crs, (str, int)):
        fail("key 'crs' must be a string such as \"EPSG:32651\"")
    spec.crs = None if crs is None else str(crs)
    if "origin" in data:
        spec.origin = tuple(_floats(data["origin"], 3, "origin", fail))
    if "view" in data:
        view = data["view"]
        if not isinstance(view, dict):
            fail("key 'view' must be a table")
        _unknown(view, set(_VIEW_KEYS), "view.", fail)
        spec.view = {k: _floats(v, 3, f"view.{k}", fail) for k, v in view.items()}
    spec.bookmarks = parse_bookmarks(data, fail)
    spec.paths = parse_paths(data, spec.bookmarks, fail)
    layers = data.get("layers", [])
    if not isinstance(layers, list):
        fail("key 'layers' must be an array of tables ([[layers]])")
    base = path.parent if path is not None else Path.cwd()
    for i, entry in enumerate(layers):
        spec.layers.append(_layer(entry, i, base, fail))
    return spec


def _layer(entry, i: int, base: Path, fail) -> LayerSpec:
    where = f"layers[{i}]"
    if not isinstance(entry, dict):
        fail(f"{where} must be a table")
    _unknown(entry, set(_LAYER_KEYS), f"{where}.", fail)
    for key, typ in _LAYER_KEYS.items():
        if key in entry and (not isinstance(entry[key], typ) or
                             (typ is not bool and isinstance(entry[key], bool))):
            fail(f"{where}.{key} has the wrong type ({type(entry[key]).__name__})")
    if "source" not in entry:
        fail(f"{where} is missing key 'source'")
    source = Path(entry["source"])
    source = source if source.is_absolute() else (base / source)
    opacity = float(entry.get("opacity", 1.0))
    if not 0.0 <= opacity <= 1.0:
        fail(f"{where}.opacity must be between 0 and 1")
    style = entry.get("style", {})
    _unknown(style, set(_STYLE_KEYS), f"{where}.style.", fail)
    for key, typ in _STYLE_KEYS.items():
        if key in style and not isinstance(style[key], typ):
            fail(f"{where}.style.{key} has the wrong type")
    if "color" in style and not _is_color(style["color"]):
        fail(f"{where}.style.color {style['color']!r} is not a colour like \"#d9d4c7\"")
    for key in ("position",):
        if key in entry:
            _floats(entry[key], 3, f"{where}.{key}", fail)
    for key in ("rotation", "scale"):
        if isinstance(entry.get(key), list):
            _floats(entry[key], 3, f"{where}.{key}", fail)
    options = {k: v for k, v in entry.items()
               if k not in {"name", "source", "group", "visible", "opacity", "style", "assets"}}
    assets = entry.get("assets", {})
    if not all(isinstance(v, str) for v in assets.values()):
        fail(f"{where}.assets values must be asset names")
    return LayerSpec(source=source, name=entry.get("name"), options=options,
                     group=entry.get("group", ""), visible=entry.get("visible", True),
                     opacity=opacity, style=dict(style), assets=dict(assets), index=i)


def _unknown(table: dict, allowed: set[str], prefix: str, fail) -> None:
    for key in table:
        if key not in allowed:
            near = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            fail(f"unknown key '{prefix}{key}'{hint}")


def _typed(data: dict, key: str, typ, default, fail):
    value = data.get(key, default)
    if value is not None and not isinstance(value, typ):
        fail(f"key '{key}' has the wrong type ({type(value).__name__})")
    return value


def _floats(value, n: int, key: str, fail) -> list[float]:
    if not (isinstance(value, list) and len(value) == n and
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        fail(f"key '{key}' must be a list of {n} numbers")
    out = [float(v) for v in value]
    if not all(abs(v) < 1e12 and v == v for v in out):
        fail(f"key '{key}' holds a number out of range")
    return out


def _is_color(text: str) -> bool:
    t = text.lstrip("#")
    return text.startswith("#") and len(t) in (6, 8) and all(c in "0123456789abcdefABCDEF"
                                                             for c in t)
