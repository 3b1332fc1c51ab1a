"""3D Tiles 1.1 implicit tiling: quadtrees and octrees described by subtree files.

A subtree file (binary ``subt`` header + JSON + a binary chunk, or plain JSON with
external buffers) says which tiles exist, which have content and which child subtrees
exist, as bitstreams in Morton order or as constants. Tiles are made only when the
traversal refines their parent; a subtree is read when its first tile is wanted (through
the tree's ``get``, so in the window it arrives from a worker).
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate
from twinviewer.tiles.fetch import resolve
from twinviewer.tiles.tile import Pending, Tile
from twinviewer.tiles.tileset import Content, Placement, place_volume


def morton(coords: tuple[int, ...]) -> int:
    """Interleave the bits of ``(x, y)`` or ``(x, y, z)``, x lowest."""
    out = 0
    dims = len(coords)
    for bit in range(21):
        for d, c in enumerate(coords):
            out |= ((c >> bit) & 1) << (bit * dims + d)
    return out


class Availability:
    """One availability: a constant, or a bitstream (bit i = byte i>>3, bit i&7)."""

    def __init__(self, spec: dict, views: list[bytes], what: str, uri: str) -> None:
        self.constant: bool | None = None
        self.bits = b""
        if not isinstance(spec, dict):
            raise LoadError(translate("LoadError", "subtree: {what} availability missing")
                            .format(what=what), uri)
        if "constant" in spec:
            self.constant = bool(spec["constant"])
            return
        index = spec.get("bitstream", spec.get("bufferView"))
        if not isinstance(index, int) or not 0 <= index < len(views):
            raise LoadError(translate("LoadError", "subtree: {what} availability names no "
                                                   "buffer view").format(what=what), uri)
        self.bits = views[index]

    def __call__(self, i: int) -> bool:
        if self.constant is not None:
            return self.constant
        byte = i >> 3
        return byte < len(self.bits) and bool((self.bits[byte] >> (i & 7)) & 1)


@dataclass
class Subtree:
    """The availability of one subtree."""

    tiles: Availability
    contents: list[Availability]
    children: Availability


def parse_subtree(data: bytes, uri: str, get) -> Subtree:
    """A subtree file's availabilities (``get`` reads its external buffers)."""
    try:
        if data[:4] == b"subt":
            if len(data) < 24:
                raise ValueError("truncated header")
            _, _, json_len, bin_len = struct.unpack_from("<4sIQQ", data, 0)
            if 24 + json_len + bin_len > len(data):
                raise ValueError("truncated")
            doc = json.loads(data[24:24 + json_len])
            binary = data[24 + json_len:24 + json_len + bin_len]
        else:
            doc, binary = json.loads(data), b""
    except (ValueError, struct.error) as exc:
        raise LoadError(translate("LoadError", "not a valid subtree file ({detail})").format(
            detail=exc), uri) from None
    buffers = []
    for buf in doc.get("buffers", []):
        buffers.append(get(resolve(uri, buf["uri"])) if "uri" in buf else binary)
    views = []
    for v in doc.get("bufferViews", []):
        src = buffers[v.get("buffer", 0)]
        off = int(v.get("byteOffset", 0))
        views.append(src[off:off + int(v["byteLength"])])
    contents = doc.get("contentAvailability", [])
    if isinstance(contents, dict):
        contents = [contents]
    return Subtree(Availability(doc.get("tileAvailability"), views, "tile", uri),
                   [Availability(c, views, "content", uri) for c in contents],
                   Availability(doc.get("childSubtreeAvailability"), views, "child subtree",
                                uri))


class ImplicitTiling:
    """The implicit part of one tileset: its scheme, templates and the subtrees read."""

    def __init__(self, tree, node: dict, base: str, transform: np.ndarray, refine: str,
                 key: str) -> None:
        it = node["implicitTiling"]
        self.tree = tree
        self.base = base
        self.transform = transform
        self.refine = refine
        self.key = key
        self.octree = str(it.get("subdivisionScheme", "QUADTREE")).upper() == "OCTREE"
        self.dims = 3 if self.octree else 2
        self.subtree_levels = int(it["subtreeLevels"])
        self.available_levels = int(it.get("availableLevels", it.get("maximumLevel", 0) + 1))
        self.subtree_template = it["subtrees"]["uri"]
        items = [node["content"]] if isinstance(node.get("content"), dict) else []
        items += [c for c in node.get("contents") or [] if isinstance(c, dict)]
        self.content_templates = [c["uri"] for c in items if "uri" in c]
        self.volume = node["boundingVolume"]
        self.error = float(node.get("geometricError", 0.0))
        self._subtrees: dict[tuple[int, ...], Subtree] = {}

    def uri(self, template: str, level: int, c: tuple[int, ...]) -> str:
        out = template.replace("{level}", str(level)).replace("{x}", str(c[0]))
        out = out.replace("{y}", str(c[1]))
        if self.octree:
            out = out.replace("{z}", str(c[2]))
        return resolve(self.base, out)

    def subtree(self, level: int, c: tuple[int, ...]) -> Subtree:
        key = (level, *c)
        if key not in self._subtrees:
            uri = self.uri(self.subtree_template, level, c)
            self._subtrees[key] = parse_subtree(self.tree.get(uri), uri, self.tree.get)
        return self._subtrees[key]

    def volume_at(self, level: int, c: tuple[int, ...]) -> dict:
        n = float(1 << level)
        if "region" in self.volume:
            w, s, e, nn, h0, h1 = (float(v) for v in self.volume["region"])
            dx, dy = (e - w) / n, (nn - s) / n
            if self.octree:
                dz = (h1 - h0) / n
                h0, h1 = h0 + c[2] * dz, h0 + (c[2] + 1) * dz
            return {"region": [w + c[0] * dx, s + c[1] * dy, w + (c[0] + 1) * dx,
                               s + (c[1] + 1) * dy, h0, h1]}
        b = np.asarray(self.volume["box"], dtype=np.float64)
        center, axes = b[:3].copy(), b[3:12].reshape(3, 3).copy()
        for d in range(self.dims):
            center += axes[d] * ((2 * c[d] + 1) / n - 1.0)
            axes[d] = axes[d] / n
        return {"box": [*center, *axes.ravel()]}

    def make(self, level: int, c: tuple[int, ...], sub: Subtree, sub_level: int,
             sub_c: tuple[int, ...], placement: Placement) -> Tile:
        local_level = level - sub_level
        local = tuple(ci - (si << local_level) for ci, si in zip(c, sub_c, strict=True))
        index = ((1 << (self.dims * local_level)) - 1) // ((1 << self.dims) - 1) + morton(local)
        bounds, frame = place_volume(self.volume_at(level, c), self.transform, placement)
        uris = tuple(self.uri(t, level, c) for i, t in enumerate(self.content_templates)
                     if i < len(sub.contents) and sub.contents[i](index))
        tile = Tile(f"{self.key}:{level}/{'/'.join(map(str, c))}", level,
                    self.error / (1 << level), bounds, refine=self.refine,
                    content=Content(uris, frame) if uris else None)
        if level + 1 < self.available_levels:
            tile.children = None
            tile.expander = lambda t: self.children(level, c, sub, sub_level, sub_c)
        return tile

    def children(self, level: int, c: tuple[int, ...], sub: Subtree, sub_level: int,
                 sub_c: tuple[int, ...]) -> list[Tile]:
        placement = self.tree.placement
        out = []
        kids = [tuple((ci << 1) | ((k >> d) & 1) for d, ci in enumerate(c))
                for k in range(1 << self.dims)]
        local_level = level + 1 - sub_level
        try:
            if local_level < self.subtree_levels:
                base = ((1 << (self.dims * local_level)) - 1) // ((1 << self.dims) - 1)
                for kc in kids:
                    local = tuple(ci - (si << local_level) for ci, si in zip(kc, sub_c, strict=True))
                    if sub.tiles(base + morton(local)):
                        out.append(self.make(level + 1, kc, sub, sub_level, sub_c, placement))
                return out
            for kc in kids:  # the next subtrees' roots
                local = tuple(ci - (si << local_level) for ci, si in zip(kc, sub_c, strict=True))
                if sub.children(morton(local)):
                    child = self.subtree(level + 1, kc)
                    if child.tiles(0):
                        out.append(self.make(level + 1, kc, child, level + 1, kc, placement))
        except Pending:
            raise
        except LoadError as exc:
            self.tree.fail(exc.message)
            raise
        return out


def implicit_root(tree, node: dict, base: str, transform: np.ndarray, refine: str,
                  level: int, bounds, frame, key: str) -> Tile:
    """The root tile of an implicit tileset; its own availability comes from the root
    subtree, read when the root is first expanded (or its content first wanted)."""
    try:
        tiling = ImplicitTiling(tree, node, base, transform, refine, key)
    except (KeyError, TypeError, ValueError) as exc:
        raise LoadError(translate("LoadError", "implicit tiling: {detail}").format(
            detail=exc), base) from None
    zero = (0,) * tiling.dims
    sub = tiling.subtree(0, zero)
    tile = tiling.make(0, zero, sub, 0, zero, tree.placement)
    tile.level = level
    return tile
