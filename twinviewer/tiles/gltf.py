"""glTF 2.0 / GLB tile content (through pygltflib) into plain numpy mesh parts.

pygltflib reads the document and its chunks; this module walks the node hierarchy in
float64, reads accessors into numpy, decodes base-colour textures with Pillow and
reads ``EXT_mesh_features`` feature IDs and ``EXT_structural_metadata`` property tables.
An extension this viewer cannot draw (Draco, meshopt, KTX2 / Basis textures) is named in
a warning; the primitives and textures that do not need it still draw.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from dataclasses import dataclass, field

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.tiles.fetch import resolve

log = logging.getLogger(__name__)

# glTF is Y-up, 3D Tiles Z-up: the spec's fixed rotation (x, y, z) -> (x, -z, y)
Y_UP_TO_Z_UP = np.array([[1, 0, 0, 0], [0, 0, -1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], float)

_DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32,
           5126: np.float32}
_SIZES = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
UNDRAWABLE = {"KHR_draco_mesh_compression": "Draco", "EXT_meshopt_compression": "meshopt",
              "KHR_meshopt_compression": "meshopt", "KHR_texture_basisu": "KTX2/Basis",
              "EXT_texture_webp": "WebP texture"}


@dataclass
class MeshPart:
    """Triangles of one material, in local scene coordinates (float32)."""

    points: np.ndarray
    triangles: np.ndarray
    uv: np.ndarray | None = None
    texture: np.ndarray | None = None  # (h, w, 3|4) uint8, row 0 at the top
    colors: np.ndarray | None = None  # (n, 4) uint8 per vertex
    features: np.ndarray | None = None  # feature / batch id per vertex, -1 none
    rows: np.ndarray | None = None  # 单体化 footprint row per vertex, -1 none

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.points, self.triangles, self.uv, self.texture,
                                      self.colors, self.features, self.rows) if a is not None)


@dataclass
class PointPart:
    """A point cloud (pnts, or a glTF POINTS primitive)."""

    points: np.ndarray
    colors: np.ndarray | None = None
    features: np.ndarray | None = None
    rows: np.ndarray | None = None

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.points, self.colors, self.features, self.rows)
                   if a is not None)


@dataclass
class Decoded:
    """One tile's content as arrays; ``properties`` maps feature id -> property dict."""

    meshes: list[MeshPart] = field(default_factory=list)
    points: list[PointPart] = field(default_factory=list)
    properties: dict[int, dict] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.meshes) + sum(p.nbytes for p in self.points) + 256

    @property
    def triangles(self) -> int:
        return sum(len(p.triangles) for p in self.meshes)

    def extend(self, other: Decoded) -> None:
        self.meshes += other.meshes
        self.points += other.points
        self.properties.update(other.properties)
        self.warnings += [w for w in other.warnings if w not in self.warnings]


def _node_matrix(node) -> np.ndarray:
    if node.matrix:
        return np.asarray(node.matrix, dtype=np.float64).reshape(4, 4).T
    m = np.eye(4)
    if node.scale:
        m = np.diag([*node.scale, 1.0]) @ m
    if node.rotation:
        x, y, z, w = node.rotation
        r = np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                      [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                      [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])
        rm = np.eye(4)
        rm[:3, :3] = r
        m = rm @ m
    if node.translation:
        t = np.eye(4)
        t[:3, 3] = node.translation
        m = t @ m
    return m


class GltfReader:
    """One glTF asset: accessors, images and feature metadata read on demand."""

    def __init__(self, data: bytes, uri: str, get) -> None:
        from pygltflib import GLTF2

        self.uri = uri
        self.get = get
        try:
            if data[:4] == b"glTF":
                self.doc = GLTF2.load_from_bytes(data)
                self.blob = self.doc.binary_blob() or b""
            else:
                self.doc = GLTF2.from_json(data.decode("utf-8"))
                self.blob = b""
        except Exception as exc:  # pygltflib raises whatever its parser meets
            raise LoadError(translate("LoadError", "not a valid glTF ({detail})").format(
                detail=str(exc)[:120] or type(exc).__name__), uri) from None
        self._buffers: dict[int, bytes] = {}
        self.warnings: list[str] = []
        used = set(self.doc.extensionsUsed or []) | set(self.doc.extensionsRequired or [])
        for ext in sorted(used & set(UNDRAWABLE)):
            self.warn(translate("LoadError", "uses {ext} ({what}), which this viewer cannot "
                                             "draw; the rest draws").format(
                ext=ext, what=UNDRAWABLE[ext]))

    def warn(self, text: str) -> None:
        line = LoadError(text, self.uri).message
        if line not in self.warnings:
            self.warnings.append(line)

    def bad(self, what: str) -> LoadError:
        return LoadError(translate("LoadError", "bad glTF: {what}").format(what=what), self.uri)

    def buffer(self, index: int) -> bytes:
        if index not in self._buffers:
            buffers = self.doc.buffers or []
            if not 0 <= index < len(buffers):
                raise self.bad(f"buffer {index} does not exist")
            b = buffers[index]
            if not b.uri:
                data = self.blob
            elif b.uri.startswith("data:"):
                data = base64.b64decode(b.uri.split(",", 1)[1])
            else:
                data = self.get(resolve(self.uri, b.uri))
            self._buffers[index] = data
        return self._buffers[index]

    def view(self, index: int) -> tuple[bytes, int, int | None]:
        views = self.doc.bufferViews or []
        if not 0 <= index < len(views):
            raise self.bad(f"buffer view {index} does not exist")
        v = views[index]
        buf = self.buffer(v.buffer or 0)
        off, length = v.byteOffset or 0, v.byteLength
        if off + length > len(buf):
            raise self.bad(f"buffer view {index} runs past its buffer")
        return buf[off:off + length], length, v.byteStride

    def accessor(self, index: int) -> np.ndarray:
        acc = (self.doc.accessors or [None] * (index + 1))[index] if index is not None else None
        if acc is None or acc.componentType not in _DTYPES or acc.type not in _SIZES:
            raise self.bad(f"accessor {index} is missing or of an unknown type")
        dtype, size = np.dtype(_DTYPES[acc.componentType]), _SIZES[acc.type]
        if acc.bufferView is None:
            out = np.zeros((acc.count, size), dtype=dtype)
        else:
            data, _, stride = self.view(acc.bufferView)
            off = acc.byteOffset or 0
            item = dtype.itemsize * size
            stride = stride or item
            need = off + stride * (acc.count - 1) + item if acc.count else 0
            if need > len(data) or acc.count < 0:
                raise self.bad(f"accessor {index} reads past its buffer view")
            if stride == item:
                out = np.frombuffer(data, dtype=dtype, count=acc.count * size,
                                    offset=off).reshape(acc.count, size)
            else:
                out = np.lib.stride_tricks.as_strided(
                    np.frombuffer(data, dtype=np.uint8, offset=off),
                    shape=(acc.count, item), strides=(stride, 1)).copy().view(dtype)
        if acc.sparse is not None:
            out = out.copy()
            sp = acc.sparse
            idx_dtype = np.dtype(_DTYPES[sp.indices.componentType])
            idata, _, _ = self.view(sp.indices.bufferView)
            vdata, _, _ = self.view(sp.values.bufferView)
            idx = np.frombuffer(idata, idx_dtype, sp.count, sp.indices.byteOffset or 0)
            vals = np.frombuffer(vdata, dtype, sp.count * size, sp.values.byteOffset or 0)
            out[idx.astype(np.int64)] = vals.reshape(-1, size)
        if acc.normalized and dtype.kind in "iu":
            out = out.astype(np.float32) / float(np.iinfo(dtype).max)
        return out

    def texture_of(self, material_index: int | None) -> tuple[np.ndarray | None, int,
                                                              np.ndarray | None]:
        """(base-colour image, its texcoord set, base colour factor RGBA uint8)."""
        mats = self.doc.materials or []
        if material_index is None or not 0 <= material_index < len(mats):
            return None, 0, None
        pbr = mats[material_index].pbrMetallicRoughness
        factor = None
        if pbr is not None and pbr.baseColorFactor:
            factor = (np.clip(np.asarray(pbr.baseColorFactor), 0, 1) * 255).astype(np.uint8)
        info = pbr.baseColorTexture if pbr is not None else None
        if info is None:
            return None, 0, factor
        try:
            tex = self.doc.textures[info.index]
            source = tex.source
            if source is None:
                self.warn(translate("LoadError", "a texture only in an extension format; "
                                                 "drawn without it"))
                return None, 0, factor
            image = self.doc.images[source]
            if image.bufferView is not None:
                raw, _, _ = self.view(image.bufferView)
            elif image.uri and image.uri.startswith("data:"):
                raw = base64.b64decode(image.uri.split(",", 1)[1])
            elif image.uri:
                raw = self.get(resolve(self.uri, image.uri))
            else:
                return None, 0, factor
            from PIL import Image

            with Image.open(io.BytesIO(raw)) as im:
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
                arr = np.asarray(im, dtype=np.uint8)
            return arr, info.texCoord or 0, factor
        except (IndexError, TypeError, OSError, ValueError) as exc:
            self.warn(translate("LoadError", "a texture cannot be read ({detail}); drawn "
                                             "without it").format(detail=exc))
            return None, 0, factor

    def property_tables(self) -> list[dict[int, dict]]:
        """Each EXT_structural_metadata property table as feature id -> properties."""
        ext = (self.doc.extensions or {}).get("EXT_structural_metadata")
        if not ext:
            return []
        schema = ext.get("schema") or {}
        classes = schema.get("classes") or {}
        tables = []
        for table in ext.get("propertyTables") or []:
            cls = classes.get(table.get("class"), {}).get("properties", {})
            count = int(table.get("count", 0))
            rows: dict[int, dict] = {i: {} for i in range(count)}
            for name, prop in (table.get("properties") or {}).items():
                try:
                    values = self._property_values(cls.get(name, {}), prop, count)
                except (LoadError, KeyError, ValueError, TypeError) as exc:
                    self.warn(translate("LoadError", "property {name!r} cannot be read "
                                                     "({detail})").format(name=name,
                                                                          detail=exc))
                    continue
                for i, v in enumerate(values):
                    rows[i][name] = v
            tables.append(rows)
        return tables

    def _property_values(self, cls: dict, prop: dict, count: int) -> list:
        kind = cls.get("type", "SCALAR")
        if cls.get("array"):
            raise ValueError("array properties are not read")
        data, _, _ = self.view(prop["values"])
        if kind == "STRING":
            off_type = np.dtype({"UINT8": np.uint8, "UINT16": np.uint16, "UINT64": np.uint64}
                                .get(prop.get("stringOffsetType"), np.uint32))
            odata, _, _ = self.view(prop["stringOffsets"])
            offs = np.frombuffer(odata, off_type, count + 1).astype(np.int64)
            return [data[offs[i]:offs[i + 1]].decode("utf-8") for i in range(count)]
        if kind == "BOOLEAN":
            bits = np.unpackbits(np.frombuffer(data, np.uint8), bitorder="little")
            return [bool(b) for b in bits[:count]]
        ctype = {"INT8": np.int8, "UINT8": np.uint8, "INT16": np.int16, "UINT16": np.uint16,
                 "INT32": np.int32, "UINT32": np.uint32, "INT64": np.int64, "UINT64": np.uint64,
                 "FLOAT32": np.float32, "FLOAT64": np.float64}[cls.get("componentType",
                                                                      "FLOAT32")]
        size = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9,
                "MAT4": 16}[kind]
        arr = np.frombuffer(data, ctype, count * size).reshape(count, size)
        return [row[0].item() if size == 1 else [v.item() for v in row] for row in arr]


def decode_gltf(data: bytes, uri: str, frame: np.ndarray, get, batch_ids: bool = True
                ) -> Decoded:
    """A glTF/GLB asset -> :class:`Decoded`, vertices mapped by ``frame`` (4x4 float64,
    applied after the Y-up -> Z-up rotation) into local scene coordinates.

    Raises :class:`LoadError` (naming ``uri``) for an asset it cannot read at all.
    """
    reader = GltfReader(data, uri, get)
    doc = reader.doc
    out = Decoded()
    tables = reader.property_tables()
    scenes = doc.scenes or []
    scene = scenes[doc.scene or 0] if scenes else None
    roots = list(scene.nodes) if scene is not None and scene.nodes else \
        list(range(len(doc.nodes or [])))
    base = frame @ Y_UP_TO_Z_UP
    stack = [(i, base) for i in roots]
    seen = 0
    while stack:
        index, parent = stack.pop()
        seen += 1
        if seen > 100_000 or not 0 <= index < len(doc.nodes or []):
            raise reader.bad(f"node {index} does not exist")
        node = doc.nodes[index]
        m = parent @ _node_matrix(node)
        stack.extend((k, m) for k in node.children or [])
        if node.mesh is None:
            continue
        if not 0 <= node.mesh < len(doc.meshes or []):
            raise reader.bad(f"mesh {node.mesh} does not exist")
        for prim in doc.meshes[node.mesh].primitives:
            _primitive(reader, prim, m, out, tables, batch_ids)
    if not doc.nodes and doc.meshes:  # no scene graph: the meshes as they are
        for mesh in doc.meshes:
            for prim in mesh.primitives:
                _primitive(reader, prim, base, out, tables, batch_ids)
    out.warnings = reader.warnings + out.warnings
    return out


def _primitive(reader: GltfReader, prim, m: np.ndarray, out: Decoded, tables: list,
               batch_ids: bool) -> None:
    exts = prim.extensions or {}
    for ext in exts:
        if ext in UNDRAWABLE:  # named once per asset in the reader's warnings
            return
    attrs = json.loads(prim.attributes.to_json()) if hasattr(prim.attributes, "to_json") \
        else dict(vars(prim.attributes))
    attrs = {k: v for k, v in attrs.items() if v is not None}
    if "POSITION" not in attrs:
        return
    pos = reader.accessor(attrs["POSITION"]).astype(np.float64)
    pts = (pos @ m[:3, :3].T + m[:3, 3]).astype(np.float32)
    n = len(pts)
    features = None
    fext = exts.get("EXT_mesh_features")
    table_index = None
    if fext and fext.get("featureIds"):
        fid = fext["featureIds"][0]
        table_index = fid.get("propertyTable")
        if "attribute" in fid:
            name = f"_FEATURE_ID_{fid['attribute']}"
            if name in attrs:
                features = reader.accessor(attrs[name])[:, 0].astype(np.int64)
        elif "texture" in fid:
            reader.warn(translate("LoadError", "feature IDs in a texture are not read"))
        else:
            features = np.arange(n, dtype=np.int64)
        if features is not None and fid.get("nullFeatureId") is not None:
            features[features == int(fid["nullFeatureId"])] = -1
    elif batch_ids and "_BATCHID" in attrs:
        features = reader.accessor(attrs["_BATCHID"])[:, 0].astype(np.int64)
    if features is not None and table_index is not None and table_index < len(tables):
        for fid_value in np.unique(features):
            if fid_value >= 0 and int(fid_value) in tables[table_index]:
                out.properties[int(fid_value)] = tables[table_index][int(fid_value)]
    mode = 4 if prim.mode is None else prim.mode
    colors = None
    if "COLOR_0" in attrs:
        c = reader.accessor(attrs["COLOR_0"])
        c = c if c.dtype.kind == "f" else c.astype(np.float32) / 255.0
        if c.shape[1] == 3:
            c = np.column_stack([c, np.ones(len(c))])
        colors = (np.clip(c, 0, 1) * 255).astype(np.uint8)
    if mode == 0:
        out.points.append(PointPart(pts, colors, features))
        return
    if prim.indices is not None:
        idx = reader.accessor(prim.indices)[:, 0].astype(np.int64)
    else:
        idx = np.arange(n, dtype=np.int64)
    if mode == 4:
        tris = idx[: len(idx) // 3 * 3].reshape(-1, 3)
    elif mode == 5:  # strip: alternate the winding
        k = np.arange(len(idx) - 2)
        tris = np.where((k % 2 == 0)[:, None], np.column_stack([idx[k], idx[k + 1], idx[k + 2]]),
                        np.column_stack([idx[k + 1], idx[k], idx[k + 2]]))
    elif mode == 6:
        k = np.arange(1, len(idx) - 1)
        tris = np.column_stack([np.full(len(k), idx[0]), idx[k], idx[k + 1]])
    else:  # lines: not a surface
        return
    if len(tris) and (tris.min() < 0 or tris.max() >= n):
        raise reader.bad("indices point past the vertices")
    image, texcoord, factor = reader.texture_of(prim.material)
    uv = None
    if image is not None and f"TEXCOORD_{texcoord}" in attrs:
        uv = reader.accessor(attrs[f"TEXCOORD_{texcoord}"]).astype(np.float32)[:, :2].copy()
        uv[:, 1] = 1.0 - uv[:, 1]  # glTF: v down from the top; VTK: up from the bottom
    else:
        image = None
    if colors is None and factor is not None and image is None:
        colors = np.broadcast_to(factor, (n, 4)).copy()
    out.meshes.append(MeshPart(pts, tris.astype(np.int32), uv, image, colors, features))
