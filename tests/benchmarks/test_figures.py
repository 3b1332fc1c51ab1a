"""The benchmark registry, --check and the docs generator (issue 12), on saved runs."""

from __future__ import annotations

import json

from benchmarks import docs
from benchmarks.figures import check, read_runs, save_run, stats
from benchmarks.run import main


def _run(tmp_path, frame_ratio, rss, counts=("10000", "100000")):
    figs = {n: {"frame_vs_floor": stats(frame_ratio), "rss_mb": stats([rss]),
                "load_s": stats([1.5, 1.6, 1.9]), "frame_ms": stats([0.12, 0.13], 1e3)}
            for n in counts}
    path = tmp_path / "run.json"
    save_run("city", figs, machine={"cpu_count": 2, "vtk": "9.7"}, command="python -m "
             "benchmarks --full", full=True, path=path)
    return path


def test_stats_keep_min_median_max_and_scale():
    s = stats([0.3, 0.1, 0.2, float("nan")], 1e3)
    assert (s["min"], s["median"], s["max"], s["n"]) == (100.0, 200.0, 300.0, 3)
    assert stats([])["median"] is None


def test_a_target_is_met_on_the_median_not_the_best_sample(tmp_path, capsys):
    # best sample under 1.1, median over it: missed
    path = _run(tmp_path, [1.05, 1.2, 1.3], 550.0)
    verdicts = {v.figure.key: v for v in check(read_runs(path))}
    assert not verdicts["frame_vs_floor"].met
    assert verdicts["rss_mb"].met and verdicts["load_s"].met
    assert verdicts["frame_vs_floor"].n == "100000"
    assert main(["--check", "--json", str(path)]) == 1
    out = capsys.readouterr().out
    assert "MISSED city:frame_vs_floor at N=100,000: median 1.20x (min 1.05, max 1.30" in out
    assert "met    city:rss_mb" in out
    # targets of figures the run does not have are missed, not skipped
    assert "MISSED city:pick_ms" in out and "not measured" in out


def test_check_passes_when_every_median_meets_its_target(tmp_path):
    path = tmp_path / "run.json"
    from benchmarks.figures import REGISTRY, load_suites

    load_suites()
    good: dict[str, dict] = {}
    for fig in REGISTRY.values():
        if fig.target is not None:
            v = fig.target.limit * (0.9 if fig.target.op == "<=" else 1.1)
            good.setdefault(fig.suite, {})[fig.key] = stats([v, v, v])
    save_run("city", {"100000": good.pop("city")}, machine={}, command="x", full=True,
             path=path)
    assert main(["--check", "--json", str(path)]) == 1  # the other suites were not run
    for suite, figs in good.items():  # every suite of the registry: all met
        save_run(suite, {"-": figs}, machine={}, command="x", full=True, path=path)
    assert main(["--check", "--json", str(path)]) == 0


def test_a_run_without_100k_is_checked_at_its_largest_count_and_says_so(tmp_path):
    path = _run(tmp_path, [1.0, 1.05], 500.0, counts=("10000",))
    v = {v.figure.key: v for v in check(read_runs(path))}["frame_vs_floor"]
    assert v.met and v.n == "10000" and "100,000" in v.note


def test_docs_replace_only_the_marked_blocks(tmp_path):
    path = _run(tmp_path, [1.05, 1.08, 1.3], 650.0)
    md = tmp_path / "benchmarks.md"
    md.write_text("# B\nkeep\n<!-- figures:city:start -->\nold\n<!-- figures:city:end -->\n"
                  "tail\n", encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text("head\n<!-- figures:start -->\nold table\n<!-- figures:end -->\nend\n",
                      encoding="utf-8")
    changed = docs.regenerate(path, md, readme)
    assert changed == [md, readme]
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# B\nkeep\n") and text.endswith("<!-- figures:city:end -->\ntail\n")
    assert "old" not in text
    assert "| `frame_vs_floor` (" in text and "1.08x (1.05-1.30)" in text
    assert "<= 600 MiB: **missed**" in text and "`python -m benchmarks --full`" in text
    r = readme.read_text(encoding="utf-8")
    assert r.startswith("head\n") and r.endswith("end\n") and "old table" not in r
    assert "| memory after loading" in r and "650 MiB (target <= 600 MiB: missed)" in r
    # a schema-1 file (N -> {key: median}) is still read
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"100000": {"rss_mb": 803.0}, "machine": {}}), encoding="utf-8")
    assert read_runs(old)["suites"]["city"]["figures"]["100000"]["rss_mb"]["median"] == 803.0
