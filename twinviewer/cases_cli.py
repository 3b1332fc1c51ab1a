"""The ``twinviewer cases`` and ``twinviewer listen`` commands (registered by ``cli.py``).

``twinviewer cases SCENE [--json]`` prints the figures, ``twinviewer cases SCENE
transition CASE_ID STATE --note ...`` moves a case, ``twinviewer cases import SCENE
sweep.xlsx|csv [--partial]`` files a hazard sweep, and ``twinviewer listen SCENE``
hears the scene's MQTT broker headless.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import json
import logging
import sys
from pathlib import Path

from twinviewer.core.errors import LoadError
from twinviewer.i18n import translate

log = logging.getLogger(__name__)

BUILDINGS_LAYER = "建筑"


def add_parsers(sub) -> None:
    """Add ``cases`` and ``listen`` to the ``twinviewer`` subparsers."""
    p = sub.add_parser("cases", help=translate(
        "cli", "case figures of a scene; 'cases SCENE transition ID STATE' moves a case; "
               "'cases import SCENE SHEET' files a hazard sweep"))
    p.add_argument("words", nargs="+", metavar="SCENE|import",
                   help=translate("cli", "SCENE [transition CASE_ID STATE] or import SCENE "
                                         "SHEET"))
    p.add_argument("--json", action="store_true", help=translate("cli", "print one JSON object"))
    p.add_argument("--note", default="", help=translate("cli", "the note or reason of a "
                                                               "transition"))
    p.add_argument("--attach", default="", help=translate("cli", "a photo or document to "
                                                                 "attach"))
    p.add_argument("--who", default=None, help=translate("cli", "who does it (default: the "
                                                                "login name)"))
    p.add_argument("--role", default="operator", choices=("viewer", "operator", "unit",
                                                          "checker", "admin"),
                   help=translate("cli", "the role acting (only a checker closes a case)"))
    p.add_argument("--partial", action="store_true", help=translate(
        "cli", "file the rows that match and list the others (default: file nothing "
               "while a row is unmatched)"))
    p.add_argument("--layer", default=BUILDINGS_LAYER, help=translate(
        "cli", "the buildings layer the sweep's rows are matched to (default: 建筑)"))
    p = sub.add_parser("listen", help=translate(
        "cli", "hear the scene's MQTT broker headless and record alerts and cases"))
    p.add_argument("scene")
    p.add_argument("--broker", default=None, help=translate(
        "cli", "mqtt://host:1883 (default: [live] broker of the scene file)"))
    p.add_argument("--for", dest="seconds", type=float, default=None, help=translate(
        "cli", "stop after SECONDS (default: until interrupted)"))
    p.add_argument("--json", action="store_true", help=translate(
        "cli", "print the final report as JSON"))


def _fail(message: str) -> int:
    print("twinviewer: " + translate("cli", "error: {message}").format(
        message=" ".join(str(message).split())), file=sys.stderr)
    return 2


def _guard(func):
    def run(*args) -> int:
        from twinviewer.core.calendar import CalendarError
        from twinviewer.core.cases import CaseError
        from twinviewer.store import StoreError

        try:
            return func(*args)
        except (StoreError, CaseError, CalendarError, LoadError) as exc:
            return _fail(exc.message)
    return run


def case_store(scene: str | Path):
    """The scene's case store: its PostGIS twin for a team scene, else its GeoPackage."""
    from twinviewer.store.scene_cases import case_store_for
    return case_store_for(scene)


def run_cases(args) -> int:
    words = args.words
    if words[0] == "import":
        if len(words) != 3:
            return _fail(translate("cli", "usage: twinviewer cases import SCENE SHEET"))
        return _import(args, Path(words[1]), Path(words[2]))
    if len(words) == 1:
        return _summary(args, Path(words[0]))
    if words[1] == "transition" and len(words) == 4:
        return _transition(args, Path(words[0]), words[2], words[3])
    return _fail(translate("cli", "usage: twinviewer cases SCENE [transition CASE_ID STATE]"))


def summary(scene: str | Path, now: _dt.datetime | None = None) -> dict:
    """What ``twinviewer cases SCENE --json`` prints."""
    from dataclasses import asdict

    from twinviewer.core.cases import derive, figures

    store = case_store(scene)
    cases, events = store.frames()
    now = now or _dt.datetime.now()
    d = derive(cases, events, limits=store.limits(), calendar=store.calendar(), now=now)
    out = asdict(figures(d))
    out["alerts"] = store.alert_counts(now)
    return out


@_guard
def _summary(args, scene: Path) -> int:
    out = summary(scene)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0

    def pct(v):
        return "-" if v is None else f"{v * 100:.1f}%"

    print(translate("cli", "{cases} cases, {open} open, {overdue} overdue").format(
        cases=out["cases"], open=out["open"], overdue=out["overdue"]))
    print(translate("cli", "closed {closed}, on time {on_time}, rework {rework}, extended "
                           "{extended}").format(closed=pct(out["closed_rate"]),
                                                on_time=pct(out["on_time_rate"]),
                                                rework=pct(out["rework_rate"]),
                                                extended=pct(out["extension_rate"])))
    for key in ("by_state", "by_category", "by_unit"):
        print(f"{key}:")
        for k, v in sorted(out[key].items(), key=lambda kv: -kv[1]):
            print(f"    {k}: {v}")
    a = out["alerts"]
    print(translate("cli", "alerts: {firing} firing, {acknowledged} acknowledged, {resolved} "
                           "resolved, {silenced} silenced").format(**a))
    return 0


@_guard
def _transition(args, scene: Path, case_id: str, state: str) -> int:
    store = case_store(scene)
    book = store.book()
    who = args.who or getpass.getuser()
    event = book.transition(case_id, state, who=who, role=args.role, note=args.note,
                            attachment=args.attach)
    print(translate("cli", "{cid}: {src} -> {dst}").format(cid=case_id, src=event.from_state,
                                                           dst=event.to_state))
    return 0


def _buildings(scene: Path, name: str):
    """(attributes with oid, footprints, lon/lat -> layer transform) of the buildings layer."""
    from pyproj import CRS, Transformer

    from twinviewer.io.scene_file import read_scene_file
    from twinviewer.store.scene_cases import read_table

    spec = read_scene_file(scene)
    for layer in spec.layers:
        if layer.name == name:
            break
    else:
        raise LoadError(translate("LoadError", "the scene has no layer named {name!r} "
                                               "(--layer)").format(name=name), scene)
    table = layer.options.get("table")
    df, geoms, crs = read_table(layer.source, table)
    df = df.reset_index().rename(columns={"fid": "oid"})
    to_layer = None
    if crs is not None:
        t = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_user_input(crs), always_xy=True)
        to_layer = t.transform
    return df, geoms, to_layer


@_guard
def _import(args, scene: Path, sheet_path: Path) -> int:
    from twinviewer.core.cases import REPORTED, Case, CaseEvent
    from twinviewer.io.sweep import match_rows, read_sheet

    buildings, footprints, to_layer = _buildings(scene, args.layer)
    sheet = read_sheet(sheet_path)
    plan = match_rows(sheet, buildings, footprints, path=sheet_path, to_layer=to_layer)
    report = {"rows": len(plan.rows), "matched": len(plan.matched), "filed": 0,
              "unmatched": [{"row": r.row, "reason": r.reason} for r in plan.unmatched]}
    if plan.unmatched and not args.partial:
        _print_import(args, report, filed=False)
        return 2
    store = case_store(scene)
    book = store.book()
    who = args.who or getpass.getuser()
    attrs = buildings.set_index("oid")
    centroid = {int(o): (g.centroid.x, g.centroid.y) for o, g in
                zip(buildings["oid"], footprints, strict=True) if g is not None}
    batch = []
    for r in plan.matched:
        v = r.values
        sub = str(v.get("小类") or v.get("隐患类别") or v.get("类别")).strip()
        created = _when(v.get("发现时间") or v.get("发现日期") or v.get("上报时间"))
        case = Case(
            case_id=str(v.get("案件编号") or v.get("隐患编号") or "").strip() or book.new_id(),
            category=str(v.get("类别") or sub).strip(), subcategory=sub,
            level=str(v.get("等级") or "一般").strip() or "一般",
            unit=str(v.get("责任单位") or "").strip(), person=str(v.get("责任人") or "").strip(),
            layer=args.layer, oid=r.oid, x=centroid.get(r.oid, (None, None))[0],
            y=centroid.get(r.oid, (None, None))[1],
            compound=str(attrs.loc[r.oid].get("小区", "") or "") if r.oid in attrs.index else "",
            source="sweep", description=str(v.get("描述") or v.get("隐患描述") or "").strip(),
            created=created)
        batch.append((case, [CaseEvent(case.case_id, created, who, "operator", "", REPORTED,
                                       note=translate("cli", "sweep {file} row {row}").format(
                                           file=sheet_path.name, row=r.row))],
                      f"sweep:{sheet_path.name}:{r.row}"))
    report["filed"] = store.file_cases(batch)
    _print_import(args, report, filed=True)
    return 0


def _when(text) -> str:
    text = str(text or "").strip()
    if text:
        try:
            return _dt.datetime.fromisoformat(text.replace("/", "-")).strftime(
                "%Y-%m-%dT%H:%M:%S")
        except ValueError:
            pass
    return _dt.datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def _print_import(args, report: dict, *, filed: bool) -> None:
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for u in report["unmatched"]:
        print(translate("cli", "row {row}: {reason}").format(**u), file=sys.stderr)
    if filed:
        print(translate("cli", "{filed} cases filed from {matched} of {rows} rows").format(
            **report))
    else:
        print(translate("cli", "{n} of {rows} rows are unmatched: nothing was filed (fix them "
                               "or give --partial)").format(n=len(report["unmatched"]),
                                                           rows=report["rows"]),
              file=sys.stderr)


def run_listen(args) -> int:
    from twinviewer.live.service import listen_command
    return _guard(listen_command)(args)
