"""Mesh files (OBJ, PLY, STL, glTF/GLB) read with trimesh into one layer.

Every body of the file (an OBJ ``o``/``g``/material chunk, an STL solid, a
glTF node primitive) becomes one object of the layer, with its scene-graph
transform applied.  Geometry is gathered into few batches: one for all
untextured bodies and one per distinct texture image.  Everything is done with
numpy over whole bodies, never per face, so million-triangle scans stay fast.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.core.layer import Layer, LineBatch, PointBatch, TriangleBatch
from twinviewer.core.table import ObjectTable
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

MESH_SUFFIXES = {".obj": "obj", ".ply": "ply", ".stl": "stl", ".gltf": "gltf", ".glb": "glb"}
DEFAULT_MAX_BYTES = 4 * 1024**3
MAX_POINTS = 5_000_000
# Colour given to bodies without one when other bodies in the same batch have one.
DEFAULT_COLOR = np.array([200, 200, 200, 255], dtype=np.uint8)
# glTF is Y-up; the viewer is Z-up: +90 degrees about x maps +Y to +Z.
Y_UP_TO_Z_UP = np.array([[1.0, 0.0, 0.0, 0.0],
                         [0.0, 0.0, -1.0, 0.0],
                         [0.0, 1.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 1.0]])

Vec = float | Sequence[float]


def read_mesh(path: str | Path, *, name: str | None = None, position: Sequence[float] | None = None,
              rotation: Vec | None = None, scale: Vec | None = None,
              max_bytes: int = DEFAULT_MAX_BYTES, up_axis: str | None = None) -> list[Layer]:
    """Read a mesh file into one layer of ``kind="mesh"``.

    Parameters
    ----------
    path : str or Path
        ``.obj`` (with ``.mtl`` and textures), ``.ply``, ``.stl``, ``.gltf``
        (with external buffers) or ``.glb``.
    name : str, optional
        Layer name, default the file stem.
    position : 3 floats, optional
        Where the model origin goes, in scene CRS coordinates.
    rotation : float or 3 floats, optional
        Degrees about x, y, z applied in that order (right-handed,
        counter-clockwise seen from the positive axis); one number is a
        rotation about z only.
    scale : float or 3 floats, optional
        Scale factors, applied first.
    max_bytes : int
        Refuse files larger than this (default 4 GiB).
    up_axis : ``"y"`` or ``"z"``, optional
        The file's up axis; ``"y"`` models are turned so +Y points to +Z.
        Default ``"y"`` for glTF/GLB (the glTF convention), ``"z"`` otherwise.

    Returns
    -------
    list of Layer
        One layer; table columns ``name``, ``type`` (``"mesh"``, ``"points"``
        or ``"lines"``), ``triangles``, ``vertices``, ``material``.

    Notes
    -----
    Texture coordinates follow the OBJ/OpenGL convention: ``v = 0`` is the
    bottom row of the image, while row 0 of ``TriangleBatch.texture`` is its
    top row.  Point clouds become a :class:`PointBatch` (one point per vertex,
    thinned to at most 5 million points).

    Raises
    ------
    LoadError
        For any file that cannot be read (missing, empty, damaged, unsupported).

    Examples
    --------
    >>> [layer] = read_mesh("hall.glb", position=[1000.0, 2000.0, 4.5])  # doctest: +SKIP
    """
    path = Path(path)
    fmt = _check_file(path, max_bytes)
    placement = _placement(position, rotation, scale, path)
    up = _up_matrix(up_axis if up_axis is not None else ("y" if fmt in ("gltf", "glb") else "z"),
                    path)
    scene = _load_scene(path, fmt)
    layer_warnings: list[str] = []
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            bodies = _bodies(scene, fmt, path, up)
            if not bodies:
                raise LoadError(translate("LoadError", "contains no geometry"), path)
            batches = _batches(bodies, layer_warnings)
    except LoadError:
        raise
    except MemoryError:
        raise LoadError(translate("LoadError", "not enough memory to read this file"),
                        path) from None
    except Exception as exc:  # malformed data trimesh let through
        raise LoadError(_problem(exc, fmt), path) from None
    if not np.array_equal(placement, np.eye(4)):  # vertices were checked finite already
        for batch in batches:
            batch.points = _apply(placement, batch.points)
        if any(not np.all(np.isfinite(b.points)) for b in batches):
            raise LoadError(translate("LoadError", "coordinates overflow after placement"),
                            path)
    table = ObjectTable({
        "name": [b["name"] for b in bodies],
        "type": [b["type"] for b in bodies],
        "triangles": np.array([len(b["faces"]) for b in bodies], dtype=np.int64),
        "vertices": np.array([b["n_vertices"] for b in bodies], dtype=np.int64),
        "material": [b["material"] for b in bodies],
    })
    layer = Layer(name=name or path.stem, kind="mesh", table=table, batches=batches, crs=None,
                  class_field="type", source=str(path), warnings=layer_warnings)
    return [layer]


# ---------------------------------------------------------------- checks


def _check_file(path: Path, max_bytes: int) -> str:
    fmt = MESH_SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(MESH_SUFFIXES))
        raise LoadError(translate("LoadError", "unsupported mesh format '{suffix}' (use {known})")
                        .format(suffix=path.suffix or "(none)", known=known), path)
    try:
        if not path.exists():
            raise LoadError(translate("LoadError", "file not found"), path)
        if not path.is_file():
            raise LoadError(translate("LoadError", "not a file"), path)
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(translate("LoadError", "cannot open file ({detail})").format(
            detail=exc.strerror or exc), path) from None
    if size == 0:
        raise LoadError(translate("LoadError", "contains no geometry (empty file)"), path)
    if size > max_bytes:
        raise LoadError(translate("LoadError", "file is too large ({size:.0f} MiB, limit "
                                               "{limit:.0f} MiB)").format(
            size=size / 2**20, limit=max_bytes / 2**20), path)
    if fmt == "ply":
        _check_ply_header(path, size)
    return fmt


_PLY_SIZES = {"char": 1, "uchar": 1, "int8": 1, "uint8": 1, "short": 2, "ushort": 2,
              "int16": 2, "uint16": 2, "int": 4, "uint": 4, "int32": 4, "uint32": 4,
              "float": 4, "float32": 4, "double": 8, "float64": 8}


def _check_ply_header(path: Path, size: int) -> None:
    """Refuse a PLY whose header claims more elements than the file can hold.

    A damaged or hostile header ("element vertex 1000000000000") must not make a
    reader allocate memory for it: every element needs at least one byte per
    property (binary) or two characters per property (ASCII).
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise LoadError(translate("LoadError", "cannot open file ({detail})").format(
            detail=exc.strerror or exc), path) from None
    end = head.find(b"end_header")
    if not head.startswith(b"ply") or end < 0:
        return  # not a PLY header trimesh understands: it reports that itself
    lines = head[:end].decode("ascii", "replace").splitlines()
    ascii_fmt = any(ln.split()[:2] == ["format", "ascii"] for ln in lines if ln.strip())
    elements: list[list] = []  # [name, count, minimum bytes per element]
    for line in lines:
        words = line.split()
        if len(words) >= 3 and words[0] == "element":
            try:
                count = int(words[2])
            except ValueError:
                raise LoadError(translate("LoadError", "damaged PLY header: {line!r}").format(
                    line=line.strip()), path) from None
            if count < 0:
                raise LoadError(translate("LoadError", "damaged PLY header: {line!r}").format(
                    line=line.strip()), path)
            elements.append([words[1], count, 0])
        elif len(words) >= 3 and words[0] == "property" and elements:
            kind = words[2] if words[1] == "list" else words[1]
            elements[-1][2] += 2 if ascii_fmt else _PLY_SIZES.get(kind, 1)
    room = max(0, size - end)
    for name, count, per in elements:
        need = count * max(1, per)
        if need > room:
            raise LoadError(translate("LoadError", "the PLY header claims {count:,} {name} "
                                                   "elements, but the file has room for at most "
                                                   "{room:,}: damaged file").format(
                count=count, name=name, room=room // max(1, per)), path)


def _floats(value, n: int, what: str, path: Path) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise LoadError(translate("LoadError", "invalid {what}: {value!r}").format(
            what=what, value=value), path) from None
    if arr.size == 1:
        arr = np.repeat(arr, n) if what == "scale" else arr
    if arr.size != n or not np.all(np.isfinite(arr)):
        raise LoadError(translate("LoadError", "invalid {what}: {value!r}").format(
            what=what, value=value), path)
    return arr


def _placement(position, rotation, scale, path: Path) -> np.ndarray:
    """4x4 matrix: scale, then rotate about x, y, z, then translate."""
    s = np.ones(3) if scale is None else _floats(scale, 3, "scale", path)
    if np.any(s == 0):
        raise LoadError(translate("LoadError", "invalid scale: {value!r} (zero)").format(
            value=scale), path)
    if rotation is None:
        angles = np.zeros(3)
    else:
        arr = np.asarray(rotation, dtype=object).reshape(-1)
        angles = (np.array([0.0, 0.0, _floats(rotation, 1, "rotation", path)[0]])
                  if arr.size == 1 else _floats(rotation, 3, "rotation", path))
    t = np.zeros(3) if position is None else _floats(position, 3, "position", path)
    m = np.eye(4)
    m[:3, :3] = rotation_matrix(*angles) @ np.diag(s)
    m[:3, 3] = t
    return m


def rotation_matrix(rx: float, ry: float, rz: float) -> np.ndarray:
    """3x3 rotation: ``rx`` degrees about x, then ``ry`` about y, then ``rz`` about z."""
    a, b, c = np.radians([rx, ry, rz])
    ca, sa, cb, sb, cc, sc = np.cos(a), np.sin(a), np.cos(b), np.sin(b), np.cos(c), np.sin(c)
    mx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    my = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    mz = np.array([[cc, -sc, 0], [sc, cc, 0], [0, 0, 1]])
    return mz @ my @ mx


def _up_matrix(up_axis: str, path: Path) -> np.ndarray:
    axis = str(up_axis).lower()
    if axis == "y":
        return Y_UP_TO_Z_UP
    if axis == "z":
        return np.eye(4)
    raise LoadError(translate("LoadError", "invalid up_axis {value!r} (use 'y' or 'z')").format(
        value=up_axis), path)


def _apply(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    if np.array_equal(matrix, np.eye(4)):
        return points
    with np.errstate(over="ignore", invalid="ignore"):
        return points @ matrix[:3, :3].T + matrix[:3, 3]


# ---------------------------------------------------------------- loading


def _load_scene(path: Path, fmt: str):
    import trimesh

    kwargs = {"process": False}
    if fmt == "obj":
        # one object per o/g/material chunk, file order kept
        kwargs.update(split_objects=True, split_groups=True, group_material=True)
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return trimesh.load_scene(str(path), file_type=fmt, **kwargs)
    except LoadError:
        raise
    except MemoryError:
        raise LoadError(translate("LoadError", "not enough memory to read this file"),
                        path) from None
    except RecursionError:
        raise LoadError(translate("LoadError", "damaged {format} file (nesting too deep)").format(
            format=fmt.upper()), path) from None
    except Exception as exc:  # trimesh raises many kinds; all mean "cannot read"
        raise LoadError(_problem(exc, fmt), path) from None


def _problem(exc: Exception, fmt: str) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    kind = type(exc).__name__
    if isinstance(exc, (FileNotFoundError, OSError)) and not isinstance(exc, UnicodeError):
        return translate("LoadError", "cannot read {format} file or a file it refers to "
                                      "({detail})").format(format=fmt.upper(), detail=text or kind)
    detail = f"{kind}: {text}" if text else kind
    return translate("LoadError", "damaged or unsupported {format} file ({detail})").format(
        format=fmt.upper(), detail=detail)


_PRIMITIVE_FRAME = re.compile(r"(.*)_[0-9a-f]{6}")


def _body_name(node: str, geom_name: str, parent: str | None) -> str:
    """A readable object name: the node name unless trimesh invented it."""
    if node == geom_name:
        return node
    m = _PRIMITIVE_FRAME.fullmatch(node)
    if m and (parent is None or m.group(1) == parent):
        return geom_name  # extra primitive of a multi-primitive glTF mesh
    if node.isdigit():
        return geom_name  # unnamed glTF node
    return node


def _bodies(scene, fmt: str, path: Path, up: np.ndarray) -> list[dict]:
    """One dict per geometry instance: world points, faces, visual data."""
    import trimesh

    nodes = list(scene.graph.nodes_geometry)
    if fmt == "obj":
        nodes.reverse()  # the OBJ loader builds its chunks back to front
    parents = getattr(scene.graph.transforms, "parents", {})
    bodies = []
    for node in nodes:
        transform, geom_name = scene.graph[node]
        geom = scene.geometry.get(geom_name)
        if geom is None:
            continue
        matrix = up @ np.asarray(transform, dtype=np.float64)
        if not np.all(np.isfinite(matrix)):
            raise LoadError(translate("LoadError", "non-finite transform on node '{node}'")
                            .format(node=node), path)
        label = _body_name(str(node), str(geom_name), parents.get(node))
        if isinstance(geom, trimesh.Trimesh):
            body = _mesh_body(geom, matrix, path)
        elif isinstance(geom, trimesh.PointCloud):
            body = _point_body(geom, matrix, path)
        elif hasattr(geom, "vertex_nodes") and hasattr(geom, "vertices"):
            body = _line_body(geom, matrix, path)
        else:
            log.debug("skipping %s geometry %s", type(geom).__name__, geom_name)
            continue
        if body is None:
            continue
        body["name"] = label
        bodies.append(body)
    return bodies


def _vertices(geom, matrix: np.ndarray, path: Path) -> np.ndarray:
    v = np.asarray(geom.vertices, dtype=np.float64).reshape(-1, 3)
    if not np.all(np.isfinite(v)):
        raise LoadError(translate("LoadError", "contains NaN or infinite vertex coordinates"),
                        path)
    return _apply(matrix, v)


def _mesh_body(geom, matrix: np.ndarray, path: Path) -> dict | None:
    faces = np.asarray(geom.faces, dtype=np.int64).reshape(-1, 3)
    if not len(faces):
        return None
    n = len(geom.vertices)
    if faces.min() < 0 or faces.max() >= n:
        raise LoadError(translate("LoadError", "face refers to a vertex that does not exist "
                                               "({n} vertices)").format(n=n), path)
    points = _vertices(geom, matrix, path)
    uv, image, colors, material = _visual(geom, faces, n)
    return {"type": "mesh", "points": points, "faces": faces, "n_vertices": n, "uv": uv,
            "image": image, "colors": colors, "material": material}


def _point_body(geom, matrix: np.ndarray, path: Path) -> dict | None:
    points = _vertices(geom, matrix, path)
    if not len(points):
        return None
    return {"type": "points", "points": points, "faces": np.zeros((0, 3), np.int64),
            "n_vertices": len(points), "material": None}


def _line_body(geom, matrix: np.ndarray, path: Path) -> dict | None:
    try:
        segments = np.asarray(geom.vertex_nodes, dtype=np.int64).reshape(-1, 2)
    except Exception:  # odd path entities: skip the body rather than the file
        return None
    n = len(geom.vertices)
    if not len(segments):
        return None
    if segments.min() < 0 or segments.max() >= n:
        raise LoadError(translate("LoadError", "line refers to a vertex that does not exist "
                                               "({n} vertices)").format(n=n), path)
    return {"type": "lines", "points": _vertices(geom, matrix, path), "segments": segments,
            "faces": np.zeros((0, 3), np.int64), "n_vertices": n, "material": None}


# ---------------------------------------------------------------- visuals


def _material_name(material) -> str | None:
    if material is None:
        return None
    name = vars(material).get("_name", getattr(material, "name", None))
    return None if name is None else str(name)


def _is_placeholder(material) -> bool:
    """trimesh's stand-in material for UVs without any material in the file."""
    from trimesh.visual.material import SimpleMaterial

    return (type(material) is SimpleMaterial and "_name" not in vars(material)
            and getattr(material, "image", None) is not None
            and tuple(material.image.size) == (2, 2))


def _material_image(material):
    if material is None:
        return None
    image = getattr(material, "baseColorTexture", None)
    if image is None:
        image = getattr(material, "image", None)
    return image


def _material_color(material) -> np.ndarray | None:
    if material is None:
        return None
    color = getattr(material, "baseColorFactor", None)
    if color is None and hasattr(material, "diffuse"):
        color = material.diffuse
    if color is None:
        return None
    color = np.asarray(color).reshape(-1)
    if color.dtype.kind == "f":
        color = np.clip(color * (255.0 if color.max() <= 1.0 else 1.0), 0, 255)
    out = np.full(4, 255, dtype=np.uint8)
    out[:min(4, color.size)] = color[:4].astype(np.uint8)
    return out


def _visual(geom, faces: np.ndarray, n: int):
    """``(uv, image, per-face colours, material name)`` of one body."""
    visual = getattr(geom, "visual", None)
    kind = getattr(visual, "kind", None)
    material = getattr(visual, "material", None)
    placeholder = material is not None and _is_placeholder(material)
    name = None if placeholder else _material_name(material)
    if kind == "face":
        return None, None, np.asarray(visual.face_colors, dtype=np.uint8)[:, :4], name
    if kind == "vertex":
        vc = np.asarray(visual.vertex_colors, dtype=np.uint8)
        if vc.ndim == 2 and len(vc) == n and vc.shape[1] >= 3:
            return None, None, _face_mean(vc, faces), name
        return None, None, None, name
    if material is None or placeholder:
        return None, None, None, name
    image = _material_image(material)
    uv = getattr(visual, "uv", None)
    if image is not None and uv is not None:
        uv = np.asarray(uv, dtype=np.float64)
        if (uv.ndim == 2 and uv.shape == (n, 2) and np.all(np.isfinite(uv))
                and image.size[0] * image.size[1] > 4):
            return uv, image, None, name
    color = _image_color(image) if image is not None else None
    if color is None:
        color = _material_color(material)
    vc = getattr(visual, "vertex_attributes", {}).get("color") if color is None else None
    if vc is not None and np.shape(vc)[0] == n:
        return None, None, _face_mean(np.asarray(vc), faces), name
    if color is None:
        return None, None, None, name
    return None, None, np.broadcast_to(color, (len(faces), 4)), name


def _face_mean(vc: np.ndarray, faces: np.ndarray) -> np.ndarray:
    vc = np.asarray(vc)
    if vc.dtype.kind == "f":
        vc = np.clip(vc * (255.0 if vc.max(initial=0) <= 1.0 else 1.0), 0, 255)
    rgba = np.full((len(vc), 4), 255, dtype=np.float64)
    rgba[:, :min(4, vc.shape[1])] = vc[:, :4]
    return np.rint(rgba[faces].mean(axis=1)).astype(np.uint8)


def _image_color(image) -> np.ndarray | None:
    """The colour of a tiny image (<= 4 pixels), used as a flat colour."""
    try:
        if image.size[0] * image.size[1] > 4:
            return None
        arr = np.asarray(image.convert("RGBA"), dtype=np.uint8).reshape(-1, 4)
    except Exception:
        return None
    return np.rint(arr.mean(axis=0)).astype(np.uint8) if len(arr) else None


def _image_array(image) -> np.ndarray:
    mode = image.mode
    alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        mode == "P" and "transparency" in getattr(image, "info", {}))
    arr = np.asarray(image.convert("RGBA" if alpha else "RGB"), dtype=np.uint8)
    return np.ascontiguousarray(arr)


# ---------------------------------------------------------------- batching


def _batches(bodies: list[dict], layer_warnings: list[str]) -> list:
    plain: list[int] = []
    textured: dict[int, list[int]] = {}
    images: dict[int, np.ndarray] = {}
    points: list[int] = []
    lines: list[int] = []
    for row, body in enumerate(bodies):
        if body["type"] == "points":
            points.append(row)
        elif body["type"] == "lines":
            lines.append(row)
        elif body["image"] is not None:
            key = id(body["image"])
            if key not in images:
                try:
                    images[key] = _image_array(body["image"])
                except Exception as exc:  # broken image file: draw untextured
                    images[key] = None
                    layer_warnings.append(translate(
                        "LoadError", "texture of '{name}' unreadable: {detail}").format(
                        name=body["name"], detail=exc))
            if images[key] is None:
                body["uv"] = body["image"] = None
                plain.append(row)
            else:
                textured.setdefault(key, []).append(row)
        else:
            plain.append(row)
    out: list = []
    if plain:
        out.append(_triangle_batch(bodies, plain, None))
    for key, rows in textured.items():
        out.append(_triangle_batch(bodies, rows, images[key]))
    if lines:
        pts, segs, rws = _stack(bodies, lines, "segments")
        out.append(LineBatch(points=pts, segments=segs, rows=rws))
    if points:
        pts = np.concatenate([bodies[r]["points"] for r in points])
        rws = np.concatenate([np.full(len(bodies[r]["points"]), r) for r in points])
        if len(pts) > MAX_POINTS:
            step = int(np.ceil(len(pts) / MAX_POINTS))
            layer_warnings.append(translate(
                "LoadError", "point cloud thinned to every {step}th of {n} points").format(
                step=step, n=len(pts)))
            pts, rws = pts[::step], rws[::step]
        out.append(PointBatch(points=pts, rows=rws))
    return out


def _stack(bodies: list[dict], rows: list[int], key: str):
    if len(rows) == 1:  # one big scan: hand its arrays on without copies
        body = bodies[rows[0]]
        cells = np.asarray(body[key]).view(np.ndarray)
        return (np.asarray(body["points"]).view(np.ndarray), cells,
                np.full(len(cells), rows[0], dtype=np.int64))
    pts, idx, rws = [], [], []
    offset = 0
    for r in rows:
        body = bodies[r]
        pts.append(body["points"])
        idx.append(body[key] + offset)
        rws.append(np.full(len(body[key]), r, dtype=np.int64))
        offset += len(body["points"])
    return np.concatenate(pts), np.concatenate(idx), np.concatenate(rws)


def _triangle_batch(bodies: list[dict], rows: list[int], texture) -> TriangleBatch:
    points, triangles, tri_rows = _stack(bodies, rows, "faces")
    if texture is not None:
        uv = np.concatenate([bodies[r]["uv"] for r in rows])
        return TriangleBatch(points=points, triangles=triangles, rows=tri_rows, uv=uv,
                             texture=texture)
    colors = None
    if any(bodies[r]["colors"] is not None for r in rows):
        colors = np.concatenate([
            bodies[r]["colors"] if bodies[r]["colors"] is not None
            else np.broadcast_to(DEFAULT_COLOR, (len(bodies[r]["faces"]), 4))
            for r in rows]).astype(np.uint8)
    return TriangleBatch(points=points, triangles=triangles, rows=tri_rows, colors=colors)
