"""Write the low-poly street-furniture models ``twinviewer/assets/<name>.obj``.

Run ``python twinviewer/assets/make_assets.py``.  Every model is in metres, Z up, stands on
z = 0 and is centred on x = y = 0.  They are drawn as instances (up to 100,000
of each), so each stays within 12 triangles: no bottoms (they stand on the
ground), open pole ends, legs as single quads (lit from both sides).  Faces are
wound counter-clockwise seen from outside.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def ring(shape: str, z: float, rx: float, ry: float | None = None,
         cx: float = 0.0, cy: float = 0.0) -> np.ndarray:
    """A horizontal polygon: ``"tri"`` (3 corners) or ``"square"`` (4), half-widths rx, ry."""
    ry = rx if ry is None else ry
    if shape == "tri":
        angles = np.radians([90.0, 210.0, 330.0])
    else:
        angles = np.radians([45.0, 135.0, 225.0, 315.0])
    scale = 1.0 if shape == "tri" else np.sqrt(2.0)
    x = cx + rx * scale * np.cos(angles)
    y = cy + ry * scale * np.sin(angles)
    return np.column_stack([x, y, np.full(len(angles), z)])


def solid(rings: list[np.ndarray], bottom: np.ndarray | None = None,
          top: np.ndarray | None = None, caps: str = "top") -> tuple[np.ndarray, np.ndarray]:
    """Convex solid through stacked rings; closed by apex points or flat caps.

    ``caps``: ``"both"``, ``"top"`` (default: bottoms stand on the ground),
    ``"bottom"`` or ``"none"``.
    """
    pts = list(rings)
    k = len(rings[0])
    faces = []
    for i in range(len(rings) - 1):
        a, b = i * k, (i + 1) * k
        for j in range(k):
            jn = (j + 1) % k
            faces += [(a + j, a + jn, b + jn), (a + j, b + jn, b + j)]
    n = len(rings) * k
    ends = ((bottom, 0, caps in ("both", "bottom")),
            (top, (len(rings) - 1) * k, caps in ("both", "top")))
    for apex, first, cap in ends:
        if apex is not None:
            pts.append(np.asarray(apex, dtype=float).reshape(1, 3))
            faces += [(first + j, first + (j + 1) % k, n) for j in range(k)]
            n += 1
        elif cap:  # flat cap as a fan
            faces += [(first, first + j, first + j + 1) for j in range(1, k - 1)]
    vertices = np.concatenate(pts)
    return vertices, _outward(vertices, np.array(faces, dtype=np.int64))


def _outward(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Wind each face so its normal points away from the (convex) piece's centre."""
    centre = vertices.mean(axis=0)
    tri = vertices[faces]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    inward = np.einsum("ij,ij->i", normal, tri.mean(axis=1) - centre) < 0
    faces = faces.copy()
    faces[inward] = faces[inward][:, ::-1]
    return faces


def prism(shape: str, z0: float, z1: float, rx: float, ry: float | None = None,
          cx: float = 0.0, cy: float = 0.0, top_scale: float = 1.0, caps: str = "top"):
    """Upright prism (or frustum with ``top_scale`` != 1)."""
    ry = rx if ry is None else ry
    return solid([ring(shape, z0, rx, ry, cx, cy),
                  ring(shape, z1, rx * top_scale, ry * top_scale, cx, cy)], caps=caps)


def box(x0: float, x1: float, y0: float, y1: float, z0: float, z1: float, caps: str = "top"):
    return prism("square", z0, z1, (x1 - x0) / 2, (y1 - y0) / 2, (x0 + x1) / 2, (y0 + y1) / 2,
                 caps=caps)


def quad(x0: float, x1: float, y: float, z0: float, z1: float):
    """An upright rectangle in the x-z plane (a leg or a backrest), two triangles."""
    v = np.array([[x0, y, z0], [x1, y, z0], [x1, y, z1], [x0, y, z1]], dtype=float)
    return v, np.array([[0, 1, 2], [0, 2, 3]], dtype=np.int64)


def tetra(cx: float, z0: float, z1: float, r: float):
    """A small pointed head: triangle at ``z0`` under an apex at ``z1``."""
    return solid([ring("tri", z0, r, cx=cx)], top=(cx, 0.0, z1), caps="bottom")


def join(*pieces) -> tuple[np.ndarray, np.ndarray]:
    vertices, faces, offset = [], [], 0
    for v, f in pieces:
        vertices.append(v)
        faces.append(f + offset)
        offset += len(v)
    return np.concatenate(vertices), np.concatenate(faces)


def models() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        # 8 m pole with a lamp head reaching out over the road (10 triangles)
        "lamp_post": join(prism("tri", 0.0, 8.0, 0.09, top_scale=0.7, caps="none"),
                          tetra(0.9, 7.7, 8.1, 0.45)),
        # 1 m waste bin, slightly wider at the top (10)
        "bin": prism("square", 0.0, 1.0, 0.28, 0.24, top_scale=1.15),
        # trunk under a crown from 2 m to 6 m, about 3 m across (12)
        "tree": join(prism("tri", 0.0, 2.6, 0.18, caps="none"),
                     solid([ring("tri", 3.8, 1.6)], bottom=(0, 0, 2.0), top=(0, 0, 6.0))),
        # 4 m pole with a camera housing pointing along +x (10)
        "camera": join(prism("tri", 0.0, 4.0, 0.07, caps="none"), tetra(0.25, 3.75, 4.1, 0.22)),
        # 2 m post with a sensor head on top (10)
        "sensor": join(prism("tri", 0.0, 1.7, 0.05, caps="none"), tetra(0.0, 1.7, 2.05, 0.2)),
        # 4 m x 3 m board on two legs, top at 5 m (12)
        "billboard": join(box(-2.0, 2.0, -0.12, 0.12, 2.0, 5.0, caps="none"),
                          quad(-1.4, -1.2, 0.0, 0.0, 2.05), quad(1.2, 1.4, 0.0, 0.0, 2.05)),
        # 9 m utility pole, slightly tapered (8)
        "pole": prism("square", 0.0, 9.0, 0.12, top_scale=0.6, caps="none"),
        # 0.8 m fire hydrant: tapered body and a pointed cap (12)
        "hydrant": solid([ring("square", 0.0, 0.16), ring("square", 0.62, 0.13)],
                         top=(0, 0, 0.8)),
        # 1.8 m bench: seat block and a backrest (12)
        "bench": join(box(-0.9, 0.9, -0.25, 0.22, 0.0, 0.45), quad(-0.9, 0.9, 0.22, 0.45, 0.9)),
        # 3 m map pin: a diamond standing on its tip (8)
        "marker": solid([ring("square", 2.0, 0.55)], bottom=(0, 0, 0.0), top=(0, 0, 3.0)),
    }


def write_obj(path: Path, name: str, vertices: np.ndarray, faces: np.ndarray) -> None:
    lines = [f"# twinviewer asset '{name}': metres, Z up, base at z=0 "
             "(generated by make_assets.py)", f"o {name}"]
    lines += [f"v {x:.4f} {y:.4f} {z:.4f}" for x, y, z in vertices]
    lines += [f"f {a + 1} {b + 1} {c + 1}" for a, b, c in faces]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")


def main() -> None:
    for name, (vertices, faces) in models().items():
        vertices = np.where(np.abs(vertices) < 5e-5, 0.0, vertices)  # no "-0.0000"
        write_obj(HERE / f"{name}.obj", name, vertices, faces)
        size = vertices.max(axis=0) - vertices.min(axis=0)
        print(f"{name:10s} {len(faces):3d} triangles, {size[0]:.2f} x {size[1]:.2f} x "
              f"{size[2]:.2f} m")


if __name__ == "__main__":
    main()
