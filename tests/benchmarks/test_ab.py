"""The before/after comparison reads both formats of a saved run."""

from __future__ import annotations

from benchmarks.ab import figures_of, table


def test_both_saved_formats_give_the_same_figures_and_ratio():
    old = {"100000": {"load_s": 2.0, "frame_ms": 200.0}, "machine": {}}
    new = {"schema": 2, "suites": {"city": {"figures": {"100000": {
        "load_s": {"min": 2.5, "median": 3.0, "max": 3.5, "n": 5},
        "frame_ms": {"min": 100.0, "median": 150.0, "max": 180.0, "n": 30},
        "objects": {"median": 105968.0}}}}}}
    before, after = figures_of(old, 100000), figures_of(new, 100000)
    assert before == {"load_s": 2.0, "frame_ms": 200.0}
    assert after["load_s"] == 3.0 and after["frame_ms"] == 150.0
    rows = table([before], [after])
    assert "| `load_s` | 2 | 3 | 1.50 |" in rows
    assert "| `frame_ms` | 200 | 150 | 0.75 |" in rows
    assert not any("rss_mb" in r for r in rows)  # a figure neither side has
