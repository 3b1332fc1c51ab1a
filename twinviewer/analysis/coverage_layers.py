"""Camera coverage run on a scene's layers: the result and the layers it becomes."""

from __future__ import annotations

import numpy as np
import shapely

from twinviewer.i18n import translate


def scene_layer(scene, name: str):
    """The scene's layer ``name``; a ValueError naming it when there is none."""
    try:
        return scene.layer(name)
    except KeyError:
        raise ValueError(translate("AnalysisError", "the scene has no layer {name}").format(
            name=repr(name))) from None


def coverage_layers(scene, *, cameras: str, obstacles: str | None = None,
                    compounds: str = "小区", roads: str = "道路", reach: float | None = None,
                    angle: float | None = None, progress=None):
    """Camera coverage of a scene: the result, its layers (covered ground, blind roads)
    and the compound layer whose shares it computed (None when the scene has none).

    ``obstacles``: comma-separated layer names (default: every visible triangle layer).
    The scene's visible DEM, if any, sets the cameras and obstacles on the ground and
    hides what lies behind its hills; ``progress(fraction)`` may return False to cancel.
    """
    from twinviewer.analysis.coverage import (
        Obstacles,
        blind_roads,
        cameras_of,
        compound_shares,
        coverage,
    )
    from twinviewer.analysis.ground import scene_terrain, terrain_ground
    from twinviewer.analysis.layers import line_layer, polygon_layer
    from twinviewer.core.layer import TriangleBatch

    terrain = scene_terrain(scene)
    ground_z = terrain_ground(terrain)
    cam_layer = scene_layer(scene, cameras)
    cams = cameras_of(cam_layer, reach=reach, angle=angle, ground_z=ground_z)
    names = [n.strip() for n in obstacles.split(",")] if obstacles else None
    obs_layers = [scene_layer(scene, n) for n in names] if names else \
        [lyr for lyr in scene.layers if lyr.visible and lyr.kind != "analysis" and any(
            isinstance(b, TriangleBatch) and len(b.triangles) for b in lyr.batches)]
    result = coverage(cams, Obstacles.from_layers(obs_layers, ground_z=ground_z),
                      terrain=terrain, progress=progress)
    result.params = {"analysis": "coverage", "cameras": cam_layer.name, "n": len(cams),
                     "range": float(cams.reach[0]) if len(cams) else None,
                     "angle": float(cams.angle[0]) if len(cams) else None,
                     "obstacles": [lyr.name for lyr in obs_layers],
                     "terrain": terrain is not None}
    cam_df = cam_layer.table.df
    code = cam_df["编号"].to_numpy()[result.camera_rows] if "编号" in cam_df.columns else \
        cam_df["oid"].to_numpy()[result.camera_rows]
    covered = polygon_layer(translate("AnalysisLayer", "Camera coverage"), result.visible, {
        "摄像头": code, "面积": np.round(shapely.area(result.visible), 2)},
        oid=cam_df["oid"].to_numpy()[result.camera_rows], ground_z=ground_z)
    out = [covered]
    shares = None
    road_layer = None
    try:
        road_layer = scene.layer(roads)
    except KeyError:
        pass
    if road_layer is not None:
        lines, rows = blind_roads(result, road_layer)
        rdf = road_layer.table.df
        rname = rdf["名称"].to_numpy()[rows] if "名称" in rdf.columns else rdf["oid"].to_numpy()[rows]
        out.append(line_layer(translate("AnalysisLayer", "Roads no camera sees"), lines, {
            "道路": rname, "长度": np.round(shapely.length(lines), 2)}, ground_z=ground_z))
        result.blind_roads, result.blind_road_rows = lines, rows
    try:
        compound_layer = scene.layer(compounds)
        shares = compound_shares(result, compound_layer, road_layer)
    except KeyError:
        compound_layer = None
    result.compound_shares = shares
    return result, out, compound_layer
