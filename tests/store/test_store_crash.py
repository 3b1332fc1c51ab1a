"""Crash safety and two writers: SIGKILL a real ``twinviewer apply`` at random moments."""

from __future__ import annotations

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyogrio
import pytest

from tests.store.conftest import make_store, one_error_line, run_cli
from twinviewer.store.geometry import register_functions

N = 20_000
ROUNDS = 50


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Path]:
    """A store of N objects and a spreadsheet that changes two fields of every one."""
    folder = tmp_path_factory.mktemp("crash")
    store = make_store(folder, n=N)
    lines = ["layer,oid,名称,状态"] + [f"设施,{i},批量{i},损坏" for i in range(N)]
    csv = folder / "全部.csv"
    csv.write_text("\n".join(lines), encoding="utf-8")
    return store, csv


def outcome(path: Path) -> str:
    """'all', 'none' or a description of a half-written store."""
    con = sqlite3.connect(path)  # a hot journal left by the kill is rolled back here
    try:
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            return f"integrity_check: {check}"
        renamed = con.execute("SELECT count(*) FROM \"设施\" WHERE \"名称\" LIKE '批量%'") \
            .fetchone()[0]
        has_log = con.execute("SELECT 1 FROM sqlite_master WHERE name = "
                              "'twinviewer_edit_log'").fetchone()
        logged = con.execute("SELECT count(*) FROM twinviewer_edit_log").fetchone()[0] \
            if has_log else 0
    finally:
        con.close()
    if pyogrio.read_info(path, layer="设施")["features"] != N:
        return "GDAL reads a different object count"
    if renamed == 0 and logged == 0:
        return "none"
    if renamed == N and logged > 0:
        return "all"
    return f"half: {renamed} renamed, {logged} logged"


def apply_process(store: Path, csv: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "twinviewer", "apply", str(store), str(csv)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_at_random_moments_leaves_all_or_nothing(batch, tmp_path):
    base, csv = batch
    full = tmp_path / "full.gpkg"
    shutil.copy(base, full)
    t0 = time.perf_counter()
    assert apply_process(full, csv).wait(120) == 0
    duration = time.perf_counter() - t0
    assert outcome(full) == "all"

    rng = random.Random(4)
    delays = [rng.uniform(0.02, duration * 1.1) for _ in range(ROUNDS)]

    def one_round(k: int) -> tuple[str, bool, int | None]:
        path = tmp_path / f"round{k}.gpkg"
        shutil.copy(base, path)
        proc = apply_process(path, csv)
        if k % 2:  # odd rounds: once SQLite's rollback journal exists, i.e. mid-write
            journal = Path(str(path) + "-journal")
            deadline = time.perf_counter() + 60
            while not journal.exists() and proc.poll() is None and \
                    time.perf_counter() < deadline:
                time.sleep(0.002)
            time.sleep(delays[k] * 0.1)
        else:  # even rounds: any moment, start-up and commit included
            time.sleep(delays[k])
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(60)
        hot = Path(str(path) + "-journal").exists()
        result = outcome(path)
        path.unlink()
        return result, hot, code

    # two at a time: the delays were drawn from an unloaded run, and more processes
    # than cores would stretch every run so that few kills land inside the transaction
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one_round, range(ROUNDS)))
    outcomes = [r[0] for r in results]
    assert set(outcomes) <= {"all", "none"}, [o for o in outcomes if o not in ("all", "none")]
    killed = sum(1 for r in results if r[2] == -signal.SIGKILL)
    mid_transaction = sum(1 for r in results if r[1])
    assert killed >= ROUNDS // 2, results
    assert mid_transaction >= 1, results  # some kills did land inside the transaction


def test_second_writer_waits_then_fails_clearly(batch, tmp_path):
    base, _csv = batch
    store = tmp_path / "s.gpkg"
    shutil.copy(base, store)
    csv = tmp_path / "one.csv"
    csv.write_text("layer,oid,状态\n设施,1,待修\n", encoding="utf-8")
    holder = sqlite3.connect(store, isolation_level=None)
    register_functions(holder)  # a GeoPackage's triggers call ST_IsEmpty & co.
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE \"设施\" SET \"名称\" = '第一个编辑' WHERE oid = 2")
    t0 = time.perf_counter()
    proc = run_cli("apply", store, csv)
    waited = time.perf_counter() - t0
    line = one_error_line(proc)
    assert "locked by another program (waited 3 s)" in line and waited >= 3.0
    holder.execute("COMMIT")
    holder.close()
    con = sqlite3.connect(store)
    assert con.execute("SELECT \"状态\" FROM \"设施\" WHERE oid = 1").fetchone()[0] == "损坏"
    con.close()


def test_second_writer_waits_for_the_first_and_sees_its_edits(batch, tmp_path):
    base, _csv = batch
    store = tmp_path / "s.gpkg"
    shutil.copy(base, store)
    csv = tmp_path / "one.csv"
    csv.write_text("layer,oid,状态\n设施,1,待修\n", encoding="utf-8")
    holder = sqlite3.connect(store, isolation_level=None, check_same_thread=False)
    register_functions(holder)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE \"设施\" SET \"名称\" = '第一个编辑' WHERE oid = 2")
    threading.Timer(1.0, lambda: holder.execute("COMMIT")).start()
    proc = run_cli("apply", store, csv)
    assert proc.returncode == 0, proc.stderr
    # two writer processes at once: both land, one after the other
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("layer,oid,状态\n" + "".join(f"设施,{i},待修\n" for i in range(100, 3000)),
                 encoding="utf-8")
    b.write_text("layer,oid,名称\n" + "".join(f"设施,{i},乙{i}\n" for i in range(100, 3000)),
                 encoding="utf-8")
    procs = [apply_process(store, a), apply_process(store, b)]
    assert [p.wait(60) for p in procs] == [0, 0]
    con = sqlite3.connect(store)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT \"名称\" FROM \"设施\" WHERE oid = 2").fetchone()[0] == "第一个编辑"
    assert con.execute("SELECT \"状态\", \"名称\" FROM \"设施\" WHERE oid = 500").fetchone() == \
        ("待修", "乙500")
    already = sum(1 for i in range(100, 3000) if i % 3 == 2)  # already 待修: not logged
    assert con.execute("SELECT count(*) FROM twinviewer_edit_log").fetchone()[0] == \
        1 + 2900 + 2900 - already
    con.close()
    holder.close()
