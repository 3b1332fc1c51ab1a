"""``[[bookmarks]]`` and ``[[paths]]`` of a scene file: validation and writing back.

Positions are in scene coordinates (metres from the scene's ``origin``), like ``[view]``.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import tomli_w

from twinviewer.core.camera_path import DEFAULT_SPEED, Bookmark, Keyframe, WalkPath
from twinviewer.core.errors import LoadError

_BOOKMARK_KEYS = {"name": str, "position": list, "focal_point": list, "up": list}
_PATH_KEYS = {"name": str, "speed": (int, float), "keyframes": list}
_KEYFRAME_KEYS = {"bookmark": str, "dwell": (int, float), "caption": str, "layers": list}


def parse_bookmarks(data: dict, fail) -> list[Bookmark]:
    """The ``[[bookmarks]]`` tables; ``fail(message)`` raises."""
    entries = data.get("bookmarks", [])
    if not isinstance(entries, list):
        fail("key 'bookmarks' must be an array of tables ([[bookmarks]])")
    out, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"bookmarks[{i}]"
        _table(entry, _BOOKMARK_KEYS, where, fail)
        for key in ("name", "position", "focal_point"):
            if key not in entry:
                fail(f"{where} is missing key '{key}'")
        name = entry["name"]
        if name in seen:
            fail(f"{where}.name {name!r} is used twice")
        seen.add(name)
        vec = {k: _vector(entry[k], f"{where}.{k}", fail)
               for k in ("position", "focal_point", "up") if k in entry}
        if vec["position"] == vec["focal_point"]:
            fail(f"{where}: position and focal_point are the same point")
        out.append(Bookmark(name, vec["position"], vec["focal_point"],
                            vec.get("up", (0.0, 0.0, 1.0))))
    return out


def parse_paths(data: dict, bookmarks: list[Bookmark], fail) -> list[WalkPath]:
    """The ``[[paths]]`` tables; keyframes name bookmarks of the same file."""
    entries = data.get("paths", [])
    if not isinstance(entries, list):
        fail("key 'paths' must be an array of tables ([[paths]])")
    by_name = {b.name: b for b in bookmarks}
    out = []
    for i, entry in enumerate(entries):
        where = f"paths[{i}]"
        _table(entry, _PATH_KEYS, where, fail)
        if "name" not in entry:
            fail(f"{where} is missing key 'name'")
        speed = float(entry.get("speed", DEFAULT_SPEED))
        if not 0 < speed < 1e6:
            fail(f"{where}.speed must be a positive number of metres per second")
        frames = entry.get("keyframes", [])
        if not frames:
            fail(f"{where} has no keyframes")
        keyframes = []
        for j, kf in enumerate(frames):
            at = f"{where}.keyframes[{j}]"
            _table(kf, _KEYFRAME_KEYS, at, fail)
            if "bookmark" not in kf:
                fail(f"{at} is missing key 'bookmark'")
            if kf["bookmark"] not in by_name:
                near = difflib.get_close_matches(kf["bookmark"], sorted(by_name), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                fail(f"{at}.bookmark {kf['bookmark']!r} is not a bookmark of this file{hint}")
            dwell = float(kf.get("dwell", 0.0))
            if not 0 <= dwell < 1e5:
                fail(f"{at}.dwell must be a number of seconds, 0 or more")
            layers = kf.get("layers")
            if layers is not None and not all(isinstance(v, str) for v in layers):
                fail(f"{at}.layers must be a list of layer names")
            keyframes.append(Keyframe(by_name[kf["bookmark"]], dwell, kf.get("caption", ""),
                                      None if layers is None else list(layers)))
        out.append(WalkPath(entry["name"], keyframes, speed))
    return out


def bookmarks_document(bookmarks: list[Bookmark]) -> list[dict]:
    return [{"name": b.name, "position": [float(v) for v in b.position],
             "focal_point": [float(v) for v in b.focal_point],
             "up": [float(v) for v in b.up]} for b in bookmarks]


def paths_document(paths: list[WalkPath]) -> list[dict]:
    out = []
    for p in paths:
        frames = []
        for k in p.keyframes:
            kf = {"bookmark": k.bookmark.name, "dwell": float(k.dwell)}
            if k.caption:
                kf["caption"] = k.caption
            if k.layers is not None:
                kf["layers"] = list(k.layers)
            frames.append(kf)
        out.append({"name": p.name, "speed": float(p.speed), "keyframes": frames})
    return out


def save_bookmarks(path: str | Path, bookmarks: list[Bookmark],
                   paths: list[WalkPath] | None = None) -> None:
    """Write ``bookmarks`` (and ``paths`` when given) into the scene file at ``path``.

    Every other key of the file is kept; the file is replaced atomically.  A path
    keyframe naming a bookmark that no longer exists is dropped.

    Raises
    ------
    LoadError
        The file cannot be read or written.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LoadError(f"cannot update the scene file: {exc}", path) from None
    data["bookmarks"] = bookmarks_document(bookmarks)
    if paths is not None:
        data["paths"] = paths_document(paths)
    names = {b.name for b in bookmarks}
    for p in data.get("paths", []):
        p["keyframes"] = [k for k in p.get("keyframes", []) if k.get("bookmark") in names]
    data["paths"] = [p for p in data.get("paths", []) if p["keyframes"]]
    if not data["paths"]:
        del data["paths"]
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(tomli_w.dumps(data).encode("utf-8"))
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise LoadError(f"cannot write the scene file: {exc}", path) from None


def _table(entry, keys: dict, where: str, fail) -> None:
    if not isinstance(entry, dict):
        fail(f"{where} must be a table")
    for key in entry:
        if key not in keys:
            near = difflib.get_close_matches(key, sorted(keys), n=1)
            hint = f" (did you mean '{near[0]}'?)" if near else ""
            fail(f"unknown key '{where}.{key}'{hint}")
    for key, typ in keys.items():
        if key in entry and (not isinstance(entry[key], typ) or isinstance(entry[key], bool)):
            fail(f"{where}.{key} has the wrong type ({type(entry[key]).__name__})")


def _vector(value, key: str, fail) -> tuple[float, float, float]:
    if not (isinstance(value, list) and len(value) == 3 and
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        fail(f"key '{key}' must be a list of 3 numbers")
    out = tuple(float(v) for v in value)
    if not all(abs(v) < 1e12 and v == v for v in out):
        fail(f"key '{key}' holds a number out of range")
    return out
