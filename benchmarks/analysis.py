"""Planning-analysis figures (issue 16): ``python -m benchmarks.analysis [--json F]``.

- ``sunlight_s``: sunlight hours for every building of the demo scene (463), every
  floor, façade points 3 m apart, 15-minute steps over 大寒日 8:00-16:00 true solar
  time, through the Embree ray caster.  Baseline: a brute-force ray cast per sample
  and instant (Möller-Trumbore against every triangle, numpy), timed on a random
  subset and extrapolated to all rays; the subset's answers are compared ray by ray.
- ``coverage_s``: the ground the demo's 139 cameras see, with occlusion (STRtree +
  one union of shadows per camera).  Baseline: subtract every obstacle's shadow one
  at a time, no spatial index, on a subset of cameras (extrapolated); areas compared.
- ``height_limit_ms``: the 控高 check over 100,000 box buildings (median of runs;
  the vertex index, built once per layer, is reported apart).  Baseline: a
  per-object Python loop with shapely, on a subset, extrapolated; results compared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"sunlight_s": 10.0, "coverage_s": 5.0, "height_limit_ms": 100.0}


def _t() -> float:
    return time.perf_counter()


def sunlight_figures(scene, subset: int, seed: int = 7) -> dict:
    from twinviewer.analysis.rays import Occluders, brute_force_first_hit
    from twinviewer.analysis.sun import sun_position
    from twinviewer.analysis.sunlight import SunlightRequest, lit_matrix, scene_lonlat, sunlight

    layer = scene.layer("建筑")
    lon, lat = scene_lonlat(scene)
    req = SunlightRequest.from_preset("dahan2", 2026, latitude=lat, longitude=lon)
    t0 = _t()
    occ = Occluders.from_scene(scene)
    result = sunlight(layer, req, occ, floors_field="层数")
    seconds = _t() - t0
    sun = sun_position(result.times, lat, lon).directions()
    s = result.samples
    lit = lit_matrix(s, sun, occ)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(s), min(subset, len(s)), replace=False)
    t0 = _t()
    rays = mismatches = 0
    for i in pick:
        for k in range(len(sun)):
            front = sun[k, 2] > 0 and s.normals[i] @ sun[k] > 1e-9
            if front:
                hit = brute_force_first_hit(occ.points, occ.triangles, s.points[i], sun[k])[1]
                rays += 1
            seen = front and hit < 0
            mismatches += int(seen != bool(lit[k, i]))
    brute = _t() - t0
    front_rays = int(sum(((s.normals @ d) > 1e-9).sum() for d in sun if d[2] > 0))
    per_ray = brute / max(rays, 1)
    return {"sunlight_s": seconds, "sunlight_buildings": int(len(np.unique(s.rows))),
            "sunlight_samples": len(s), "sunlight_instants": len(sun),
            "sunlight_rays": front_rays, "sunlight_triangles": len(occ),
            "brute_force_rays_checked": rays, "brute_force_mismatches": mismatches,
            "brute_force_s_per_ray": per_ray,
            "brute_force_all_s_extrapolated": per_ray * front_rays}


def coverage_figures(scene, subset: int) -> dict:
    from twinviewer.analysis.coverage import Obstacles, cameras_of, coverage, sectors, shadows

    t0 = _t()
    cams = cameras_of(scene.layer("视频监控"))
    obs = Obstacles.from_layers([lyr for lyr in scene.layers if lyr.visible])
    result = coverage(cams, obs)
    seconds = _t() - t0
    sec = sectors(cams)
    k = min(subset, len(cams))
    t0 = _t()
    diff = 0.0
    for i in range(k):
        vis = sec[i]
        for j in range(len(obs)):  # every obstacle, one at a time, no index
            vis = vis.difference(shadows(cams.eye[i], float(cams.reach[i]), obs,
                                         np.array([j]))[0])
        diff = max(diff, abs(vis.area - result.visible[i].area))
    naive = (_t() - t0) / max(k, 1) * len(cams)
    return {"coverage_s": seconds, "coverage_cameras": len(cams), "coverage_obstacles": len(obs),
            "coverage_area_m2": float(result.union.area),
            "naive_coverage_s_extrapolated": naive, "naive_max_area_diff_m2": diff}


def height_limit_figures(n: int, subset: int, repeat: int) -> dict:
    from twinviewer.analysis.height_limit import ControlSurface, VertexIndex, excess
    from twinviewer.core.layer import Layer
    from twinviewer.core.table import ObjectTable
    from twinviewer.io.vector import extrude

    rng = np.random.default_rng(5)
    side = int(np.ceil(np.sqrt(n)))
    gx, gy = np.meshgrid(np.arange(side) * 12.0, np.arange(side) * 12.0)
    x, y = gx.ravel()[:n], gy.ravel()[:n]
    h = rng.uniform(3.0, 120.0, n)
    polys = shapely.box(x, y, x + 8.0, y + 8.0)
    layer = Layer("建筑", "vector", ObjectTable({"高度": h}),
                  [extrude(polys, np.arange(n), h)])
    t0 = _t()
    index = VertexIndex.of(layer)
    index_s = _t() - t0
    span = side * 12.0
    area = shapely.Polygon([(0.1 * span, 0.1 * span), (0.9 * span, 0.2 * span),
                            (0.8 * span, 0.9 * span), (0.2 * span, 0.7 * span)])
    surface = ControlSurface(polygon=area, height=60.0)
    runs = []
    for _ in range(max(3, repeat)):
        t0 = _t()
        e = excess(index, surface)
        runs.append(_t() - t0)
    plane = ControlSurface.plane_through((0, 0, 40), (span, 0, 80), (0, span, 40))
    plane_runs = []
    for _ in range(max(3, repeat)):
        t0 = _t()
        excess(index, plane)
        plane_runs.append(_t() - t0)
    pick = rng.choice(n, min(subset, n), replace=False)
    t0 = _t()
    mismatches = 0
    for i in pick:  # the naive loop: one object at a time
        corners = shapely.box(x[i], y[i], x[i] + 8, y[i] + 8).exterior.coords[:-1]
        inside = any(area.covers(shapely.Point(c)) for c in corners)
        want = h[i] - 60.0 if inside and h[i] > 60.0 else np.nan
        got = e[i]
        mismatches += int(not ((np.isnan(want) and np.isnan(got)) or abs(want - got) < 1e-6))
    naive = (_t() - t0) / len(pick) * n
    return {"height_limit_ms": statistics.median(runs) * 1e3,
            "height_limit_plane_ms": statistics.median(plane_runs) * 1e3,
            "height_limit_objects": n, "height_limit_vertices": len(index.x),
            "height_limit_above": int(np.isfinite(e).sum()),
            "height_limit_index_s": index_s,
            "naive_height_limit_s_extrapolated": naive, "naive_height_limit_mismatches": mismatches}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.analysis", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scene", type=Path, default=ROOT / "scenes" / "demo" / "scene.toml")
    ap.add_argument("--objects", type=int, default=100_000, help="height-limit objects")
    ap.add_argument("--subset", type=int, default=200, help="samples/cameras for baselines")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    from twinviewer.io.loader import load, spec_for

    scene = load(spec_for([args.scene])).to_scene()
    figures: dict = {}
    figures.update(sunlight_figures(scene, args.subset))
    figures.update(coverage_figures(scene, max(3, args.subset // 20)))
    figures.update(height_limit_figures(args.objects, args.subset * 10, args.repeat))
    ratios = {
        "sunlight_vs_target": figures["sunlight_s"] / TARGETS["sunlight_s"],
        "sunlight_speedup_vs_brute_force": figures["brute_force_all_s_extrapolated"]
        / figures["sunlight_s"],
        "coverage_vs_target": figures["coverage_s"] / TARGETS["coverage_s"],
        "coverage_speedup_vs_naive": figures["naive_coverage_s_extrapolated"]
        / figures["coverage_s"],
        "height_limit_vs_target": figures["height_limit_ms"] / TARGETS["height_limit_ms"],
        "height_limit_speedup_vs_naive": figures["naive_height_limit_s_extrapolated"] * 1e3
        / figures["height_limit_ms"],
    }
    for key, value in figures.items():
        print(f"{key:36s} {value:14,.4f}" if isinstance(value, float) else
              f"{key:36s} {value:14,d}")
    for key, target in TARGETS.items():
        print(f"target {key:29s} <= {target:g}   measured {figures[key]:.4g}   "
              f"ratio {figures[key] / target:.3f}   {'ok' if figures[key] <= target else 'MISSED'}")
    for key, value in ratios.items():
        if "speedup" in key:
            print(f"{key:36s} {value:14,.1f}x")
    from benchmarks.suites import record

    record("analysis", {**figures, **ratios}, full=args.objects >= 100_000)
    if args.json:
        args.json.write_text(json.dumps({
            "benchmark": "analysis", "figures": figures, "targets": TARGETS, "ratios": ratios,
            "machine": {"platform": platform.platform(), "python": platform.python_version(),
                        "cpu_count": os.cpu_count()}}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
