"""Shared by the CityJSON reader's parts: geometry types, the "bad file" signal and
small checks of JSON values.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from twinviewer.i18n import translate

_SUFFIXES = (".city.jsonl", ".city.json", ".jsonl", ".json")

# Nesting depth of surfaces inside ``boundaries`` (0: a list of surfaces).
_SURFACE_DEPTH = {
    "MultiSurface": 0,
    "CompositeSurface": 0,
    "Solid": 1,
    "MultiSolid": 2,
    "CompositeSolid": 2,
}
_GEOMETRY_TYPES = (*_SURFACE_DEPTH, "MultiPoint", "MultiLineString", "GeometryInstance")

_RESERVED_COLUMNS = ("oid", "type", "parent", "children", "lod")
_INT_LIMIT = 2**53


_UNSET = object()


class _Bad(Exception):
    """A problem in the file; the message says what, callers prefix where."""


def _walk(node, depth: int, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """``(path, surface)`` for every surface of a boundaries array."""
    node = _require_list(node, "boundaries")
    if depth == 0:
        for i, surface in enumerate(node):
            yield (*path, i), surface
    else:
        for i, child in enumerate(node):
            yield from _walk(child, depth - 1, (*path, i))


def _lookup(values, path: tuple) -> int | None:
    """``values[p0][p1]...`` when that is a non-negative integer, else None."""
    v = values
    for i in path:
        if not isinstance(v, list) or i >= len(v):
            return None
        v = v[i]
    if isinstance(v, int) and not isinstance(v, bool) and v >= 0:
        return v
    return None




def _lod_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            x = float(value.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _lod_label(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return f"{value:g}"
    return str(value)


def _cell(value):
    """An attribute value as a table cell: scalars as they are, the rest as JSON text."""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _INT_LIMIT:
        return str(value)
    return value


def _list_member(obj: dict, key: str) -> list:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Bad(translate("LoadError", "'{what}' must be a list, found {kind}").format(
            what=key, kind=_kind(value)))
    return value


def _require_list(value, what: str) -> list:
    if not isinstance(value, list):
        raise _Bad(translate("LoadError", "{what} must be a list, found {kind}").format(
            what=what, kind=_kind(value)))
    return value


def _is_number(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def _kind(value) -> str:
    if value is None:
        return "null"
    kinds = {dict: translate("LoadError", "an object"), list: translate("LoadError", "a list"),
             str: translate("LoadError", "a text"), bool: translate("LoadError", "true/false"),
             int: translate("LoadError", "a number"), float: translate("LoadError", "a number")}
    return kinds.get(type(value), type(value).__name__)


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return translate("LoadError", "missing member {name}").format(
            name=_short(exc.args[0] if exc.args else "?"))
    if isinstance(exc, IndexError):
        return translate("LoadError", "an index is out of range ({detail})").format(detail=exc)
    if isinstance(exc, RecursionError):
        return translate("LoadError", "nested too deeply")
    if isinstance(exc, UnicodeError):
        return translate("LoadError", "text is not valid UTF-8")
    return translate("LoadError", "malformed CityJSON ({detail})").format(
        detail=f"{type(exc).__name__}: {exc}")
