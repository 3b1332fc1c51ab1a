"""Regenerate the figures in docs/benchmarks.md and README.md from the saved run.

``python -m benchmarks --docs`` (or ``python -m benchmarks.docs [--json FILE]``)
replaces, in place, the text between marker comments:

- docs/benchmarks.md: ``<!-- figures:SUITE:start -->`` ... ``<!-- figures:SUITE:end -->``
  gets every registered figure of SUITE (median and spread per object count, the
  target and its verdict), stamped with the run's date, machine and command;
- README.md: ``<!-- figures:start -->`` ... ``<!-- figures:end -->`` gets the short
  table of the city suite (:data:`README_ROWS`).

Suites without markers in docs/benchmarks.md are skipped (add the two markers where
their table belongs).  Nothing outside the markers is touched.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from benchmarks.figures import LAST_RUN, _num, check, read_runs, spread, suite_table

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
README = ROOT / "README.md"
SCALE = "100000"  # the README shows the city-scale column

# (label, figure, naive figure or None)
README_ROWS = [
    ("open scene -> first frame", "load_s", "naive_10k_build_s"),
    ("frame, whole district in view (labels, view cones)", "frame_ms", "naive_10k_frame_ms"),
    ("&nbsp; the same frame / plain-mesh floor (interleaved)", "frame_vs_floor", None),
    ("frame while the camera moves", "frame_moving_ms", None),
    ("pick (click -> object)", "pick_ms", "naive_pick_ms"),
    ("highlight 5,000 objects (redraw apart)", "highlight_5000_ms", None),
    ("sort / filter a 100,000 x 20 table", ("table_sort_ms", "table_filter_ms"), None),
    ("memory after loading (empty process with EGL: see right)", "rss_mb", "empty_rss_mb"),
]


def stamp(run: dict) -> str:
    m = run.get("machine", {})
    gl = m.get("opengl_renderer_string", "OpenGL renderer unknown")
    what = (f"{m.get('cpu_count', '?')} cores, {gl}, VTK {m.get('vtk', '?')}, "
            f"pyvista {m.get('pyvista', '?')}, Python {m.get('python', '?')}, "
            f"{m.get('platform', '')}")
    la, lb = m.get("load_average_at_start"), m.get("load_average_at_end")
    if la is not None:
        what += f"; load average {la:.1f} at the start, {lb:.1f} at the end"
    if m.get("run_s"):
        what += f", {m['run_s'] / 60:.0f} min"
    full = "" if run.get("full") else " **Not a full run** (see the command)."
    return (f"Run of {run.get('date') or 'unknown date'} on {what}; "
            f"`{run.get('command') or 'unknown command'}`.{full}")


def suite_block(doc: dict, suite: str) -> str:
    run = doc["suites"][suite]
    table = suite_table(doc, suite)
    return (f"{stamp(run)} Each cell: median (min-max) of the samples; a target is met "
            f"when the median meets it.\n\n{table.markdown()}")


def readme_block(doc: dict) -> str:
    run = doc["suites"]["city"]
    figs = run["figures"]
    n = SCALE if SCALE in figs else max(figs, key=int)
    f = figs[n]
    verdicts = {v.figure.key: v for v in check(doc, ["city"])}

    def cell(key) -> str:
        if isinstance(key, tuple):
            return " / ".join(cell(k) for k in key)
        from benchmarks.figures import REGISTRY

        unit = REGISTRY[key].unit if key in REGISTRY else ""
        text = spread(f.get(key), unit)
        v = verdicts.get(key)
        if v is not None:
            text += f" (target {v.figure.target.text(unit)}: {'met' if v.met else 'missed'})"
        return text

    objects = f.get("objects", {}).get("median")
    lines = [f"{stamp(run)} Median (min-max); full table, definitions and the memory "
             "breakdown in [docs/benchmarks.md](docs/benchmarks.md).", "",
             f"| | {_num(objects) if objects else n} objects | naive (one actor per object) |",
             "|---|---:|---:|"]
    for label, key, naive in README_ROWS:
        keys = key if isinstance(key, tuple) else (key,)
        if not all(k in f for k in keys):
            continue
        other = ""
        if naive and naive in f:
            other = cell(naive)
            if naive.startswith("naive_10k"):
                other += " for 10,000 objects"
            if naive == "empty_rss_mb":
                other = f"empty process: {spread(f.get(naive), 'MiB')}"
        lines.append(f"| {label} | {cell(key)} | {other} |")
    return "\n".join(lines)


def replace_between(text: str, start: str, end: str, body: str) -> tuple[str, bool]:
    pat = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if not pat.search(text):
        return text, False
    return pat.sub(lambda _m: f"{start}\n{body}\n{end}", text, count=1), True


def regenerate(json_path: Path = LAST_RUN, docs: Path = DOCS, readme: Path = README) -> list[Path]:
    """Rewrite the marked blocks from the run saved in ``json_path``; the changed files."""
    doc = read_runs(json_path)
    if not doc["suites"]:
        raise SystemExit(f"{json_path}: no saved run; run python -m benchmarks first")
    changed = []
    if docs.exists():
        text = docs.read_text(encoding="utf-8")
        new = text
        for suite in doc["suites"]:
            new, _ = replace_between(new, f"<!-- figures:{suite}:start -->",
                                     f"<!-- figures:{suite}:end -->", suite_block(doc, suite))
        if new != text:
            docs.write_text(new, encoding="utf-8")
            changed.append(docs)
    if readme.exists():
        text = readme.read_text(encoding="utf-8")
        new = text
        if "city" in doc["suites"]:
            new, _ = replace_between(new, "<!-- figures:start -->", "<!-- figures:end -->",
                                     readme_block(doc))
        for suite in doc["suites"]:  # the subsystem suites: the same table as the docs'
            if suite != "city":
                new, _ = replace_between(new, f"<!-- figures:{suite}:start -->",
                                         f"<!-- figures:{suite}:end -->",
                                         suite_block(doc, suite))
        if new != text:
            readme.write_text(new, encoding="utf-8")
            changed.append(readme)
    return changed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.docs", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", type=Path, default=LAST_RUN)
    args = ap.parse_args(argv)
    for path in regenerate(args.json):
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
