"""Tile content into arrays: b3dm, i3dm, pnts and cmpt containers, glTF/GLB inside them.

The 3D Tiles containers are small headers plus a feature table and a batch table (JSON +
binary), read here with ``struct``; the glTF inside goes through pygltflib
(:mod:`twinviewer.tiles.gltf`). Vertices come out float32 in local scene coordinates,
with per-vertex feature ids (``_BATCHID``, ``EXT_mesh_features``) and, where the layer
classifies, per-vertex footprint rows (单体化), computed here in the worker.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.tiles.fetch import read_bytes, resolve
from twinviewer.tiles.gltf import Y_UP_TO_Z_UP, Decoded, MeshPart, PointPart, decode_gltf

_CTYPES = {"BYTE": np.int8, "UNSIGNED_BYTE": np.uint8, "SHORT": np.int16,
           "UNSIGNED_SHORT": np.uint16, "INT": np.int32, "UNSIGNED_INT": np.uint32,
           "FLOAT": np.float32, "DOUBLE": np.float64}
_NCOMP = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


class _Tables:
    """A feature table or batch table: JSON plus its binary body."""

    def __init__(self, js: bytes, binary: bytes, uri: str, what: str) -> None:
        self.uri, self.binary = uri, binary
        try:
            self.json = json.loads(js) if js.strip(b" \x00") else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise LoadError(translate("LoadError", "bad {what} JSON ({detail})").format(
                what=what, detail=exc), uri) from None

    def get(self, name: str, count: int, ctype: str, ncomp: int) -> np.ndarray | None:
        v = self.json.get(name)
        if v is None:
            return None
        if isinstance(v, list):
            return np.asarray(v, dtype=_CTYPES[ctype]).reshape(-1, ncomp)
        if isinstance(v, dict) and "byteOffset" in v:
            ctype = v.get("componentType", ctype)
            dtype = np.dtype(_CTYPES[ctype])
            off = int(v["byteOffset"])
            if off + dtype.itemsize * ncomp * count > len(self.binary):
                raise LoadError(translate("LoadError", "{name} runs past the binary body")
                                .format(name=name), self.uri)
            return np.frombuffer(self.binary, dtype, count * ncomp, off).reshape(count, ncomp)
        return None

    def batch_properties(self, count: int) -> dict[int, dict]:
        """Per batch id, the batch table's properties (JSON arrays and binary ones)."""
        rows: dict[int, dict] = {i: {} for i in range(count)}
        for name, v in self.json.items():
            if name == "extensions" or name == "extras":
                continue
            if isinstance(v, list) and len(v) == count:
                values = v
            elif isinstance(v, dict) and "byteOffset" in v:
                try:
                    arr = self.get(name, count, v.get("componentType", "FLOAT"),
                                   _NCOMP.get(v.get("type", "SCALAR"), 1))
                except LoadError:
                    continue
                values = [r[0].item() if len(r) == 1 else [x.item() for x in r] for r in arr]
            else:
                continue
            for i, value in enumerate(values):
                rows[i][name] = value
        return rows


def _header(data: bytes, uri: str, magic: bytes, size: int) -> tuple:
    if len(data) < size or data[:4] != magic:
        raise LoadError(translate("LoadError", "not a {magic} tile (wrong or truncated "
                                               "header)").format(magic=magic.decode()), uri)
    fields = struct.unpack_from("<4s" + "I" * ((size - 4) // 4), data, 0)
    if fields[2] > len(data):
        raise LoadError(translate("LoadError", "truncated: the header says {n} bytes, the "
                                               "file has {m}").format(n=fields[2],
                                                                      m=len(data)), uri)
    return fields


def _translate(m: np.ndarray, t) -> np.ndarray:
    tm = np.eye(4)
    tm[:3, 3] = np.asarray(t, dtype=np.float64)
    return m @ tm


def decode_b3dm(data: bytes, uri: str, frame: np.ndarray, get) -> Decoded:
    _, _, length, ftj, ftb, btj, btb = _header(data, uri, b"b3dm", 28)
    if ftj > 0x10000000 or btj > 0x10000000:  # a legacy header: counts where lengths go
        raise LoadError(translate("LoadError", "legacy b3dm header is not supported"), uri)
    pos = 28
    ft = _Tables(data[pos:pos + ftj], data[pos + ftj:pos + ftj + ftb], uri, "feature table")
    pos += ftj + ftb
    bt = _Tables(data[pos:pos + btj], data[pos + btj:pos + btj + btb], uri, "batch table")
    pos += btj + btb
    if pos > length:
        raise LoadError(translate("LoadError", "truncated b3dm body"), uri)
    count = int(ft.json.get("BATCH_LENGTH", 0))
    rtc = ft.json.get("RTC_CENTER")
    if isinstance(rtc, dict):
        rtc = ft.get("RTC_CENTER", 1, "FLOAT", 3)[0]
    m = _translate(frame, rtc) if rtc is not None else frame
    out = decode_gltf(data[pos:length], uri, m, get)
    if count:
        props = bt.batch_properties(count)
        out.properties.update({k: v for k, v in props.items() if v})
    return out


def decode_pnts(data: bytes, uri: str, frame: np.ndarray, get) -> Decoded:
    _, _, length, ftj, ftb, btj, btb = _header(data, uri, b"pnts", 28)
    ft = _Tables(data[28:28 + ftj], data[28 + ftj:28 + ftj + ftb], uri, "feature table")
    n = int(ft.json.get("POINTS_LENGTH", 0))
    pos = ft.get("POSITION", n, "FLOAT", 3)
    if pos is None:
        q = ft.get("POSITION_QUANTIZED", n, "UNSIGNED_SHORT", 3)
        if q is None:
            raise LoadError(translate("LoadError", "pnts tile without positions"), uri)
        offset = np.asarray(ft.json["QUANTIZED_VOLUME_OFFSET"], dtype=np.float64)
        scale = np.asarray(ft.json["QUANTIZED_VOLUME_SCALE"], dtype=np.float64)
        pos = q.astype(np.float64) / 65535.0 * scale + offset
    m = _translate(frame, ft.json["RTC_CENTER"]) if "RTC_CENTER" in ft.json else frame
    pts = (pos.astype(np.float64) @ m[:3, :3].T + m[:3, 3]).astype(np.float32)
    colors = None
    rgba = ft.get("RGBA", n, "UNSIGNED_BYTE", 4)
    rgb = ft.get("RGB", n, "UNSIGNED_BYTE", 3)
    if rgba is not None:
        colors = np.array(rgba, dtype=np.uint8)
    elif rgb is not None:
        colors = np.column_stack([rgb, np.full(n, 255, np.uint8)]).astype(np.uint8)
    elif "RGB565" in ft.json:
        c = ft.get("RGB565", n, "UNSIGNED_SHORT", 1)[:, 0].astype(np.uint32)
        colors = np.column_stack([(c >> 11) * 255 // 31, ((c >> 5) & 63) * 255 // 63,
                                  (c & 31) * 255 // 31, np.full(n, 255)]).astype(np.uint8)
    elif "CONSTANT_RGBA" in ft.json:
        colors = np.tile(np.asarray(ft.json["CONSTANT_RGBA"], np.uint8), (n, 1))
    batch = ft.get("BATCH_ID", n, "UNSIGNED_SHORT", 1)
    out = Decoded(points=[PointPart(pts, colors, None if batch is None else
                                    batch[:, 0].astype(np.int64))])
    if batch is not None and btj:
        bt = _Tables(data[28 + ftj + ftb:28 + ftj + ftb + btj],
                     data[28 + ftj + ftb + btj:28 + ftj + ftb + btj + btb], uri, "batch table")
        count = int(ft.json.get("BATCH_LENGTH", 0))
        out.properties.update({k: v for k, v in bt.batch_properties(count).items() if v})
    return out


def decode_i3dm(data: bytes, uri: str, frame: np.ndarray, get) -> Decoded:
    _, _, length, ftj, ftb, btj, btb, fmt = _header(data, uri, b"i3dm", 32)
    ft = _Tables(data[32:32 + ftj], data[32 + ftj:32 + ftj + ftb], uri, "feature table")
    body = data[32 + ftj + ftb + btj + btb:length]
    if fmt == 0:
        ref = body.decode("utf-8", "replace").strip("\x00 ")
        body = get(resolve(uri, ref))
    n = int(ft.json.get("INSTANCES_LENGTH", 0))
    pos = ft.get("POSITION", n, "FLOAT", 3)
    if pos is None:
        q = ft.get("POSITION_QUANTIZED", n, "UNSIGNED_SHORT", 3)
        if q is None:
            raise LoadError(translate("LoadError", "i3dm tile without positions"), uri)
        pos = q.astype(np.float64) / 65535.0 * np.asarray(ft.json["QUANTIZED_VOLUME_SCALE"]) \
            + np.asarray(ft.json["QUANTIZED_VOLUME_OFFSET"])
    pos = pos.astype(np.float64)
    if "RTC_CENTER" in ft.json:
        pos = pos + np.asarray(ft.json["RTC_CENTER"], dtype=np.float64)
    up = ft.get("NORMAL_UP", n, "FLOAT", 3)
    right = ft.get("NORMAL_RIGHT", n, "FLOAT", 3)
    if up is None or right is None:
        up = np.tile([0.0, 0.0, 1.0], (n, 1))
        right = np.tile([1.0, 0.0, 0.0], (n, 1))
        if ft.json.get("EAST_NORTH_UP"):  # the local east-north-up frame of each position
            norm = pos / np.maximum(np.linalg.norm(pos, axis=1, keepdims=True), 1e-9)
            east = np.cross([0.0, 0.0, 1.0], norm)
            east /= np.maximum(np.linalg.norm(east, axis=1, keepdims=True), 1e-9)
            up, right = norm, east
    up, right = up.astype(np.float64), right.astype(np.float64)
    fwd = np.cross(right, up)
    scale = np.ones((n, 3))
    if (s := ft.get("SCALE", n, "FLOAT", 1)) is not None:
        scale = np.repeat(s.astype(np.float64), 3, axis=1)
    if (s := ft.get("SCALE_NON_UNIFORM", n, "FLOAT", 3)) is not None:
        scale = s.astype(np.float64)
    model = decode_gltf(body, uri, np.eye(4), get)  # Z-up model coordinates
    out = Decoded(properties=model.properties, warnings=model.warnings)
    rot = np.stack([right, fwd, up], axis=2)  # columns: x -> right, y -> forward, z -> up
    for part in model.meshes:
        local = part.points.astype(np.float64)
        world = np.einsum("nij,vj->nvi", rot * scale[:, None, :], local) + pos[:, None, :]
        world = world.reshape(-1, 3) @ frame[:3, :3].T + frame[:3, 3]
        nv = len(local)
        tris = (part.triangles[None, :, :] + (np.arange(n) * nv)[:, None, None]).reshape(-1, 3)
        out.meshes.append(MeshPart(
            world.astype(np.float32), tris.astype(np.int32),
            None if part.uv is None else np.tile(part.uv, (n, 1)), part.texture,
            None if part.colors is None else np.tile(part.colors, (n, 1)),
            np.repeat(np.arange(n, dtype=np.int64), nv)))
    if btj:
        bt = _Tables(data[32 + ftj + ftb:32 + ftj + ftb + btj],
                     data[32 + ftj + ftb + btj:32 + ftj + ftb + btj + btb], uri, "batch table")
        out.properties = {k: v for k, v in bt.batch_properties(n).items() if v}
    return out


def decode_cmpt(data: bytes, uri: str, frame: np.ndarray, get, depth: int = 0) -> Decoded:
    _, _, length, count = _header(data, uri, b"cmpt", 16)
    out = Decoded()
    pos = 16
    for _ in range(count):
        if pos + 12 > length:
            raise LoadError(translate("LoadError", "truncated cmpt tile"), uri)
        inner_len = struct.unpack_from("<I", data, pos + 8)[0]
        out.extend(decode_bytes(data[pos:pos + inner_len], uri, frame, get, depth + 1))
        pos += inner_len
    return out


def decode_bytes(data: bytes, uri: str, frame: np.ndarray, get=read_bytes, depth: int = 0
                 ) -> Decoded:
    """Any tile content by its magic (glTF JSON by its first brace)."""
    if depth > 8:
        raise LoadError(translate("LoadError", "cmpt tiles nested too deep"), uri)
    magic = data[:4]
    if magic == b"b3dm":
        return decode_b3dm(data, uri, frame, get)
    if magic == b"i3dm":
        return decode_i3dm(data, uri, frame, get)
    if magic == b"pnts":
        return decode_pnts(data, uri, frame, get)
    if magic == b"cmpt":
        return decode_cmpt(data, uri, frame, get, depth)
    if magic == b"glTF" or data.lstrip()[:1] == b"{":
        return decode_gltf(data, uri, frame, get)
    if not data:
        raise LoadError(translate("LoadError", "empty tile content"), uri)
    raise LoadError(translate("LoadError", "unknown tile content (magic {magic!r})").format(
        magic=magic), uri)


def decode_content(content, get: Callable[[str], bytes] = read_bytes, classify=None
                   ) -> Decoded:
    """Fetch and decode every URI of a tile's :class:`~twinviewer.tiles.tileset.Content`.

    ``classify``: a footprint index (``rows_at(points) -> rows``, 单体化) whose rows
    every vertex gets. Raises :class:`LoadError` naming the file and the problem.
    """
    out = Decoded()
    for uri in content.uris:
        try:
            out.extend(decode_bytes(get(uri), uri, content.frame, get))
        except LoadError:
            raise
        except (ValueError, struct.error, KeyError, IndexError, TypeError) as exc:
            raise LoadError(translate("LoadError", "cannot decode ({detail})").format(
                detail=str(exc)[:160] or type(exc).__name__), uri) from None
    if classify is not None:
        for part in [*out.meshes, *out.points]:
            part.rows = np.asarray(classify.rows_at(part.points.astype(np.float64)),
                                   dtype=np.int64)
    return out


__all__ = ["Decoded", "MeshPart", "PointPart", "Y_UP_TO_Z_UP", "decode_bytes",
           "decode_content"]
