"""The benchmark driver: ``python -m benchmarks [--objects 10000,100000] [--check] [--docs]``.

- With ``--objects`` (or with neither ``--check`` nor ``--docs``): runs the city suite
  for each object count in a fresh subprocess (so ``rss_mb`` is per N), the
  5M-triangle scan and the empty process once in their own subprocesses, prints
  every figure as median (min-max), and saves the run to ``--json`` (default
  ``benchmarks/last_run.json``).
- ``--check``: every registered target against the median of its figure, met or
  missed, exit status 1 on any miss.  Without ``--objects`` it checks the saved
  run in ``--json`` and measures nothing.
- ``--docs``: regenerates the figures tables of docs/benchmarks.md and README.md from
  the saved run (see :mod:`benchmarks.docs`).

The full run the docs show: ``python -m benchmarks --full --check --docs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import city
from benchmarks.common import machine_info, now
from benchmarks.figures import (
    LAST_RUN,
    REGISTRY,
    all_suites,
    check,
    check_report,
    load_suites,
    read_runs,
    save_run,
    spread,
)

FULL_COUNTS = "10000,100000"
FULL = {"repeat": 5, "rounds": 3, "frames": 20}


def _spawn(args: list[str]) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = Path(fh.name)
    try:
        cmd = [sys.executable, "-m", "benchmarks", *args, "--worker-out", str(out)]
        subprocess.run(cmd, check=True)
        return json.loads(out.read_text(encoding="utf-8"))
    finally:
        out.unlink(missing_ok=True)


def report(figures: dict[str, dict], details: dict[str, dict]) -> str:
    """Every city figure as median (min-max) per object count, then the notes."""
    counts = list(figures)
    rows = [(fig.key, fig.unit) for fig in REGISTRY.values() if fig.suite == city.SUITE]
    width = max(len(k) for k, _ in rows) + 2
    cw = max(26, *(len(n) + 2 for n in counts))
    lines = ["N".ljust(width) + "".join(n.rjust(cw) for n in counts),
             "-" * (width + cw * len(counts))]
    for key, unit in rows:
        if not any(key in figures[n] for n in counts):
            continue
        lines.append(key.ljust(width) + "".join(
            spread(figures[n].get(key), unit).rjust(cw) for n in counts))
    for n in counts:
        d = details.get(n, {})
        notes = [f"biggest layer {d.get('biggest_layer')}", f"sort {d.get('sort_column')}",
                 f"filter {d.get('filter_expr')}", f"pieces {d.get('pieces')}",
                 f"picks hit {d.get('pick_hits')}"]
        lines.append(f"N={n}: " + "; ".join(str(x) for x in notes))
    lines.append("median (min-max) of each figure's samples; still frames interleaved with "
                 "the floor's. Redraws are excluded from highlight/toggle/recolour.")
    return "\n".join(lines)


def _counts(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def run(args, argv: list[str]) -> Path:
    """Measure, print and save the city suite; the path of the saved run."""
    from twinviewer.demo.generator import generate_district

    counts = _counts(args.objects)
    common = ["--repeat", str(args.repeat), "--rounds", str(args.rounds),
              "--frames", str(args.frames), "--seed", str(args.seed)]
    figures: dict[str, dict] = {}
    details: dict[str, dict] = {}
    load_at_start = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    t_run = now()
    print("empty process ...", file=sys.stderr, flush=True)
    empty = _spawn(["--worker", "empty", *common])
    print("scan: 5M-triangle PLY ...", file=sys.stderr, flush=True)
    scan = _spawn(["--worker", "scan", *common])
    with tempfile.TemporaryDirectory(prefix="twinviewer-bench-") as tmp:
        for n in counts:
            print(f"generating {n:,} objects ...", file=sys.stderr, flush=True)
            # generated here, so the worker's rss_mb holds no generator memory
            t = now()
            scene_file = generate_district(Path(tmp) / f"district_{n}", objects=n)
            generate_s = now() - t
            print(f"benchmarking {n:,} objects ...", file=sys.stderr, flush=True)
            t = now()
            res = _spawn(["--worker", str(n), "--workdir", str(scene_file), *common])
            # figures that do not depend on N are copied into every N
            figures[str(n)] = {**res["figures"], **scan["figures"], **empty["figures"]}
            details[str(n)] = {**res["details"], **scan["details"], **empty["details"],
                               "generate_s": generate_s, "worker_s": now() - t}
    print(report(figures, details))
    machine = next(iter(details.values()), {}).get("machine") or machine_info()
    machine.update({k: getattr(args, k) for k in ("repeat", "rounds", "frames")})
    # how busy the machine was: timings of a loaded machine are not comparable
    machine["load_average_at_start"] = load_at_start
    machine["load_average_at_end"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    machine["run_s"] = round(now() - t_run, 1)
    for d in details.values():
        d.pop("machine", None)
    full = (set(_counts(FULL_COUNTS)) <= set(counts)
            and all(getattr(args, k) >= v for k, v in FULL.items()))
    command = "python -m benchmarks " + shlex.join(argv)
    path = save_run(city.SUITE, figures, machine=machine, command=command.strip(), full=full,
                    details=details, path=args.json)
    print(f"wrote {path}" + ("" if full else " (not a full run)"), file=sys.stderr)
    return path


def _worker(args) -> int:
    if args.worker == "scan":
        from benchmarks import scan

        res = scan.measure(min(args.repeat, 3))
    elif args.worker == "empty":
        from benchmarks.memory_report import EMPTY_FRAME, empty_worker

        stages = {name: st["rss"] for name, st in empty_worker()["stages"].items()}
        res = {"figures": {"empty_rss_mb": city.stats([stages[EMPTY_FRAME]])},
               "details": {"empty_stages_mb": stages}}
    else:
        res = city.worker(args.workdir, args.repeat, args.frames, 100 if args.frames > 8
                          else 30, args.seed, rounds=args.rounds)
    args.worker_out.write_text(json.dumps(res, default=float), encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--objects", help=f"comma-separated object counts (default {FULL_COUNTS} "
                                      "when measuring)")
    ap.add_argument("--full", action="store_true",
                    help=f"the documented run: --objects {FULL_COUNTS} --repeat "
                         f"{FULL['repeat']} --rounds {FULL['rounds']} --frames {FULL['frames']}")
    ap.add_argument("--repeat", type=int, default=3, help="fresh-plotter loads (default 3)")
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds of interleaved frames (default 2)")
    ap.add_argument("--frames", type=int, default=15, help="camera steps per round (default 15)")
    ap.add_argument("--quick", action="store_true",
                    help="1 load, 1 round of 8 frames, 30 picks (smoke run)")
    ap.add_argument("--json", type=Path, default=LAST_RUN,
                    help="where the run is saved / read (default benchmarks/last_run.json)")
    ap.add_argument("--check", action="store_true",
                    help="check every target against the median; exit 1 on a miss")
    ap.add_argument("--docs", action="store_true",
                    help="regenerate the figures of docs/benchmarks.md and README.md")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)  # the worker's scene file
    ap.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    if args.full:
        args.objects = args.objects or FULL_COUNTS
        for k, v in FULL.items():
            setattr(args, k, max(getattr(args, k), v))
    if args.quick:
        args.repeat, args.rounds, args.frames = 1, 1, 8
    args.repeat, args.rounds, args.frames = (max(1, args.repeat), max(1, args.rounds),
                                             max(2, args.frames))
    if args.worker:  # one measurement in this (fresh) process
        return _worker(args)

    if args.objects or not (args.check or args.docs):
        args.objects = args.objects or FULL_COUNTS
        run(args, argv)
    status = 0
    if args.check:
        load_suites()
        verdicts = check(read_runs(args.json), all_suites())  # a suite never run: missed
        print(check_report(verdicts))
        status = 1 if any(not v.met for v in verdicts) or not verdicts else 0
    if args.docs:
        from benchmarks import docs

        for path in docs.regenerate(args.json):
            print(f"updated {path}", file=sys.stderr)
    return status
