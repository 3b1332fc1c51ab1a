"""``twinviewer analyse ...``: sunlight, coverage, sight lines, height limits and measurements.

Registered by :mod:`twinviewer.cli` with :func:`add_parser`; each subcommand
loads the scene headless, runs the analysis of :mod:`twinviewer.analysis`, prints
a summary (or one JSON object with ``--json``) and, with ``--save``, writes the
result columns and layers into the scene's GeoPackage store with the parameters
in its edit log.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import shapely

from twinviewer.analysis.coverage_layers import coverage_layers, scene_layer
from twinviewer.i18n import translate

KINDS = ("sunlight", "shadows", "coverage", "sightline", "height-limit", "measure")


def add_parser(sub, parser_class) -> None:
    """Add ``analyse`` and its subcommands to the ``twinviewer`` parser."""
    p = sub.add_parser("analyse", help=translate(
        "cli", "planning analysis: sunlight hours, camera coverage, sight lines, height limits"))
    kinds = p.add_subparsers(dest="analysis", parser_class=parser_class, required=True)

    def common(q):
        q.add_argument("scene", help=translate("cli", "scene file (.toml) or data files"))
        q.add_argument("--json", action="store_true", help=translate(
            "cli", "print one JSON object"))
        q.add_argument("--save", action="store_true", help=translate(
            "cli", "write the results into the scene's GeoPackage store, parameters logged"))
        q.add_argument("--user", default=None, help=translate(
            "cli", "name written to the edit log (default: the login name)"))

    q = kinds.add_parser("sunlight", help=translate(
        "cli", "sunlight hours per floor (日照分析, GB 50180-2018 presets)"))
    common(q)
    q.add_argument("--preset", default="dahan2", help=translate(
        "cli", "dahan2 (大寒日 ≥2h), dahan3 (大寒日 ≥3h) or dongzhi1 (冬至日 ≥1h)"))
    q.add_argument("--year", type=int, default=dt.date.today().year,
                   help=translate("cli", "year of the solar term (default: this year)"))
    q.add_argument("--date", default=None, help=translate(
        "cli", "another day (YYYY-MM-DD) instead of the preset's"))
    q.add_argument("--threshold", type=float, default=None,
                   help=translate("cli", "required hours (default: the preset's)"))
    q.add_argument("--step", type=float, default=15.0, help=translate(
        "cli", "minutes between sun positions (default 15)"))
    q.add_argument("--spacing", type=float, default=3.0, help=translate(
        "cli", "metres between sample points along a façade (default 3)"))
    q.add_argument("--layer", default="建筑", help=translate("cli", "building layer"))
    q.add_argument("--where", default=None, help=translate(
        "cli", "analyse only buildings where EXPR holds, e.g. \"类别 = '住宅楼'\""))
    q.add_argument("--floors-field", default="层数", help=translate(
        "cli", "field with the number of floors (default 层数)"))

    q = kinds.add_parser("shadows", help=translate(
        "cli", "shadow animation over a day as an MP4 video (日照阴影)"))
    q.add_argument("scene", help=translate("cli", "scene file (.toml) or data files"))
    q.add_argument("--date", default=None, help=translate(
        "cli", "the day (YYYY-MM-DD; default: this year's 大寒)"))
    q.add_argument("--from", dest="start", default="08:00", help=translate(
        "cli", "first frame, true solar time (default 08:00)"))
    q.add_argument("--to", dest="end", default="16:00", help=translate(
        "cli", "last frame, true solar time (default 16:00)"))
    q.add_argument("--step", type=float, default=15.0, help=translate(
        "cli", "minutes between frames (default 15)"))
    q.add_argument("--out", required=True, help=translate("cli", "MP4 file to write"))
    q.add_argument("--size", default="1280x720", help=translate(
        "cli", "video size WxH (default 1280x720)"))
    q.add_argument("--fps", type=float, default=4.0, help=translate(
        "cli", "frames per second (default 4)"))
    q.add_argument("--bookmark", default=None, help=translate(
        "cli", "the scene's bookmark to film from (default: the whole scene)"))
    q.add_argument("--no-captions", action="store_true",
                   help=translate("cli", "leave the captions out"))
    q.add_argument("--json", action="store_true", help=translate("cli", "print one JSON object"))

    q = kinds.add_parser("coverage", help=translate(
        "cli", "ground the cameras see, covered shares and blind roads (视频监控盲区)"))
    common(q)
    q.add_argument("--cameras", default="视频监控", help=translate("cli", "camera layer"))
    q.add_argument("--obstacles", default=None, help=translate(
        "cli", "comma-separated layers that hide ground (default: every triangle layer)"))
    q.add_argument("--compounds", default="小区", help=translate("cli", "compound layer"))
    q.add_argument("--roads", default="道路", help=translate("cli", "road layer"))
    q.add_argument("--range", type=float, default=None, dest="reach",
                   help=translate("cli", "camera range in metres (default: the view cone's)"))
    q.add_argument("--angle", type=float, default=None,
                   help=translate("cli", "field of view in degrees (default: the view cone's)"))

    q = kinds.add_parser("sightline", help=translate(
        "cli", "line of sight between two points (scene CRS coordinates)"))
    common(q)
    q.add_argument("--from", dest="start", required=True, metavar="X,Y,Z")
    q.add_argument("--to", dest="end", required=True, metavar="X,Y,Z")

    q = kinds.add_parser("height-limit", help=translate(
        "cli", "objects rising above a control surface (控高)"))
    common(q)
    q.add_argument("--polygon", default=None, metavar="WKT", help=translate(
        "cli", "the limited area, in the scene CRS"))
    q.add_argument("--height", type=float, default=None, help=translate(
        "cli", "limit in metres above the ground inside --polygon"))
    q.add_argument("--absolute", action="store_true", help=translate(
        "cli", "--height is an elevation, not a height above the ground"))
    q.add_argument("--plane", default=None, metavar="X,Y,Z;X,Y,Z;X,Y,Z", help=translate(
        "cli", "the limit is the plane through three points (scene CRS)"))
    q.add_argument("--layers", default=None, help=translate(
        "cli", "comma-separated layers to check (default: every triangle layer)"))

    q = kinds.add_parser("measure", help=translate(
        "cli", "distance, length, area or coordinates of points (scene CRS)"))
    q.add_argument("kind", choices=("distance", "length", "area", "coordinate", "height"))
    common(q)
    q.add_argument("--points", default="", metavar="X,Y,Z;X,Y,Z;...")
    q.add_argument("--object", default=None, metavar="LAYER:OID",
                   help=translate("cli", "for height: the object"))


def _fail(message: str) -> int:
    from twinviewer.cli import error_line

    print(error_line(message), file=sys.stderr)
    return 2


def run(args) -> int:
    """Run ``twinviewer analyse KIND ...``; analysis errors end as one line, status 2."""
    from twinviewer.core.edits import EditError
    from twinviewer.core.errors import LoadError
    from twinviewer.core.query import QueryError
    from twinviewer.store import StoreError

    try:
        return _RUN[args.analysis](args)
    except (ValueError, InterruptedError, QueryError) as exc:
        return _fail(str(exc))
    except (StoreError, EditError, LoadError) as exc:
        return _fail(exc.message)


def _scene(args):
    from twinviewer.io.loader import load, spec_for

    result = load(spec_for([args.scene]))
    for e in result.errors:
        print(e, file=sys.stderr)
    if not result.layers:
        raise ValueError(translate("AnalysisError", "{scene}: no layer could be read").format(
            scene=args.scene))
    return result.to_scene()


def _points(text: str, scene) -> np.ndarray:
    try:
        pts = [[float(v) for v in p.split(",")] for p in text.split(";") if p.strip()]
        arr = np.array([p + [0.0] * (3 - len(p)) for p in pts], dtype=float)
    except ValueError:
        raise ValueError(translate("AnalysisError", "points must be X,Y,Z;X,Y,Z (got {text})")
                         .format(text=repr(text))) from None
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ValueError(translate("AnalysisError", "points must be X,Y,Z;X,Y,Z (got {text})")
                         .format(text=repr(text)))
    return arr - scene.origin  # scene CRS -> local scene coordinates


def _emit(args, payload: dict, lines: list[str]) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=_plain))
    else:
        for line in lines:
            print(line)


def _plain(v):
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def _rows_where(scene, layer, expr: str | None) -> np.ndarray | None:
    if not expr:
        return None
    from twinviewer.core.query import FilterEngine, where_rows

    sel = where_rows(scene, {layer.name: np.arange(len(layer))}, expr, FilterEngine())
    return np.asarray(sel.get(layer.name, np.zeros(0, np.int64)), dtype=np.int64)


# --------------------------------------------------------------------------- subcommands


def _sunlight(args) -> int:
    from twinviewer.analysis.rays import Occluders
    from twinviewer.analysis.saving import save_output, sunlight_output
    from twinviewer.analysis.sunlight import SunlightRequest, scene_lonlat, sunlight

    scene = _scene(args)
    layer = scene_layer(scene, args.layer)
    lon, lat = scene_lonlat(scene)
    req = SunlightRequest.from_preset(args.preset, args.year, latitude=lat, longitude=lon,
                                      step_minutes=args.step, spacing=args.spacing)
    if args.date:
        req.day = dt.date.fromisoformat(args.date)
    if args.threshold is not None:
        req.threshold = args.threshold
    rows = _rows_where(scene, layer, args.where)
    floors = args.floors_field if args.floors_field in layer.table.df.columns else None
    t0 = time.perf_counter()
    result = sunlight(layer, req, Occluders.from_scene(scene), rows=rows, floors_field=floors)
    seconds = time.perf_counter() - t0
    df = layer.table.df
    name_col = "名称" if "名称" in df.columns else "oid"
    worst = result.worst
    below = result.below()
    analysed = np.unique(result.samples.rows)
    payload = {"params": result.params, "buildings": int(len(analysed)),
               "samples": int(len(result.samples)), "instants": int(len(result.times)),
               "seconds": round(seconds, 3), "below_threshold": [
                   {"oid": df["oid"].iat[r], "name": df[name_col].iat[r],
                    "worst_floor_hours": round(float(worst[r]), 3),
                    "floors_below": [int(k + 1) for k in np.flatnonzero(
                        result.floor_hours[r] < result.threshold - 1e-9)]}
                   for r in below]}
    lines = [translate("cli", "{n} buildings, {s} sample points, {t} sun positions on {day} "
                              "({start:g}-{end:g} h true solar time) in {sec:.1f} s").format(
        n=len(analysed), s=len(result.samples), t=len(result.times), day=req.day,
        start=req.start, end=req.end, sec=seconds),
        translate("cli", "{k} below {h:g} h:").format(k=len(below), h=req.threshold)]
    lines += [f"  {b['name']} (oid {b['oid']}): {b['worst_floor_hours']:.2f} h, "
              + translate("cli", "floors {floors}").format(
                  floors=",".join(map(str, b["floors_below"])))
              for b in payload["below_threshold"]]
    if args.save:
        payload["saved_changes"] = save_output(
            scene, sunlight_output(layer, result, floors_field=floors), user=args.user).changes
        lines.append(translate("cli", "saved {n} changes").format(n=payload["saved_changes"]))
    _emit(args, payload, lines)
    return 0


def _shadows(args) -> int:
    import os

    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from twinviewer.analysis.shadows import ShadowRequest, parse_clock
    from twinviewer.analysis.sun import solar_term_date
    from twinviewer.analysis.sunlight import scene_lonlat
    from twinviewer.cli import parse_size

    size = parse_size(args.size)
    if size[0] % 2 or size[1] % 2:
        raise ValueError(translate("cli", "--size {value!r}: width and height must be even for "
                                          "H.264").format(value=args.size))
    if not 0.1 <= args.fps <= 240:
        raise ValueError(translate("cli", "--fps {value:g} is out of range (0.1 to 240)").format(
            value=args.fps))
    out = Path(args.out)
    if out.suffix.lower() != ".mp4":
        raise ValueError(translate("cli", "the output must be a {suffix} file").format(
            suffix=".mp4") + f": {out}")
    if not out.parent.exists():
        raise ValueError(translate("cli", "the output folder does not exist") + f": {out}")
    try:
        day = dt.date.fromisoformat(args.date) if args.date else \
            solar_term_date(dt.date.today().year, "大寒")
    except ValueError:
        raise ValueError(translate("AnalysisError", "{text} is not a date (YYYY-MM-DD)").format(
            text=repr(args.date))) from None
    start, end = parse_clock(args.start), parse_clock(args.end)
    scene = _scene(args)
    view = None
    if args.bookmark is not None:
        marks = {b.name: b for b in scene.bookmarks}
        if args.bookmark not in marks:
            raise ValueError(translate("cli", "no bookmark named {name!r} (bookmarks: {names})")
                             .format(name=args.bookmark, names=", ".join(marks) or "-"))
        view = marks[args.bookmark].view
    lon, lat = scene_lonlat(scene)
    req = ShadowRequest(day, start, end, args.step, latitude=lat, longitude=lon)
    from twinviewer.render.shadow_video import export_shadow_video

    t0 = time.perf_counter()
    n = export_shadow_video(scene, req, out, size=size, fps=args.fps, view=view,
                            captions=not args.no_captions)
    payload = {"params": req.params(), "frames": n, "out": str(out),
               "seconds": round(time.perf_counter() - t0, 2)}
    _emit(args, payload, [translate("cli", "wrote {path} ({width}x{height}, {frames} frames, "
                                           "{seconds:.1f} s)").format(
        path=out, width=size[0], height=size[1], frames=n, seconds=n / args.fps)])
    return 0


def _coverage(args) -> int:
    from twinviewer.analysis.saving import coverage_output, save_output

    scene = _scene(args)
    t0 = time.perf_counter()
    result, layers, compounds = coverage_layers(
        scene, cameras=args.cameras, obstacles=args.obstacles, compounds=args.compounds,
        roads=args.roads, reach=args.reach, angle=args.angle)
    seconds = time.perf_counter() - t0
    shares = result.compound_shares
    blind = result.blind_roads if result.blind_roads is not None else np.array([])
    payload = {"params": result.params, "seconds": round(seconds, 3),
               "covered_area": round(float(result.union.area), 2),
               "blind_road_pieces": int(len(blind)),
               "blind_road_length": round(float(shapely.length(blind).sum()), 2) if len(blind)
               else 0.0}
    lines = [translate("cli", "{n} cameras see {a:,.0f} m² of ground ({sec:.2f} s); "
                              "{k} road pieces ({l:,.0f} m) no camera sees").format(
        n=result.params["n"], a=payload["covered_area"], sec=seconds, k=len(blind),
        l=payload["blind_road_length"])]
    if shares is not None and compounds is not None:
        cdf = compounds.table.df
        names = cdf["名称"].to_numpy() if "名称" in cdf.columns else cdf["oid"].to_numpy()
        payload["compounds"] = [
            {"oid": o, "name": n, "ground_share": None if not np.isfinite(g) else round(g, 4),
             "road_share": None if not np.isfinite(r) else round(r, 4)}
            for o, n, g, r in zip(shares["oid"], names, shares["ground_share"],
                                  shares["road_share"], strict=True)]
        lines.append(translate("cli", "covered share per compound (ground / roads):"))
        lines += [f"  {c['name']}: {c['ground_share'] or 0:.1%} / {c['road_share'] or 0:.1%}"
                  for c in payload["compounds"]]
    if args.save:
        saved = save_output(scene, coverage_output(result, layers, compounds,
                                                   scene_layer(scene, args.cameras)),
                            user=args.user)
        if compounds is not None and shares is not None:
            payload["saved_changes"] = saved.changes
        lines.append(translate("cli", "saved to {store}").format(store=saved.store))
    _emit(args, payload, lines)
    return 0


def _sightline(args) -> int:
    from twinviewer.analysis.rays import Occluders
    from twinviewer.analysis.sightline import sight_line

    scene = _scene(args)
    a = _points(args.start, scene)
    b = _points(args.end, scene)
    s = sight_line(Occluders.from_scene(scene), a[0], b[0])
    d = s.as_dict()
    for k in ("start", "end", "blocked_at"):
        if d[k] is not None:
            d[k] = (np.asarray(d[k]) + scene.origin).tolist()
    if s.visible:
        lines = [translate("cli", "visible ({d:.2f} m)").format(d=s.distance)]
    else:
        lines = [translate("cli", "blocked after {d:.2f} m by {layer} object {oid}").format(
            d=s.blocked_after, layer=s.layer, oid=d["oid"])]
    _emit(args, d, lines)
    return 0


def _height_limit(args) -> int:
    from twinviewer.analysis.ground import scene_terrain, terrain_ground
    from twinviewer.analysis.height_limit import ControlSurface, VertexIndex, excess
    from twinviewer.analysis.saving import height_limit_output, save_output

    scene = _scene(args)
    if args.plane:
        p = _points(args.plane, scene)
        if len(p) != 3:
            raise ValueError(translate("AnalysisError", "--plane needs three points"))
        surface = ControlSurface.plane_through(*p)
    elif args.polygon and args.height is not None:
        try:
            poly = shapely.from_wkt(args.polygon)
        except shapely.errors.GEOSException:
            raise ValueError(translate("AnalysisError", "--polygon is not WKT")) from None
        poly = shapely.transform(poly, lambda c: c - scene.origin[:2])
        surface = ControlSurface(polygon=poly, height=args.height, relative=not args.absolute)
    else:
        raise ValueError(translate("AnalysisError", "give --polygon and --height, or --plane"))
    names = [n.strip() for n in args.layers.split(",")] if args.layers else None
    layers = [scene_layer(scene, n) for n in names] if names else [
        lyr for lyr in scene.layers if any(hasattr(b, "triangles") for b in lyr.batches)]
    ground_z = terrain_ground(scene_terrain(scene))  # a relative limit stands on the DEM
    t0 = time.perf_counter()
    out = {}
    lines = []
    for lyr in layers:
        e = excess(VertexIndex.of(lyr), surface, ground_z)
        rows = np.flatnonzero(np.isfinite(e))
        out[lyr.name] = (lyr, e, rows)
    seconds = time.perf_counter() - t0
    payload = {"params": {**surface.params(), "layers": [lyr.name for lyr in layers]},
               "seconds": round(seconds, 4), "above": {}}
    for name, (lyr, e, rows) in out.items():
        df = lyr.table.df
        payload["above"][name] = [{"oid": df["oid"].iat[r], "excess": round(float(e[r]), 3)}
                                  for r in rows]
        lines.append(translate("cli", "{layer}: {n} objects above the limit").format(
            layer=name, n=len(rows)))
        lines += [f"  oid {df['oid'].iat[r]}: +{e[r]:.2f} m" for r in rows[np.argsort(-e[rows])]]
    if args.save:
        payload["saved_changes"] = save_output(scene, height_limit_output(
            [(lyr, e) for lyr, e, _rows in out.values()], payload["params"]),
            user=args.user).changes
    _emit(args, payload, lines)
    return 0


def _measure(args) -> int:
    from twinviewer.analysis import measure

    scene = _scene(args)
    if args.kind == "height":
        if not args.object or ":" not in args.object:
            raise ValueError(translate("AnalysisError", "height needs --object LAYER:OID"))
        name, oid = args.object.rsplit(":", 1)
        lyr = scene_layer(scene, name)
        ids = lyr.table.df["oid"].astype(str).to_numpy()
        hit = np.flatnonzero(ids == oid)
        if not len(hit):
            raise ValueError(translate("AnalysisError", "layer {layer} has no object {oid}")
                             .format(layer=name, oid=oid))
        m = measure.object_height(lyr, int(hit[0]))
    else:
        p = _points(args.points, scene)
        if args.kind == "distance":
            if len(p) != 2:
                raise ValueError(translate("AnalysisError", "a distance needs two points"))
            m = measure.distance(p[0], p[1])
        elif args.kind == "length":
            m = measure.polyline_length(p)
        elif args.kind == "area":
            m = measure.area(p)
        else:
            m = measure.coordinates(p[0], scene.crs, scene.origin)
    _emit(args, {"kind": m.kind, **m.values}, [m.text()])
    return 0


_RUN = {"sunlight": _sunlight, "shadows": _shadows, "coverage": _coverage, "sightline": _sightline,
        "height-limit": _height_limit, "measure": _measure}
