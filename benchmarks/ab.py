"""Before and after on one host: ``python -m benchmarks.ab BEFORE [--runs 3] [--objects N]``.

Checks out commit ``BEFORE`` into a temporary git worktree beside the checkout (so its
``../shared`` is the same folder), then runs the city suite of that commit and of this
checkout alternately, ``--runs`` times each, every run in a fresh process with the
same interpreter.  Each side runs its own benchmark code on its own generated district,
so only figures both sides define are compared: the median of each side's run
medians and their ratio (after / before).  Nothing in ``benchmarks/last_run.json`` is
touched.  Run it on a quiet machine; each pair takes ~3 minutes at 100k objects.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def figures_of(saved: dict, objects: int) -> dict[str, float]:
    """One run's figures, from either format of the saved run.

    Before the figure registry a run was ``{"N": {figure: value}}``; since, it is
    ``{"suites": {"city": {"figures": {"N": {figure: {"median": ...}}}}}}``.
    """
    if "suites" in saved:
        raw = saved["suites"]["city"]["figures"][str(objects)]
    else:
        raw = saved[str(objects)]
    return {k: float(v["median"] if isinstance(v, dict) else v) for k, v in raw.items()
            if isinstance(v, (int, float, dict))}


def run_side(folder: Path, objects: int, out: Path) -> dict[str, float]:
    subprocess.run([sys.executable, "-m", "benchmarks", "--objects", str(objects),
                    "--json", str(out)], cwd=folder, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return figures_of(json.loads(out.read_text(encoding="utf-8")), objects)


def table(before: list[dict], after: list[dict]) -> list[str]:
    """The figures every run of both sides has, in the order of the later side's."""
    lines = ["| figure | before (runs) | after (runs) | after / before |", "|---|---|---|---:|"]
    common = set.intersection(*(set(r) for r in before + after))
    for key in (k for k in after[0] if k in common):
        b, a = [r[key] for r in before], [r[key] for r in after]
        mb, ma = statistics.median(b), statistics.median(a)
        ratio = f"{ma / mb:.2f}" if mb else ""
        lines.append(f"| `{key}` | {' / '.join(f'{x:.3g}' for x in b)} | "
                     f"{' / '.join(f'{x:.3g}' for x in a)} | {ratio} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ab", description=__doc__.split("\n")[0])
    ap.add_argument("before", help="the commit to compare this checkout with")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--objects", type=int, default=100_000)
    args = ap.parse_args(argv)
    old = ROOT.parent / f".{ROOT.name}-before-{args.before[:12]}"
    with tempfile.TemporaryDirectory(prefix="twinviewer-ab-") as tmp:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(old),
                        args.before], check=True)
        try:
            before, after = [], []
            for i in range(args.runs):  # alternately, so both sides see the same host
                before.append(run_side(old, args.objects, Path(tmp) / f"b{i}.json"))
                after.append(run_side(ROOT, args.objects, Path(tmp) / f"a{i}.json"))
                print(f"pair {i + 1} of {args.runs} done", file=sys.stderr)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old)],
                           check=False)
    print(f"{args.objects:,} objects, {args.before} (before) against this checkout (after):")
    print("\n".join(table(before, after)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
