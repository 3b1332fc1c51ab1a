"""Concurrent editors and a server restart: no lost update, nothing doubled or lost.

8 editor processes x ``TWINVIEWER_PG_LOAD_EDITS`` edits (default 500, the figure
of issue 7: about 16 s on a 2-core machine) on the 41 objects x 4 fields of the
demo's hazards layer, so editors collide all the time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from tests.store.pg_fixtures import *  # noqa: F403 (fixtures: pg_cluster, pg_db, twin)
from tests.store.pg_fixtures import ROOT
from twinviewer.store.postgis import PostGISStore

EDITORS = 8
EDITS = int(os.environ.get("TWINVIEWER_PG_LOAD_EDITS", "500"))
FIELDS = ("状态", "责任人", "隐患类别", "编号")


def start_editor(url: str, seed: int, edits: int, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.store.pg_load_worker", url, "hazards",
                             str(edits), str(seed), str(out), *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(procs: list[subprocess.Popen], timeout: float = 300) -> None:
    for p in procs:
        out, _ = p.communicate(timeout=timeout)
        assert p.returncode == 0, out


def check_history(url: str, original: dict, results: list[dict]) -> dict:
    """Every committed edit once in table and log, every refused one nowhere, no lost update."""
    store = PostGISStore(url)
    committed = [tuple(c) for r in results for c in r["committed"]]
    refused = [tuple(c) for r in results for c in r["refused"]]
    entries = [e for e in store.log(layer="hazards") if e.field in FIELDS]
    counts = Counter((e.oid, e.field, e.new) for e in entries)
    assert all(counts[c] == 1 for c in committed), "a committed edit is missing or doubled"
    assert sum(counts.values()) == len(committed), "the log holds edits nobody committed"
    values = {v for _, _, v, *_ in refused}
    assert not values & {e.new for e in entries}, "a refused edit was written"
    chains = defaultdict(list)
    for e in entries:
        chains[(e.oid, e.field)].append(e)
    now = store.fetch("hazards")
    for (oid, field), chain in chains.items():
        expected = original[oid][field]
        for e in chain:  # each write started from the value the previous one left
            assert e.old == expected, f"lost update on {oid}/{field}"
            expected = e.new
        assert now[oid][field] == expected
    return {"committed": len(committed), "refused": len(refused)}


def test_eight_editors_no_lost_update(twin, tmp_path):
    original = PostGISStore(twin).fetch("hazards")
    t0 = time.perf_counter()
    procs = [start_editor(twin, seed, EDITS, tmp_path / f"e{seed}.json")
             for seed in range(EDITORS)]
    finish(procs)
    elapsed = time.perf_counter() - t0
    results = [json.loads((tmp_path / f"e{s}.json").read_text(encoding="utf-8"))
               for s in range(EDITORS)]
    for r in results:
        assert len(r["committed"]) + len(r["refused"]) == EDITS
    figures = check_history(twin, original, results)
    assert figures["committed"] > 0 and figures["refused"] > 0
    print(f"\n{EDITORS} editors x {EDITS} edits: {figures['committed']} committed, "
          f"{figures['refused']} refused as conflicts, {elapsed:.1f} s")


def test_server_restart_mid_save_loop(twin, pg_cluster, tmp_path):
    original = PostGISStore(twin).fetch("hazards")
    listener = PostGISStore(twin).listen()
    n = 120
    procs = [start_editor(twin, s, n, tmp_path / f"f{s}.json", "--rows", f"{s * 20}:{s * 20 + 20}",
                          "--progress", str(tmp_path / f"p{s}"))
             for s in range(2)]
    for k in range(2):  # two restarts, each once the editors are well into their loops
        deadline = time.monotonic() + 120
        while True:
            done = [int(p.read_text() or 0) if p.exists() else 0
                    for p in (tmp_path / "p0", tmp_path / "p1")]
            if min(done) >= 30 * (k + 1) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        pg_cluster.restart()
    finish(procs)
    results = [json.loads((tmp_path / f"f{s}.json").read_text(encoding="utf-8"))
               for s in range(2)]
    assert all(len(r["committed"]) == n and not r["refused"] for r in results)
    check_history(twin, original, results)
    polled = [listener.poll(timeout=0.2) for _ in range(20)]
    assert None in polled, "the listener never noticed the dropped connection"
    assert listener.connected
    listener.close()
