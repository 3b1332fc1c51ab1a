"""The subsystem suites (tiles, ground, live, analysis) in the one figure registry.

Each suite's ``main`` measures as before and hands its figures to :func:`record`,
which saves them in ``benchmarks/last_run.json`` beside the city suite's, so
``python -m benchmarks --check`` says met or missed for every target of every suite
(a suite never run is missed: "not in the run") and ``--docs`` tables them.
Targets that depend on the run (the tiles' RSS bound is base + budget + 15 %) are
checked as ratios to that bound, with target <= 1.
"""

from __future__ import annotations

import sys

from benchmarks.figures import ANY_N, Target, register, save_run, stats

_ANY = None  # a target that holds whatever the object count

# suite -> [(key, unit, description, op, limit)]
SUITES: dict[str, list[tuple[str, str, str, str, float]]] = {
    "tiles": [
        ("open_s", "s", "open a village tileset -> first complete frame", "<=", 2.0),
        ("frame_vs_floor", "x", "frame while flying / the same drawn triangles as one mesh",
         "<=", 1.2),
        ("rss_vs_target", "x", "peak RSS over a flythrough / (base + budget) x 1.15", "<=", 1.0),
        ("jump_full_detail_s", "s", "full detail after a jump across the village", "<=", 3.0),
        ("pick_ms", "ms", "a 单体化 pick on the scan", "<=", 2.0),
        ("highlight_100_extra_ms", "ms", "highlighting 100 scanned buildings, beyond one frame",
         "<=", 20.0),
    ],
    "ground": [
        ("first_frame_s", "s", "10,000^2 DEM + orthophoto: open -> first complete frame",
         "<=", 2.0),
        ("frame_vs_floor", "x", "ground frame / the drawn triangles as one mesh", "<=", 1.2),
        ("rss_vs_target", "x", "RSS / (base + tiles budget)", "<=", 1.0),
        ("base_heights_100k_ms", "ms", "100k objects set on the terrain", "<=", 300.0),
    ],
    "live": [
        ("cases_figures_ms", "ms", "case figures over 100,000 case events", "<=", 200.0),
        ("lost", "", "sensor readings published but not recorded", "<=", 0.0),
        ("frame_ratio", "x", "frame with 500 msg/s / without traffic", "<=", 1.1),
        ("event_to_highlight_p99_ms", "ms", "sensor event -> highlight on screen, p99",
         "<=", 1000.0),
    ],
    "analysis": [
        ("sunlight_s", "s", "sunlight, demo's 463 buildings, every floor, 15-min steps",
         "<=", 10.0),
        ("coverage_s", "s", "coverage of 139 cameras", "<=", 5.0),
        ("height_limit_ms", "ms", "height-limit check over 100k objects", "<=", 100.0),
    ],
}

for _suite, _figs in SUITES.items():
    for _key, _unit, _desc, _op, _limit in _figs:
        register(_key if _suite == "city" else f"{_suite}.{_key}", _unit, _desc, suite=_suite,
                 target=Target(_op, _limit, at=_ANY))


def record(suite: str, figures: dict, *, full: bool, machine: dict | None = None) -> None:
    """Save a suite's run: its targeted figures (one sample each) and all it measured."""
    from benchmarks.common import machine_info

    keyed = {}
    for key, *_ in SUITES[suite]:
        value = figures.get(key)
        keyed[f"{suite}.{key}"] = stats([value] if isinstance(value, int | float) else [])
    plain = {k: v for k, v in figures.items() if isinstance(v, int | float | str | bool)}
    save_run(suite, {ANY_N: keyed}, machine=machine or machine_info(),
             command=f"python -m benchmarks.{suite} " + " ".join(sys.argv[1:]), full=full,
             details=plain)
