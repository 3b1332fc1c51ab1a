"""``[[bookmarks]]`` and ``[[paths]]`` of a scene file: validation and writing back.

Positions are in scene coordinates (metres from the scene's ``origin``), like ``[view]``.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from twinviewer.core.camera_path import DEFAULT_SPEED, Bookmark, Keyframe, WalkPath
from twinviewer.i18n import translate
from twinviewer.io.scene_writer import update_scene_file

_BOOKMARK_KEYS = {"name": str, "position": list, "focal_point": list, "up": list}
_PATH_KEYS = {"name": str, "speed": (int, float), "keyframes": list}
_KEYFRAME_KEYS = {"bookmark": str, "dwell": (int, float), "caption": str, "layers": list}


def parse_bookmarks(data: dict, fail) -> list[Bookmark]:
    """The ``[[bookmarks]]`` tables; ``fail(message)`` raises."""
    entries = data.get("bookmarks", [])
    if not isinstance(entries, list):
        fail(translate("LoadError", "key 'bookmarks' must be an array of tables "
                                    "([[bookmarks]])"))
    out, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"bookmarks[{i}]"
        _table(entry, _BOOKMARK_KEYS, where, fail)
        for key in ("name", "position", "focal_point"):
            if key not in entry:
                fail(translate("LoadError", "{key} is missing key '{missing}'").format(
                    key=where, missing=key))
        name = entry["name"]
        if name in seen:
            fail(translate("LoadError", "{key} {value!r} is used twice").format(
                key=f"{where}.name", value=name))
        seen.add(name)
        vec = {k: _vector(entry[k], f"{where}.{k}", fail)
               for k in ("position", "focal_point", "up") if k in entry}
        if vec["position"] == vec["focal_point"]:
            fail(translate("LoadError", "{key}: position and focal_point are the same point")
                 .format(key=where))
        out.append(Bookmark(name, vec["position"], vec["focal_point"],
                            vec.get("up", (0.0, 0.0, 1.0))))
    return out


def parse_paths(data: dict, bookmarks: list[Bookmark], fail) -> list[WalkPath]:
    """The ``[[paths]]`` tables; keyframes name bookmarks of the same file."""
    entries = data.get("paths", [])
    if not isinstance(entries, list):
        fail(translate("LoadError", "key 'paths' must be an array of tables ([[paths]])"))
    by_name = {b.name: b for b in bookmarks}
    out = []
    for i, entry in enumerate(entries):
        where = f"paths[{i}]"
        _table(entry, _PATH_KEYS, where, fail)
        if "name" not in entry:
            fail(translate("LoadError", "{key} is missing key '{missing}'").format(
                key=where, missing="name"))
        speed = float(entry.get("speed", DEFAULT_SPEED))
        if not 0 < speed < 1e6:
            fail(translate("LoadError", "{key} must be a positive number of metres per second")
                 .format(key=f"{where}.speed"))
        frames = entry.get("keyframes", [])
        if not frames:
            fail(translate("LoadError", "{key} has no keyframes").format(key=where))
        keyframes = []
        for j, kf in enumerate(frames):
            at = f"{where}.keyframes[{j}]"
            _table(kf, _KEYFRAME_KEYS, at, fail)
            if "bookmark" not in kf:
                fail(translate("LoadError", "{key} is missing key '{missing}'").format(
                    key=at, missing="bookmark"))
            if kf["bookmark"] not in by_name:
                near = difflib.get_close_matches(kf["bookmark"], sorted(by_name), n=1)
                hint = translate("LoadError", " (did you mean '{near}'?)").format(
                    near=near[0]) if near else ""
                fail(translate("LoadError", "{key} {value!r} is not a bookmark of this file")
                     .format(key=f"{at}.bookmark", value=kf["bookmark"]) + hint)
            dwell = float(kf.get("dwell", 0.0))
            if not 0 <= dwell < 1e5:
                fail(translate("LoadError", "{key} must be a number of seconds, 0 or more")
                     .format(key=f"{at}.dwell"))
            layers = kf.get("layers")
            if layers is not None and not all(isinstance(v, str) for v in layers):
                fail(translate("LoadError", "{key} must be a list of layer names").format(
                    key=f"{at}.layers"))
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
    def change(data: dict) -> None:
        data["bookmarks"] = bookmarks_document(bookmarks)
        if paths is not None:
            data["paths"] = paths_document(paths)
        names = {b.name for b in bookmarks}
        for p in data.get("paths", []):
            p["keyframes"] = [k for k in p.get("keyframes", []) if k.get("bookmark") in names]
        data["paths"] = [p for p in data.get("paths", []) if p["keyframes"]]
        if not data["paths"]:
            del data["paths"]

    update_scene_file(path, change)


def _table(entry, keys: dict, where: str, fail) -> None:
    if not isinstance(entry, dict):
        fail(translate("LoadError", "{key} must be a table").format(key=where))
    for key in entry:
        if key not in keys:
            near = difflib.get_close_matches(key, sorted(keys), n=1)
            if near:
                fail(translate("LoadError", "unknown key '{key}' (did you mean '{near}'?)")
                     .format(key=f"{where}.{key}", near=near[0]))
            fail(translate("LoadError", "unknown key '{key}'").format(key=f"{where}.{key}"))
    for key, typ in keys.items():
        if key in entry and (not isinstance(entry[key], typ) or isinstance(entry[key], bool)):
            fail(translate("LoadError", "{key} has the wrong type ({type})").format(
                key=f"{where}.{key}", type=type(entry[key]).__name__))


def _vector(value, key: str, fail) -> tuple[float, float, float]:
    if not (isinstance(value, list) and len(value) == 3 and
            all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)):
        fail(translate("LoadError", "key '{key}' must be a list of {n} numbers").format(
            key=key, n=3))
    out = tuple(float(v) for v in value)
    if not all(abs(v) < 1e12 and v == v for v in out):
        fail(translate("LoadError", "key '{key}' holds a number out of range").format(
            key=key))
    return out
