"""The layer builder: CityObjects become table rows and their geometry batches.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.table import ObjectTable
from twinviewer.i18n import translate
from twinviewer.io.cityjson.appearance import DEFAULT_COLOR, SEMANTIC_COLORS, _materials
from twinviewer.io.cityjson.common import (
    _GEOMETRY_TYPES,
    _RESERVED_COLUMNS,
    _SURFACE_DEPTH,
    _UNSET,
    _Bad,
    _cell,
    _describe,
    _is_number,
    _kind,
    _list_member,
    _lod_label,
    _lod_number,
    _lookup,
    _require_list,
    _short,
    _walk,
)
from twinviewer.io.cityjson.triangulation import triangulate_surfaces
from twinviewer.io.cityjson.vertices import _check_coordinates, _vertex_array


class _Prims:
    """Primitives of one geometry, indices into its own vertex array.

    Surfaces are stored flat: ``flat`` holds the vertex indices of all rings,
    ``ring_lens`` the length of each ring, ``surf_rings`` the ring count of each
    surface and ``colors`` one RGBA per surface.
    """

    __slots__ = ("colors", "flat", "line_flat", "line_lens", "points", "ring_lens",
                 "surf_rings")

    def __init__(self) -> None:
        self.flat: list = []
        self.ring_lens: list[int] = []
        self.surf_rings: list[int] = []
        self.colors: list[tuple[int, int, int, int]] = []
        self.line_flat: list = []
        self.line_lens: list[int] = []
        self.points: list = []

    def arrays(self, nverts: int) -> tuple:
        """Index arrays, checked against ``nverts``."""
        flat = _index_array(self.flat, nverts)
        line_flat = _index_array(self.line_flat, nverts)
        points = _index_array(self.points, nverts)
        return (flat, np.asarray(self.ring_lens, dtype=np.int64),
                np.asarray(self.surf_rings, dtype=np.int64),
                np.asarray(self.colors, dtype=np.uint8).reshape(-1, 4),
                line_flat, np.asarray(self.line_lens, dtype=np.int64), points)


def _index_array(values: list, nverts: int) -> np.ndarray:
    if not values:
        return np.empty(0, dtype=np.int64)
    try:
        arr = np.asarray(values)
    except (ValueError, TypeError, OverflowError):
        raise _Bad(translate("LoadError", "boundaries must hold integer vertex indices")) \
            from None
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        raise _Bad(translate("LoadError", "boundaries must hold integer vertex indices"))
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi >= nverts:
        bad = lo if lo < 0 else hi
        raise _Bad(translate("LoadError", "vertex index {i} out of range (the file has {n} "
                                          "vertices)").format(i=bad, n=nverts))
    return arr.astype(np.int64, copy=False)


class _Builder:
    """Collects rows and primitives of all documents, then builds the layer."""

    def __init__(self, lod_wanted: float | None, main: dict, warnings: list[str]) -> None:
        self.lod_wanted = lod_wanted
        self.warnings = warnings
        self.ids: list[str] = []
        self.seen: dict[str, int] = {}
        self.types: list[str] = []
        self.parents: list[str | None] = []
        self.nchildren: list[int] = []
        self.lods: list[str | None] = []
        self.attrs: list[dict] = []
        self.attr_keys: dict[str, None] = {}
        # Vertex pool: one chunk per document plus transformed template instances.
        self.pool: list[np.ndarray] = []
        self.pool_size = 0
        self.surf_chunks: list[tuple] = []  # (flat, ring_lens, surf_rings, colors, rows)
        self.line_chunks: list[tuple] = []  # (flat, lens, row)
        self.point_chunks: list[tuple] = []  # (indices, row)
        self.duplicates = 0
        self.missing_lod = 0
        self._templates_raw = main.get("geometry-templates")
        self._templates: list | None = None
        self._template_verts: np.ndarray | None = None
        self._template_cache: dict[int, tuple] = {}
        self._main_appearance = main.get("appearance")
        self.materials: list = []
        self.theme: str | None = None
        self._appearance_used: Any = _UNSET

    # ---- documents and objects

    def add_document(self, doc: dict, verts: np.ndarray, where: str) -> None:
        objects = doc.get("CityObjects")
        if objects is None:
            objects = {}
        if not isinstance(objects, dict):
            raise _Bad(where + translate("LoadError", "'CityObjects' must be an object"))
        appearance = doc.get("appearance")
        if not isinstance(appearance, dict) or "materials" not in appearance:
            appearance = self._main_appearance
        if appearance is not self._appearance_used:
            self._appearance_used = appearance
            self.materials, self.theme = _materials(appearance)
        base = self.pool_size
        self.pool.append(verts)
        self.pool_size += len(verts)
        for oid, obj in objects.items():
            try:
                self._add_object(oid, obj, verts, base)
            except _Bad as exc:
                raise _Bad(where + translate("LoadError", "CityObject {id}: {problem}").format(
                    id=_short(oid), problem=exc)) from None
            except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                    OverflowError, RecursionError, ArithmeticError) as exc:
                raise _Bad(where + translate("LoadError", "CityObject {id}: {problem}").format(
                    id=_short(oid), problem=_describe(exc))) from None

    def _add_object(self, oid: str, obj, verts: np.ndarray, base: int) -> None:
        if not isinstance(obj, dict):
            raise _Bad(translate("LoadError", "must be a JSON object, found {kind}").format(
                kind=_kind(obj)))
        otype = obj.get("type")
        if not isinstance(otype, str) or not otype:
            raise _Bad(translate("LoadError", "has no 'type'") if otype is None
                       else translate("LoadError", "'type' must be a text"))
        parents = _list_member(obj, "parents")
        children = _list_member(obj, "children")
        parent = parents[0] if parents else None
        if parent is not None and not isinstance(parent, str):
            raise _Bad(translate("LoadError", "'parents' must list CityObject ids"))
        attrs = obj.get("attributes")
        if attrs is None:
            attrs = {}
        if not isinstance(attrs, dict):
            raise _Bad(translate("LoadError", "'attributes' must be an object"))
        geoms = _list_member(obj, "geometry")

        chosen, label = self._choose_lod(geoms)
        row = len(self.ids)
        for g in chosen:
            self._add_geometry(g, row, verts, base)

        if oid in self.seen:
            self.duplicates += 1
            k = 2
            while f"{oid}#{k}" in self.seen:
                k += 1
            oid = f"{oid}#{k}"
        self.seen[oid] = row
        self.ids.append(oid)
        self.types.append(otype)
        self.parents.append(parent)
        self.nchildren.append(len(children))
        self.lods.append(label)
        self.attrs.append(attrs)
        for key in attrs:
            self.attr_keys.setdefault(key, None)

    def _choose_lod(self, geoms: list) -> tuple[list[dict], str | None]:
        ranked = []
        for g in geoms:
            if not isinstance(g, dict):
                raise _Bad(translate("LoadError", "a geometry must be a JSON object, found "
                                                  "{kind}").format(kind=_kind(g)))
            gtype = g.get("type")
            if gtype not in _GEOMETRY_TYPES:
                raise _Bad(translate("LoadError", "unknown geometry type {type}").format(
                    type=_short(gtype)))
            raw = g.get("lod")
            if gtype == "GeometryInstance" and raw is None:
                raw = self._template(g)[1].get("lod")
            ranked.append((_lod_number(raw), raw, g))
        if not ranked:
            return [], None
        if self.lod_wanted is None:
            best = max((r[0] for r in ranked if r[0] is not None), default=None)
        else:
            best = self.lod_wanted
        chosen = [r for r in ranked if r[0] == best]
        if not chosen:
            self.missing_lod += 1
            return [], None
        return [r[2] for r in chosen], _lod_label(chosen[0][1])

    def _add_geometry(self, g: dict, row: int, verts: np.ndarray, base: int) -> None:
        if g["type"] == "GeometryInstance":
            self._add_instance(g, row, verts)
            return
        prims = self._prims(g)
        self._add_prims(prims.arrays(len(verts)), row, base)

    def _add_prims(self, arrays: tuple, row: int, base: int) -> None:
        flat, ring_lens, surf_rings, colors, line_flat, line_lens, points = arrays
        if len(surf_rings):
            rows = np.full(len(surf_rings), row, dtype=np.int64)
            self.surf_chunks.append((flat + base, ring_lens, surf_rings, colors, rows))
        if len(line_lens):
            self.line_chunks.append((line_flat + base, line_lens, row))
        if len(points):
            self.point_chunks.append((points + base, row))

    # ---- templates

    def _template(self, g: dict) -> tuple[int, dict]:
        if self._templates is None:
            gt = self._templates_raw
            if not isinstance(gt, dict):
                raise _Bad(translate("LoadError", "uses a GeometryInstance but the file has no "
                                                  "'geometry-templates'"))
            templates = gt.get("templates")
            if not isinstance(templates, list):
                raise _Bad(translate("LoadError", "'geometry-templates.templates' must be a "
                                                  "list"))
            self._template_verts = _vertex_array(gt.get("vertices-templates"), None,
                                                 "vertices-templates")
            self._templates = templates
        index = g.get("template")
        if not isinstance(index, int) or isinstance(index, bool):
            raise _Bad(translate("LoadError", "GeometryInstance 'template' must be an integer"))
        if not 0 <= index < len(self._templates):
            raise _Bad(translate("LoadError", "GeometryInstance template {index} does not exist "
                                              "(the file has {n})").format(
                index=index, n=len(self._templates)))
        tmpl = self._templates[index]
        if not isinstance(tmpl, dict):
            raise _Bad(translate("LoadError", "geometry template {index} must be a JSON object")
                       .format(index=index))
        return index, tmpl

    def _add_instance(self, g: dict, row: int, verts: np.ndarray) -> None:
        index, tmpl = self._template(g)
        if index not in self._template_cache:
            if tmpl.get("type") not in _GEOMETRY_TYPES or tmpl["type"] == "GeometryInstance":
                raise _Bad(translate("LoadError", "geometry template {index} has an invalid "
                                                  "type {type}").format(
                    index=index, type=_short(tmpl.get("type"))))
            arrays = self._prims(tmpl).arrays(len(self._template_verts))
            flat, line_flat, points = arrays[0], arrays[4], arrays[6]
            used = np.unique(np.concatenate([flat, line_flat, points]))
            local = tuple(np.searchsorted(used, a) if k in (0, 4, 6) else a
                          for k, a in enumerate(arrays))
            self._template_cache[index] = (self._template_verts[used], local)
        tverts, local = self._template_cache[index]
        ref = g.get("boundaries")
        if (not isinstance(ref, list) or len(ref) != 1 or not isinstance(ref[0], int)
                or isinstance(ref[0], bool)):
            raise _Bad(translate("LoadError", "GeometryInstance 'boundaries' must be one vertex "
                                              "index"))
        if not 0 <= ref[0] < len(verts):
            raise _Bad(translate("LoadError", "vertex index {i} out of range (the file has {n} "
                                              "vertices)").format(i=ref[0], n=len(verts)))
        matrix = g.get("transformationMatrix")
        if (not isinstance(matrix, list) or len(matrix) != 16
                or not all(_is_number(x) for x in matrix)):
            raise _Bad(translate("LoadError", "GeometryInstance 'transformationMatrix' must be "
                                              "16 numbers"))
        m = np.array([float(x) for x in matrix]).reshape(4, 4)
        if not np.isfinite(m).all():
            raise _Bad(translate("LoadError", "GeometryInstance 'transformationMatrix' is not "
                                              "finite"))
        with np.errstate(over="ignore", invalid="ignore"):
            pts = tverts @ m[:3, :3].T + m[:3, 3] + verts[ref[0]]
        _check_coordinates(pts, "instance vertex")
        base = self.pool_size
        self.pool.append(pts)
        self.pool_size += len(pts)
        self._add_prims(local, row, base)

    # ---- one geometry

    def _prims(self, g: dict) -> _Prims:
        gtype = g.get("type")
        if "boundaries" not in g:
            raise _Bad(translate("LoadError", "{type} geometry has no 'boundaries'").format(
                type=gtype))
        boundaries = g["boundaries"]
        prims = _Prims()
        if gtype == "MultiPoint":
            prims.points = _require_list(boundaries, "MultiPoint boundaries")
        elif gtype == "MultiLineString":
            for line in _require_list(boundaries, "MultiLineString boundaries"):
                line = _require_list(line, "a line string")
                if len(line) >= 2:
                    prims.line_flat.extend(line)
                    prims.line_lens.append(len(line))
        else:
            semantics = g.get("semantics")
            surfaces, values = None, None
            if isinstance(semantics, dict):
                surfaces = semantics.get("surfaces")
                values = semantics.get("values")
                if not isinstance(surfaces, list):
                    surfaces = None
            material = self._material_values(g.get("material"))
            for path, surface in _walk(boundaries, _SURFACE_DEPTH[gtype], ()):
                surface = _require_list(surface, "a surface")
                nrings = 0
                for ring in surface:
                    ring = _require_list(ring, "a ring")
                    prims.flat.extend(ring)
                    prims.ring_lens.append(len(ring))
                    nrings += 1
                prims.surf_rings.append(nrings)
                if surfaces is None and material is None:
                    prims.colors.append(DEFAULT_COLOR)
                else:
                    prims.colors.append(self._surface_color(path, surfaces, values, material))
        return prims

    def _material_values(self, material) -> Any:
        """The ``values``/``value`` of the material theme used for colours, or None."""
        if not self.materials or not isinstance(material, dict) or not material:
            return None
        theme = material.get(self.theme) if self.theme in material else None
        if theme is None:
            theme = next(iter(material.values()))
        if not isinstance(theme, dict):
            return None
        if "value" in theme:
            return theme["value"]
        return theme.get("values")

    def _surface_color(self, path, surfaces, values, material) -> tuple[int, int, int, int]:
        if surfaces is not None:
            k = _lookup(values, path)
            if k is not None and k < len(surfaces) and isinstance(surfaces[k], dict):
                color = SEMANTIC_COLORS.get(surfaces[k].get("type"))
                if color is not None:
                    return color
        if material is not None:
            k = material if isinstance(material, int) else _lookup(material, path)
            if k is not None and not isinstance(k, bool) and 0 <= k < len(self.materials):
                color = self.materials[k]
                if color is not None:
                    return color
        return DEFAULT_COLOR

    # ---- the layer

    def layer(self, name: str, crs: str | None, source: str) -> Layer:
        pool = np.concatenate(self.pool) if self.pool else np.empty((0, 3))
        batches: list = []
        tri = self._triangles(pool)
        if tri is not None:
            batches.append(tri)
        if self.line_chunks:
            segs, rows = [], []
            for flat, lens, row in self.line_chunks:
                starts = np.cumsum(lens) - lens
                pos = np.arange(len(flat))
                is_last = np.zeros(len(flat), dtype=bool)
                is_last[starts + lens - 1] = True
                first = pos[~is_last]
                segs.append(np.column_stack([flat[first], flat[first + 1]]))
                rows.append(np.full(len(first), row, dtype=np.int64))
            seg = np.concatenate(segs)
            used, inv = np.unique(seg, return_inverse=True)
            batches.append(LineBatch(pool[used], inv.reshape(-1, 2), np.concatenate(rows)))
        if self.point_chunks:
            idx = np.concatenate([c[0] for c in self.point_chunks])
            rows = np.concatenate([np.full(len(c[0]), c[1], dtype=np.int64)
                                   for c in self.point_chunks])
            batches.append(PointBatch(pool[idx], rows))

        if self.duplicates:
            self.warnings.append(translate("LoadError", "{n} repeated CityObject ids were "
                                                        "renamed with a '#N' suffix").format(
                n=self.duplicates))
        if self.missing_lod:
            self.warnings.append(translate("LoadError", "{n} objects with geometry have no LoD "
                                                        "{lod}").format(
                n=self.missing_lod, lod=_lod_label(self.lod_wanted)))
        return Layer(name=name, kind="cityjson", table=self._table(), batches=batches,
                     crs=crs, class_field="type", source=source,
                     warnings=list(self.warnings))

    def _table(self) -> ObjectTable:
        columns: dict[str, list] = {
            "type": self.types,
            "parent": self.parents,
            "children": self.nchildren,
            "lod": self.lods,
        }
        for key in self.attr_keys:
            col = f"attributes.{key}" if key in _RESERVED_COLUMNS else key
            columns[col] = [_cell(a.get(key)) for a in self.attrs]
        return ObjectTable(columns, oid=np.array(self.ids, dtype=object))

    def _triangles(self, pool: np.ndarray) -> TriangleBatch | None:
        if not self.surf_chunks:
            return None
        flat = np.concatenate([c[0] for c in self.surf_chunks])
        ring_lens = np.concatenate([c[1] for c in self.surf_chunks])
        surf_rings = np.concatenate([c[2] for c in self.surf_chunks])
        colors = np.concatenate([c[3] for c in self.surf_chunks])
        rows = np.concatenate([c[4] for c in self.surf_chunks])
        tris, tri_surf, skipped = triangulate_surfaces(pool, flat, ring_lens, surf_rings)
        if skipped:
            self.warnings.append(translate("LoadError", "{n} degenerate surfaces skipped")
                                 .format(n=skipped))
        if not len(tris):
            return None
        used, inv = np.unique(tris, return_inverse=True)
        return TriangleBatch(points=pool[used], triangles=inv.reshape(-1, 3),
                             rows=rows[tri_surf], colors=colors[tri_surf])
