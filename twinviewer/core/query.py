"""Queries: attribute filters as SQLite WHERE clauses, and spatial selection on the ground.

Filter expressions are evaluated by SQLite over an in-memory copy of the layer's
columns (``rowid`` = table row), never by running user text as Python.  Field names
may be written bare (``年龄 >= 80 and 独居 = 1``) or in double quotes
(``"建成 年份" < 1990``); bare names are matched against the layer's fields and
quoted before SQLite sees the clause.  An authorizer allows reading that one table
and calling scalar functions only: no other statement can run.

Spatial helpers use shapely 2's vectorised functions on object centres and the
vertices of their geometry (x, y on the ground).
"""

from __future__ import annotations

import difflib
import re
import sqlite3
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.i18n import translate

KEYWORDS = {
    "and", "or", "not", "in", "is", "null", "like", "glob", "between", "true", "false",
    "case", "when", "then", "else", "end", "escape", "collate", "nocase",
}
FUNCTIONS = {
    "abs", "lower", "upper", "length", "substr", "substring", "round", "coalesce", "ifnull",
    "instr", "trim", "ltrim", "rtrim", "replace", "min", "max", "cast", "date", "datetime",
    "julianday", "strftime", "nullif", "typeof", "iif", "integer", "real", "text",
}
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^']|'')*')
  | (?P<qid>"(?:[^"]|"")*")
  | (?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<op><=|>=|!=|<>|==|\|\||[=<>(),+\-*/%])
  | (?P<word>[^\W\d]\w*)
""", re.VERBOSE)


class QueryError(ValueError):
    """A filter expression that cannot be evaluated.

    ``position`` is the 0-based character index in the expression where it fails
    (``None`` when unknown); the message names it as a 1-based column.  ``field``
    is the name of an unknown field the expression uses (``None`` for any other
    error) and ``suggestion`` the layer's field it may have meant.  Messages are
    translated (context ``QueryError``), so code must look at these attributes,
    never at the text.
    """

    def __init__(self, message: str, position: int | None = None, *,
                 field: str | None = None, suggestion: str | None = None) -> None:
        self.message = message
        self.position = position
        self.field = field
        self.suggestion = suggestion
        if position is None:
            super().__init__(message)
        else:
            super().__init__(translate("QueryError", "{message} (at column {column})").format(
                message=message, column=position + 1))


@dataclass
class Token:
    kind: str
    text: str
    start: int


def tokenize(expr: str) -> list[Token]:
    """Split a filter expression into tokens; raise :class:`QueryError` at a stray character."""
    tokens, pos = [], 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None:
            ch = expr[pos]
            if ch == "'":
                raise QueryError(translate("QueryError", "unterminated text {quote}…").format(
                    quote=ch), pos)
            if ch == '"':
                raise QueryError(translate("QueryError", "unterminated name {quote}…").format(
                    quote=ch), pos)
            raise QueryError(translate("QueryError", "unexpected character {char}").format(
                char=repr(ch)), pos)
        if m.lastgroup != "ws":
            tokens.append(Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    return tokens


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def to_sql(expr: str, fields: list[str]) -> str:
    """The WHERE clause SQLite evaluates: field names quoted, ``==`` kept (SQLite knows it).

    Raises
    ------
    QueryError
        Unknown field (with a suggestion), a text value without quotes,
        unbalanced parentheses, an empty expression or a stray character.

    Examples
    --------
    >>> to_sql("年龄 >= 80 and 独居 = 1", ["年龄", "独居"])
    '"年龄" >= 80 and "独居" = 1'
    """
    tokens = tokenize(expr)
    if not tokens:
        raise QueryError(translate("QueryError", "empty expression"), 0)
    known = {f: f for f in fields}
    lower = {f.lower(): f for f in fields}
    out, depth = [], 0
    for i, tok in enumerate(tokens):
        text = tok.text
        if tok.kind == "word":
            word = text.lower()
            nxt = tokens[i + 1].text if i + 1 < len(tokens) else ""
            if text in known:
                text = _quote(text)
            elif word in KEYWORDS:
                pass
            elif word in FUNCTIONS and nxt == "(":
                pass
            elif word in lower:
                text = _quote(lower[word])
            else:
                raise _unknown(text, fields, tok.start)
        elif tok.kind == "qid":
            name = text[1:-1].replace('""', '"')
            if name not in known:
                raise _unknown(name, fields, tok.start)
        elif tok.text == "(":
            depth += 1
        elif tok.text == ")":
            depth -= 1
            if depth < 0:
                raise QueryError(translate("QueryError", "')' without '('"), tok.start)
        out.append(text)
    if depth > 0:
        opening = [t.start for t in tokens if t.text == "("]
        raise QueryError(translate("QueryError", "'(' is never closed"), opening[-depth])
    return " ".join(out)


def _unknown(name: str, fields: list[str], position: int) -> QueryError:
    near = difflib.get_close_matches(name, fields, n=1, cutoff=0.5)
    if near:
        return QueryError(translate("QueryError", "unknown field '{name}' (did you mean "
                                    "'{near}'?)").format(name=name, near=near[0]),
                          position, field=name, suggestion=near[0])
    return QueryError(translate("QueryError", "unknown field '{name}' (text values need "
                                "quotes: '{name}')").format(name=name),
                      position, field=name)


def _sql_values(col: pd.Series) -> list:
    """A column as Python values SQLite stores (None for missing)."""
    kind = col.dtype.kind
    if kind in "iu":
        return col.astype(np.int64).tolist()
    if kind == "b":
        return col.astype(np.int64).tolist()
    if kind == "f":
        arr = col.to_numpy(dtype=np.float64)
        vals = arr.astype(object)
        vals[~np.isfinite(arr)] = None
        return vals.tolist()
    if kind == "M":
        return [None if pd.isna(v) else v.isoformat() for v in col]
    obj = col.astype(object).where(col.notna(), None)
    return [v if v is None or isinstance(v, (int, float, str, bytes)) else str(v)
            for v in obj.tolist()]


_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}


class FilterEngine:
    """Evaluates filter expressions over layers; one cached SQLite table per layer.

    The cache is keyed by the layer and its DataFrame object; call
    :meth:`invalidate` after edits change values in place.

    Examples
    --------
    >>> engine = FilterEngine()  # doctest: +SKIP
    >>> mask = engine.mask(layer, "人口 > 100 and 类别 = '住宅楼'")  # doctest: +SKIP
    """

    def __init__(self) -> None:
        self._cache: dict[int, tuple[object, int, tuple, sqlite3.Connection]] = {}

    def invalidate(self, layer: Layer | None = None) -> None:
        if layer is None:
            self._cache.clear()
        else:
            self._cache.pop(id(layer), None)

    def _connection(self, layer: Layer) -> sqlite3.Connection:
        df = layer.table.df
        key = (df, len(df), tuple(df.columns))
        hit = self._cache.get(id(layer))
        if hit is not None and hit[0] is df and hit[1:3] == key[1:]:
            return hit[3]
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        cols = [str(c) for c in df.columns]
        conn.execute(f"CREATE TABLE t ({', '.join(_quote(c) for c in cols)})")
        values = [_sql_values(df[c]) for c in df.columns]
        marks = ", ".join("?" * (len(cols) + 1))
        conn.executemany(f"INSERT INTO t (rowid, {', '.join(_quote(c) for c in cols)}) "
                         f"VALUES ({marks})", zip(range(len(df)), *values, strict=True))
        conn.commit()
        conn.set_authorizer(_authorize)
        self._cache[id(layer)] = (df, len(df), tuple(df.columns), conn)
        return conn

    def rows(self, layer: Layer, expr: str) -> np.ndarray:
        """Table rows (sorted) where ``expr`` holds."""
        sql = to_sql(expr, [str(c) for c in layer.table.df.columns])
        conn = self._connection(layer)
        try:
            cur = conn.execute(f"SELECT rowid FROM t WHERE {sql}")
            found = np.fromiter((r[0] for r in cur), dtype=np.int64)
        except sqlite3.Error as exc:
            raise _sql_error(str(exc), expr) from None
        found.sort()
        return found

    def mask(self, layer: Layer, expr: str) -> np.ndarray:
        """Boolean mask per table row where ``expr`` holds."""
        mask = np.zeros(len(layer), dtype=bool)
        mask[self.rows(layer, expr)] = True
        return mask

    def values(self, layer: Layer, expr: str) -> list:
        """The value of ``expr`` (e.g. ``名称 || ' ' || 人口 || '人'``) for every row, in order.

        Same language and safeguards as filters: SQLite evaluates it, nothing else runs.
        """
        sql = to_sql(expr, [str(c) for c in layer.table.df.columns])
        conn = self._connection(layer)
        try:
            return [r[0] for r in conn.execute(f"SELECT {sql} FROM t ORDER BY rowid")]
        except sqlite3.Error as exc:
            if 'near "FROM"' in str(exc):  # the clause after the expression: it stopped short
                raise _too_early(expr) from None
            raise _sql_error(str(exc), expr) from None


def _authorize(action, arg1, arg2, dbname, source):  # noqa: ARG001 - sqlite3 API
    return sqlite3.SQLITE_OK if action in _ALLOWED_ACTIONS else sqlite3.SQLITE_DENY


def _sql_error(message: str, expr: str) -> QueryError:
    """SQLite's message, with the position of the token it names when there is one."""
    m = re.search(r'near "(.*)": syntax error', message)
    if m:
        token = m.group(1)
        pos = expr.find(token)
        return QueryError(translate("QueryError", "syntax error near '{token}'").format(
            token=token), pos if pos >= 0 else None)
    if "incomplete input" in message:
        return _too_early(expr)
    if "not authorized" in message:
        return QueryError(translate("QueryError",
                                    "only comparisons and functions of fields are allowed"))
    m = re.search(r"no such function: (\S+)", message)
    if m:
        pos = expr.lower().find(m.group(1).lower())
        return QueryError(translate("QueryError", "unknown function {name}()").format(
            name=m.group(1)), pos if pos >= 0 else None)
    m = re.search(r"wrong number of arguments to function (\S+?)\(\)", message)
    if m:
        pos = expr.lower().find(m.group(1).lower())
        return QueryError(translate("QueryError", "wrong number of arguments to {name}()")
                          .format(name=m.group(1)), pos if pos >= 0 else None)
    return QueryError(translate("QueryError", "SQLite cannot evaluate it: {detail}").format(
        detail=message))


def _too_early(expr: str) -> QueryError:
    return QueryError(translate("QueryError", "the expression ends too early"), len(expr))


def field_completions(fields: list[str], prefix: str) -> list[str]:
    """Field names starting with (then containing) ``prefix``, for the completer."""
    p = prefix.lower()
    starts = [f for f in fields if f.lower().startswith(p)]
    return starts + [f for f in fields if p in f.lower() and f not in starts]


# -- spatial selection ----------------------------------------------------
def _vertices_xy(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of every vertex used by an object, and the row owning it."""
    xy, rows = [], []
    for b in layer.batches:
        if isinstance(b, TriangleBatch):
            idx, r = b.triangles, b.rows
        elif isinstance(b, LineBatch):
            idx, r = b.segments, b.rows
        elif isinstance(b, PointBatch):
            xy.append(b.points[:, :2])
            rows.append(b.rows)
            continue
        else:
            continue
        if not len(r):
            continue
        xy.append(b.points[idx.ravel(), :2])
        rows.append(np.repeat(r, idx.shape[1]))
    if not xy:
        return np.empty((0, 2)), np.empty(0, dtype=np.int64)
    return np.concatenate(xy), np.concatenate(rows)


def rows_within(layer: Layer, polygon, *, how: str = "footprint") -> np.ndarray:
    """Rows of ``layer`` inside ``polygon`` (scene coordinates, on the ground).

    Parameters
    ----------
    layer : Layer
    polygon : shapely geometry
        Area in local scene coordinates (x, y).
    how : {"footprint", "centre"}, default: "footprint"
        ``"footprint"``: every vertex of the object (its footprint, its line, its
        point) lies inside; meshes count by the centroid of their footprint (the
        convex hull of their vertices on the ground).  ``"centre"``: the object's
        centre lies inside.

    Examples
    --------
    >>> rows_within(layer, shapely.box(0, 0, 100, 100))  # doctest: +SKIP
    """
    n = len(layer)
    if not n:
        return np.empty(0, dtype=np.int64)
    poly = shapely.make_valid(polygon)
    shapely.prepare(poly)
    if how != "centre" and layer.kind == "mesh":
        xy, owner = _vertices_xy(layer)
        if not len(owner):
            return np.empty(0, dtype=np.int64)
        ids = np.unique(owner)
        c = shapely.get_coordinates(shapely.centroid(footprints(layer)))
        ok = np.isfinite(c[:, 0])
        inside = shapely.contains_xy(poly, c[ok, 0], c[ok, 1])
        return ids[ok][inside]
    if how == "centre":
        c = layer.object_centers()
        ok = np.isfinite(c[:, 0])
        inside = np.zeros(n, dtype=bool)
        inside[ok] = shapely.contains_xy(poly, c[ok, 0], c[ok, 1])
        return np.nonzero(inside)[0]
    xy, rows = _vertices_xy(layer)
    if not len(rows):
        return np.empty(0, dtype=np.int64)
    # a footprint on the container's outline still counts: 1 cm of slack
    grown = poly.buffer(0.01)
    shapely.prepare(grown)
    inside = shapely.contains_xy(grown, xy[:, 0], xy[:, 1])
    all_in = np.ones(n, dtype=bool)
    np.logical_and.at(all_in, rows, inside)
    has = np.zeros(n, dtype=bool)
    has[rows] = True
    return np.nonzero(all_in & has)[0]


def footprint(layer: Layer, row: int):
    """Ground outline of one object: the union of its upward-facing triangles
    (a polygon's roof or top), or the convex hull of its vertices otherwise."""
    tris = []
    for b in layer.batches:
        if not isinstance(b, TriangleBatch):
            continue
        t = b.triangles[b.rows == row]
        if not len(t):
            continue
        p = b.points[t]  # (k, 3, 3)
        normal_z = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])[:, 2]
        area = np.linalg.norm(np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]), axis=1)
        up = np.abs(normal_z) > 0.5 * np.maximum(area, 1e-12)
        if np.any(up):
            rings = p[up][:, :, :2]
            tris.append(shapely.polygons(np.concatenate([rings, rings[:, :1]], axis=1)))
    if tris:
        merged = shapely.union_all(np.concatenate(tris), grid_size=1e-3)
        if not merged.is_empty:
            return merged
    xy, rows = _vertices_xy(layer)
    pts = xy[rows == row]
    return shapely.multipoints(pts).convex_hull if len(pts) else None


def footprints(layer: Layer, rows: np.ndarray | None = None) -> np.ndarray:
    """Convex hull of each object's vertices on the ground (one array call)."""
    xy, owner = _vertices_xy(layer)
    if rows is not None:
        keep = np.isin(owner, rows)
        xy, owner = xy[keep], owner[keep]
    if not len(owner):
        return np.empty(0, dtype=object)
    order = np.argsort(owner, kind="stable")
    xy, owner = xy[order], owner[order]
    _ids, inverse = np.unique(owner, return_inverse=True)
    return shapely.convex_hull(shapely.multipoints(xy, indices=inverse))


def select_within(scene, polygon, *, how: str = "footprint",
                  visible_only: bool = True) -> dict[str, np.ndarray]:
    """Rows per layer inside ``polygon`` over all (visible) layers of ``scene``."""
    out = {}
    for layer in scene.layers:
        if visible_only and not layer.visible:
            continue
        rows = rows_within(layer, polygon, how=how)
        if len(rows):
            out[layer.name] = rows
    return out


def select_near(scene, selected: dict[str, np.ndarray], distance: float, *,
                visible_only: bool = True) -> dict[str, np.ndarray]:
    """Rows per layer whose centre is within ``distance`` metres of the selected objects.

    The selected objects are measured by the convex hull of their vertices on the
    ground (an STRtree over them); the selected objects themselves stay in.
    """
    geoms = [footprints(scene.layer(name), rows) for name, rows in selected.items()
             if len(rows)]
    geoms = np.concatenate(geoms) if geoms else np.empty(0, dtype=object)
    if not len(geoms):
        return {}
    tree = shapely.STRtree(geoms)
    out = {}
    for layer in scene.layers:
        if visible_only and not layer.visible:
            continue
        c = layer.object_centers()
        ok = np.nonzero(np.isfinite(c[:, 0]))[0]
        if not len(ok):
            continue
        pts = shapely.points(c[ok, :2])
        hit, _ = tree.query(pts, predicate="dwithin", distance=float(distance))
        rows = np.unique(ok[hit])
        mine = selected.get(layer.name)
        if mine is not None and len(mine):
            rows = np.union1d(rows, mine)
        if len(rows):
            out[layer.name] = rows
    return out


# -- areas and filters over a whole scene (the ``query`` command) -----------
def area_from_wkt(wkt: str, scene) -> shapely.Geometry:
    """A polygon given as WKT in the scene's CRS, moved to local scene coordinates.

    Layers are placed around ``scene.origin`` (see :func:`twinviewer.core.crs.place_layer`):
    the origin is subtracted from the polygon as it was from every layer.

    Raises
    ------
    QueryError
        Not WKT, not a (multi)polygon, empty or of no area.
    """
    try:
        geom = shapely.from_wkt(wkt)
    except shapely.errors.GEOSException as exc:
        raise QueryError(translate("QueryError", "not a WKT polygon ({detail})").format(
            detail=str(exc).splitlines()[0])) from None
    if geom is None or geom.is_empty:
        raise QueryError(translate("QueryError", "the WKT polygon is empty"))
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise QueryError(translate("QueryError", "the WKT is a {type}, not a Polygon or "
                                   "MultiPolygon").format(type=geom.geom_type))
    geom = shapely.force_2d(geom)
    origin = np.asarray(scene.origin, dtype=np.float64)[:2]
    local = shapely.transform(geom, lambda xy: xy - origin)
    if not local.is_valid:
        local = shapely.make_valid(local)
    if local.area <= 0:
        raise QueryError(translate("QueryError", "the WKT polygon has no area"))
    return local


def find_layer(scene, name: str) -> Layer:
    """A scene layer by its name, else by the table it was read from."""
    for layer in scene.layers:
        if layer.name == name:
            return layer
    for layer in scene.layers:
        if layer.source_table == name:
            return layer
    names = ", ".join(lyr.name for lyr in scene.layers) or translate("QueryError", "none")
    raise QueryError(translate("QueryError", "no layer {name} (layers: {names})").format(
        name=repr(name), names=names))


def row_of_oid(layer: Layer, oid: str) -> int:
    """Table row of the object whose ``oid`` reads as ``oid``."""
    ids = layer.table.oid
    hit = np.empty(0, dtype=np.int64)
    if ids.dtype.kind in "iuf":
        try:
            hit = np.nonzero(ids == float(oid))[0]
        except ValueError:
            pass
    else:
        hit = np.nonzero(np.asarray([str(v) for v in ids]) == oid)[0]
    if not len(hit):
        raise QueryError(translate("QueryError", "layer {layer} has no object with oid {oid}")
                         .format(layer=repr(layer.name), oid=oid))
    return int(hit[0])


def area_of_object(scene, spec: str):
    """The ground outline of the object named ``LAYER:OID`` (scene coordinates)."""
    name, sep, oid = spec.rpartition(":")
    if not sep or not name or not oid:
        raise QueryError(translate("QueryError", "--within {spec}: write LAYER:OID, e.g. 小区:3")
                         .format(spec=repr(spec)))
    layer = find_layer(scene, name)
    row = row_of_oid(layer, oid.strip())
    area = footprint(layer, row)
    if area is None or area.is_empty or area.area <= 0:
        raise QueryError(translate("QueryError", "object {oid} of layer {layer} has no area "
                                   "(a point or a line); use --within-wkt").format(
            oid=oid, layer=repr(layer.name)))
    return area


def where_rows(scene, selected: dict[str, np.ndarray], expr: str,
               engine: FilterEngine | None = None) -> dict[str, np.ndarray]:
    """The rows of ``selected`` for which ``expr`` holds, layer by layer.

    The expression is evaluated in every layer that has all the fields it names;
    the objects of the other layers cannot match and are left out.  An expression
    that no layer of the scene can evaluate is an error (the message of the layer
    whose fields come closest, with the column where it fails); an error in the
    expression itself (syntax, parentheses) is raised at once.

    Raises
    ------
    QueryError
    """
    engine = engine or FilterEngine()
    usable: list[Layer] = []
    unknown: list[QueryError] = []
    for layer in scene.layers:
        try:
            to_sql(expr, [str(c) for c in layer.table.df.columns])
        except QueryError as exc:
            if exc.field is None:
                raise
            unknown.append(exc)
            continue
        usable.append(layer)
    if not usable:
        hint = next((e for e in unknown if e.suggestion is not None), None)
        raise (hint or unknown[0]) if unknown else QueryError(
            translate("QueryError", "the scene has no layers"))
    out = {}
    for layer in usable:
        rows = np.asarray(selected.get(layer.name, []), dtype=np.int64)
        if not len(rows):
            engine.rows(layer, expr)  # still report an error in the expression
            continue
        keep = np.intersect1d(rows, engine.rows(layer, expr))
        if len(keep):
            out[layer.name] = keep
    return out
