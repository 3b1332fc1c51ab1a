"""A 5-million-triangle scanned mesh: twinviewer's mesh path against plain trimesh."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from benchmarks.common import median, now
from benchmarks.figures import stats

QUADS = 1600  # 1600 x 1600 quads = 5,120,000 triangles


def scan_file(quads: int = QUADS) -> Path:
    """A displaced-grid binary PLY, written once and cached in the temp dir."""
    folder = Path(tempfile.gettempdir()) / "twinviewer-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"scan_{quads}.ply"
    if path.exists():
        return path
    n = quads + 1
    x, y = np.meshgrid(np.linspace(0, 400, n), np.linspace(0, 400, n))
    z = 6 * np.sin(x / 23.0) * np.cos(y / 31.0) + 0.4 * np.sin(x * 1.7) * np.sin(y * 1.3)
    verts = np.column_stack([x.ravel(), y.ravel(), z.ravel()]).astype("<f4")
    i = np.arange(quads)
    a = (i[None, :] + n * i[:, None]).ravel()
    quad = np.stack([a, a + 1, a + n + 1, a + n], axis=1)
    tris = np.concatenate([quad[:, [0, 1, 2]], quad[:, [0, 2, 3]]])
    faces = np.empty(len(tris), dtype=[("n", "u1"), ("v", "<i4", (3,))])
    faces["n"] = 3
    faces["v"] = tris
    header = ("ply\nformat binary_little_endian 1.0\n"
              f"element vertex {len(verts)}\nproperty float x\nproperty float y\n"
              f"property float z\nelement face {len(faces)}\n"
              "property list uchar int vertex_indices\nend_header\n")
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as fh:
        fh.write(header.encode("ascii"))
        fh.write(verts.tobytes())
        fh.write(faces.tobytes())
    tmp.replace(path)
    return path


def measure(repeat: int) -> dict:
    """Seconds of read_mesh + SceneView piece(s) and of trimesh.load(process=False),
    alternating (one of each per repeat), and their ratio per pair."""
    import trimesh

    from benchmarks.common import plotter
    from twinviewer.core.scene import Scene
    from twinviewer.io.mesh import read_mesh
    from twinviewer.render import SceneView

    path = scan_file()
    raw, ours, read, build = [], [], [], []
    triangles = 0
    for _ in range(max(1, repeat)):
        t = now()
        mesh = trimesh.load(path, process=False)
        raw.append(now() - t)
        triangles = len(mesh.faces)
        del mesh
        pl = plotter()
        t = now()
        [layer] = read_mesh(path)
        t1 = now()
        scene = Scene()
        scene.add_layer(layer)
        view = SceneView(pl, scene)
        t2 = now()
        ours.append(t2 - t)
        read.append(t1 - t)
        build.append(t2 - t1)
        view.close()
        pl.close()
        del view, scene, layer
    return {"figures": {"scan5m_load_s": stats(ours), "trimesh_raw_load_s": stats(raw),
                        "scan_vs_trimesh": stats(np.array(ours) / np.array(raw))},
            "details": {"scan_read_mesh_s": median(read), "scan_view_build_s": median(build),
                        "scan_triangles": triangles, "scan_mb": path.stat().st_size / 2**20}}
