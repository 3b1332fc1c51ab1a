"""Writes a small ContextCapture-style OSGB pyramid for the tests.

Each file is written as OpenSceneGraph ASCII (``.osgt``) text here, then converted to
``.osgb`` by ``osgconv`` itself, so the binary files are OpenSceneGraph's own.
The vertices of every node are kept, for checks against pyproj.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HEADER = "#Ascii Scene\n#Version 161\n#Generator OpenSceneGraph 3.6.5\n\n"


class _Ids:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> int:
        self.n += 1
        return self.n


def grid_mesh(x0: float, y0: float, size: float, n: int, z0: float):
    """An ``n x n`` quad grid (a bumpy patch of ground), vertices and triangles."""
    t = np.linspace(0.0, 1.0, n + 1)
    xs, ys = np.meshgrid(x0 + t * size, y0 + t * size)
    zs = z0 + 2.0 * np.sin(xs / 7.0) * np.cos(ys / 5.0)
    verts = np.column_stack([xs.ravel(), ys.ravel(), zs.ravel()])
    uv = np.column_stack([np.tile(t, n + 1), np.repeat(t, n + 1)])
    idx = np.arange((n + 1) ** 2).reshape(n + 1, n + 1)
    a, b, c, d = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel(), idx[1:, 1:].ravel(), \
        idx[1:, :-1].ravel()
    tris = np.concatenate([np.column_stack([a, b, c]), np.column_stack([a, c, d])])
    return verts, uv, tris


def _geode(ids: _Ids, verts, uv, tris, texture: str | None, shared: list | None = None) -> str:
    """A Geode with one textured Geometry; ``shared``: a list holding the UniqueID of a
    Texture2D written before, referred to by id only (as osgconv writes shared ones),
    or empty, to be filled with this one's id."""
    vtext = "\n".join(f"{x:.6f} {y:.6f} {z:.6f}" for x, y, z in verts)
    ttext = "\n".join(f"{u:.6f} {v:.6f}" for u, v in uv)
    itext = " ".join(str(int(i)) for i in tris.ravel())
    state = ""
    if texture and shared:
        state = f"""StateSet TRUE {{
osg::StateSet {{
UniqueID {ids()}
TextureModeList 1 {{ Data 1 {{ GL_TEXTURE_2D ON }} }}
TextureAttributeList 1 {{ Data 1 {{ osg::Texture2D {{ UniqueID {shared[0]} }} Value OFF }} }}
}}
}}
"""
    elif texture:
        state_id, tex_id = ids(), ids()
        if shared is not None:
            shared.append(tex_id)
        state = f"""StateSet TRUE {{
osg::StateSet {{
UniqueID {state_id}
TextureModeList 1 {{ Data 1 {{ GL_TEXTURE_2D ON }} }}
TextureAttributeList 1 {{ Data 1 {{ osg::Texture2D {{
UniqueID {tex_id}
WRAP_S REPEAT WRAP_T REPEAT WRAP_R REPEAT
MIN_FILTER LINEAR MAG_FILTER LINEAR
Image TRUE {{
ClassName osg::Image
UniqueID {ids()}
FileName "{texture}"
WriteHint 0 3
}}
}} Value OFF }} }}
}}
}}
"""
    return f"""osg::Geode {{
UniqueID {ids()}
Drawables 1 {{
osg::Geometry {{
UniqueID {ids()}
{state}PrimitiveSetList 1 {{
osg::DrawElementsUInt {{
UniqueID {ids()}
Mode TRIANGLES
vector {tris.size} {{
{itext}
}}
}}
}}
VertexArray TRUE {{
osg::Vec3Array {{
UniqueID {ids()}
Binding BIND_PER_VERTEX
vector {len(verts)} {{
{vtext}
}}
}}
}}
TexCoordArrayList 1 {{
osg::Vec2Array {{
UniqueID {ids()}
Binding BIND_PER_VERTEX
vector {len(uv)} {{
{ttext}
}}
}}
}}
}}
}}
}}
"""


def _paged_lod(ids: _Ids, geode: str, center, radius: float, child: str | None,
               pixels: float) -> str:
    files = f'""\n"{child}"' if child else '""'
    ranges = f"0 {pixels}\n{pixels} 1e+30" if child else "0 1e+30"
    n = 2 if child else 1
    return f"""osg::PagedLOD {{
UniqueID {ids()}
CenterMode USER_DEFINED_CENTER
UserCenter {center[0]:.6f} {center[1]:.6f} {center[2]:.6f} {radius:.6f}
RangeMode PIXEL_SIZE_ON_SCREEN
RangeList {n} {{
{ranges}
}}
DatabasePath FALSE
RangeDataList {n} {{
{files}
}}
PriorityList {n} {{
{chr(10).join('0 1' for _ in range(n))}
}}
Children 1 {{
{geode}}}
}}
"""


@dataclass
class Pyramid:
    """The written folder and, per tile key (``file#k``), its local vertices."""

    folder: Path
    vertices: dict[str, np.ndarray] = field(default_factory=dict)
    triangles: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every .osgb under Data/


def write_pyramid(folder: Path, srs: str, origin=(0.0, 0.0, 0.0), *, tiles: int = 2,
                  size: float = 60.0, missing_child: bool = False,
                  broken_child: bool = False) -> Pyramid:
    """A ContextCapture folder: ``tiles`` top tiles, each three levels deep.

    Level 0: one PagedLOD over the whole tile, naming ``_L1``; level 1: two PagedLODs
    (the tile's halves), naming ``_L2_0`` and ``_L2_1``; level 2: plain leaves.
    ``missing_child``: the first tile's ``_L2_1`` is not written; ``broken_child``:
    it holds garbage instead of OSGB.
    """
    folder = Path(folder)
    data = folder / "Data"
    data.mkdir(parents=True, exist_ok=True)
    (folder / "metadata.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<ModelMetadata version="1">\n'
        f"  <SRS>{srs}</SRS>\n  <SRSOrigin>{origin[0]},{origin[1]},{origin[2]}</SRSOrigin>\n"
        "  <Texture><ColorSource>Visible</ColorSource></Texture>\n</ModelMetadata>\n",
        encoding="utf-8")
    pyr = Pyramid(folder)
    from PIL import Image
    rng = np.random.default_rng(5)
    for t in range(tiles):
        name = f"Tile_+{t:03d}_+000"
        tdir = data / name
        tdir.mkdir(exist_ok=True)
        Image.fromarray((rng.random((16, 16, 3)) * 255).astype("uint8")).save(tdir / "tex.png")
        x0, y0 = t * size, 0.0
        files: dict[str, str] = {}
        ids = _Ids()
        # level 0
        v, uv, tr = grid_mesh(x0, y0, size, 4, 10.0)
        pyr.vertices[f"{name}/{name}.osgb#0"] = v
        pyr.triangles[f"{name}/{name}.osgb#0"] = len(tr)
        c = (x0 + size / 2, y0 + size / 2, 10.0)
        files[f"{name}.osgb"] = _paged_lod(ids, _geode(ids, v, uv, tr, "tex.png"), c,
                                           size * 0.75, f"{name}_L1.osgb", 400.0)
        # level 1: two halves sharing one texture, the second by reference only
        lods, shared = [], []
        for k in range(2):
            v, uv, tr = grid_mesh(x0 + k * size / 2, y0, size / 2, 6, 10.0)
            key = f"{name}/{name}_L1.osgb#{k}"
            pyr.vertices[key], pyr.triangles[key] = v, len(tr)
            c = (x0 + (k + 0.5) * size / 2, y0 + size / 4, 10.0)
            lods.append(_paged_lod(ids, _geode(ids, v, uv, tr, "tex.png", shared), c, size * 0.4,
                                   f"{name}_L2_{k}.osgb", 400.0))
        files[f"{name}_L1.osgb"] = (f"osg::Group {{\nUniqueID {ids()}\nChildren 2 {{\n"
                                    + "".join(lods) + "}\n}\n")
        # level 2: leaves
        for k in range(2):
            v, uv, tr = grid_mesh(x0 + k * size / 2, y0, size / 2, 10, 10.0)
            key = f"{name}/{name}_L2_{k}.osgb#0"
            pyr.vertices[key], pyr.triangles[key] = v, len(tr)
            files[f"{name}_L2_{k}.osgb"] = _geode(ids, v, uv, tr, "tex.png")
        for fname, body in files.items():
            skip = t == 0 and fname.endswith("_L2_1.osgb")
            if skip and missing_child:
                del pyr.vertices[f"{name}/{fname}#0"]
                continue
            if skip and broken_child:
                (tdir / fname).write_bytes(b"\x00garbage, not OSGB\x01" * 10)
                del pyr.vertices[f"{name}/{fname}#0"]
                continue
            osgt = tdir / (fname[:-5] + ".osgt")
            osgt.write_text(HEADER + body, encoding="utf-8")
            subprocess.run(["osgconv", osgt.name, fname], cwd=tdir, check=True,
                           capture_output=True)
            osgt.unlink()
            pyr.files.append(f"{name}/{fname}")
        (tdir / "tex.png").unlink()  # the osgb files carry the image themselves
    return pyr
