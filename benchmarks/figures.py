"""The figure registry: what each benchmark figure means, its target, and the check.

Every benchmark module registers its figures once, at import::

    from benchmarks.figures import Target, register

    register("tile_frame_ms", "ms", "a frame of the tiled scan, whole set in view",
             suite="tiles", target=Target("<=", 60.0, at=100_000))

and records what it measured as *samples* (one value per repeat) through
:func:`stats`, so every figure carries ``min``, ``median``, ``max`` and ``n``.
A run is saved with :func:`save_run` into one JSON file (default
``benchmarks/last_run.json``) that holds every suite's latest figures::

    {"schema": 2,
     "suites": {"city": {"date": ..., "machine": {...}, "command": ..., "full": true,
                         "figures": {"100000": {"frame_ms": {"min": .., "median": ..,
                                                             "max": .., "n": 45}}},
                         "details": {"100000": {...}}}}}

:func:`check` compares each registered target with the **median** of its figure
(the spread is printed beside it) and says met or missed; ``python -m benchmarks
--check`` exits 1 on any miss.  Suites are found through :data:`SUITE_MODULES`:
a new benchmark module adds its module name there.
"""

from __future__ import annotations

import importlib
import json
import logging
import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

SCHEMA = 2
LAST_RUN = Path(__file__).with_name("last_run.json")
# modules that register figures (imported by the check and the docs generator)
SUITE_MODULES: list[str] = ["benchmarks.city", "benchmarks.suites"]
ANY_N = "-"  # the key of figures that do not depend on an object count


@dataclass(frozen=True)
class Target:
    """A bound on a figure's median: ``op`` is ``"<="`` or ``">="``.

    ``at`` is the object count the target is set for (``None``: every count and
    figures without one).  A run without that count is checked at its largest
    count and the verdict says so.
    """

    op: str
    limit: float
    at: int | None = 100_000

    def met(self, value: float) -> bool:
        if value is None or not math.isfinite(value):
            return False
        return value <= self.limit if self.op == "<=" else value >= self.limit

    def text(self, unit: str) -> str:
        return f"{self.op} {_num(self.limit)}{_unit(unit)}"


@dataclass(frozen=True)
class Figure:
    """One registered figure: its key in the JSON, unit, meaning and target."""

    key: str
    unit: str
    description: str
    suite: str = "city"
    target: Target | None = None
    docs: bool = True  # in the generated docs table


REGISTRY: dict[str, Figure] = {}


def register(key: str, unit: str, description: str, *, suite: str = "city",
             target: Target | None = None, docs: bool = True) -> Figure:
    """Register (or re-register, on re-import) a figure; returns it."""
    fig = Figure(key, unit, description, suite, target, docs)
    REGISTRY[key] = fig
    return fig


def load_suites() -> dict[str, Figure]:
    """Import every module of :data:`SUITE_MODULES` so their figures are registered."""
    for name in SUITE_MODULES:
        try:
            importlib.import_module(name)
        except ImportError as exc:  # a suite whose dependencies are missing here
            log.warning("benchmark suite %s not available: %s", name, exc)
    return REGISTRY


def stats(samples: Iterable[float], scale: float = 1.0) -> dict:
    """``{"min", "median", "max", "n"}`` of the finite samples, times ``scale``."""
    vals = [float(v) * scale for v in samples if v is not None and math.isfinite(float(v))]
    if not vals:
        return {"min": None, "median": None, "max": None, "n": 0}
    return {"min": min(vals), "median": float(statistics.median(vals)), "max": max(vals),
            "n": len(vals)}


def median_of(entry) -> float | None:
    """The median of a stored figure (a stats dict, or a bare number of schema 1)."""
    if isinstance(entry, dict):
        return entry.get("median")
    return entry


# ------------------------------------------------------------------- files
def read_runs(path: Path = LAST_RUN) -> dict:
    """The saved runs (``{"schema": 2, "suites": {...}}``); empty when there is none."""
    if not path.exists():
        return {"schema": SCHEMA, "suites": {}}
    doc = json.loads(path.read_text(encoding="utf-8"))
    if doc.get("schema") != SCHEMA:  # schema 1: {N: {key: median}, "machine": {...}}
        machine = doc.pop("machine", {})
        doc = {"schema": SCHEMA, "suites": {"city": {
            "machine": machine, "date": None, "command": None, "full": False,
            "figures": {n: {k: {"min": v, "median": v, "max": v, "n": 1}
                            for k, v in figs.items()} for n, figs in doc.items()}}}}
    return doc


def save_run(suite: str, figures: dict[str, dict], *, machine: dict, command: str,
             full: bool, details: dict | None = None, date: str | None = None,
             path: Path = LAST_RUN) -> Path:
    """Store one suite's run (``figures``: ``{N or "-": {key: stats}}``) in ``path``,
    keeping the other suites' latest runs."""
    import datetime

    doc = read_runs(path)
    doc["suites"][suite] = {
        "date": date or datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine, "command": command, "full": bool(full),
        "figures": figures, "details": details or {}}
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False, default=float) + "\n",
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------- check
@dataclass
class Verdict:
    figure: Figure
    n: str
    entry: dict | None
    met: bool
    note: str = ""

    @property
    def median(self) -> float | None:
        return median_of(self.entry)

    def line(self) -> str:
        f, e = self.figure, self.entry or {}
        word = "met   " if self.met else "MISSED"
        where = "" if self.n == ANY_N else f" at N={int(self.n):,}"
        if self.median is None:
            got = "not measured"
        else:
            got = (f"median {_num(self.median)}{_unit(f.unit)} (min {_num(e.get('min'))}, "
                   f"max {_num(e.get('max'))}, n={e.get('n', 1)})")
        note = f"  [{self.note}]" if self.note else ""
        return f"{word} {f.suite}:{f.key}{where}: {got}, target {f.target.text(f.unit)}{note}"


def check(doc: dict, suites: Iterable[str] | None = None) -> list[Verdict]:
    """One verdict per registered target of the saved suites (or of ``suites``;
    :func:`all_suites` for every registered one, a suite never run being missed)."""
    load_suites()
    wanted = set(suites) if suites is not None else set(doc.get("suites", {}))
    out = []
    for fig in REGISTRY.values():
        if fig.target is None or fig.suite not in wanted:
            continue
        run = doc.get("suites", {}).get(fig.suite, {})
        figs = run.get("figures", {})
        n, note = _count_for(fig, figs)
        entry = figs.get(n, {}).get(fig.key) if n is not None else None
        if isinstance(entry, (int, float)):
            entry = {"min": entry, "median": entry, "max": entry, "n": 1}
        met = entry is not None and fig.target.met(median_of(entry))
        out.append(Verdict(fig, n or ANY_N, entry, met, note))
    return out


def all_suites() -> set[str]:
    """Every suite with a registered figure."""
    load_suites()
    return {f.suite for f in REGISTRY.values()}


def _count_for(fig: Figure, figs: dict) -> tuple[str | None, str]:
    """Which object count of the run a figure's target is checked at."""
    have = [n for n in figs if fig.key in figs[n]]
    if not have:
        return None, "not in the run"
    if ANY_N in have:
        return ANY_N, ""
    at = fig.target.at
    if at is None or str(at) in have:
        return (str(at) if at is not None else max(have, key=int)), ""
    n = max(have, key=int)
    return n, f"target set for N={at:,}; this run has N={int(n):,} only"


def check_report(verdicts: list[Verdict]) -> str:
    lines = [v.line() for v in verdicts]
    missed = sum(not v.met for v in verdicts)
    lines.append(f"{len(verdicts) - missed} of {len(verdicts)} targets met (on the median; "
                 "min/max are the spread)" + (f", {missed} missed" if missed else ""))
    return "\n".join(lines)


# ------------------------------------------------------------------- formatting
def _unit(unit: str) -> str:
    return "" if not unit else ("x" if unit == "x" else f" {unit}")


def _num(v) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    v = float(v)
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    if abs(v) >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def spread(entry, unit: str = "") -> str:
    """``median (min-max)`` of a stored figure, with its unit."""
    if entry is None:
        return "n/a"
    if not isinstance(entry, dict):
        return f"{_num(entry)}{_unit(unit)}"
    if entry.get("median") is None:
        return "n/a"
    if entry.get("n", 1) <= 1 or entry["min"] == entry["max"]:
        return f"{_num(entry['median'])}{_unit(unit)}"
    return (f"{_num(entry['median'])}{_unit(unit)} "
            f"({_num(entry['min'])}-{_num(entry['max'])})")


@dataclass
class Table:
    """A markdown table of one suite's figures: one column per object count."""

    counts: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def markdown(self, header: str = "figure") -> str:
        heads = [header, *(_count_head(n) for n in self.counts), "target"]
        lines = ["| " + " | ".join(heads) + " |",
                 "|---|" + "---:|" * len(self.counts) + "---|"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines)


def _count_head(n: str) -> str:
    return "any N" if n == ANY_N else f"{int(n):,} objects"


def suite_table(doc: dict, suite: str) -> Table:
    """Every registered docs figure of ``suite`` in the saved run: median (min-max)
    per object count, and the target's verdict."""
    load_suites()
    run = doc["suites"][suite]
    figs = run.get("figures", {})
    counts = sorted((n for n in figs if n != ANY_N), key=int) + (
        [ANY_N] if ANY_N in figs else [])
    verdicts = {v.figure.key: v for v in check(doc, [suite])}
    table = Table(counts)
    for fig in REGISTRY.values():
        if fig.suite != suite or not fig.docs:
            continue
        if not any(fig.key in figs.get(n, {}) for n in counts):
            continue
        cells = [spread(figs.get(n, {}).get(fig.key), fig.unit) for n in counts]
        v = verdicts.get(fig.key)
        target = ""
        if v is not None:
            target = f"{fig.target.text(fig.unit)}: {'met' if v.met else '**missed**'}"
        table.rows.append([f"`{fig.key}` ({fig.description})", *cells, target])
    return table
