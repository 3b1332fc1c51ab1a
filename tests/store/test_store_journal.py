"""The recovery journal: unsaved edits written atomically, restored on freshly opened layers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.store.conftest import make_store
from twinviewer.core.edits import (
    AddField,
    AddPoint,
    CommandStack,
    DeleteField,
    DeleteObjects,
    MovePoint,
    RenameField,
    SetValues,
)
from twinviewer.io.vector import read_vector
from twinviewer.store import (
    GeoPackageStore,
    StoreError,
    read_journal,
    restore_journal,
    write_journal,
)


def _points(layer) -> dict:
    b = layer.batches[0]
    oids = layer.table.oid
    return {int(oids[r]): tuple(p) for r, p in zip(b.rows.tolist(), b.points.tolist(),
                                                    strict=True)}


def _edit(layer, stack, store):
    stack.push(SetValues(layer, np.arange(len(layer)), "状态", "待修", label="全部待修"))
    stack.push(SetValues(layer, [1, 2], "高度", [7.5, None]))
    stack.push(AddField(layer, "责任人", "text", "张三"))
    stack.push(RenameField(layer, "名称", "设施名称"))
    stack.push(DeleteField(layer, "层数"))
    stack.push(AddPoint(layer, [350_100.0, 3_455_100.0, 0.0], {"类别": "垃圾桶"},
                        oid=store.next_oid("设施")))
    stack.push(MovePoint(layer, 4, [350_004.0, 3_455_004.0, 0.0]))
    stack.push(DeleteObjects(layer, [0, 9]))


def test_journal_restores_pending_edits_after_a_crash(tmp_path):
    path = make_store(tmp_path)
    store = GeoPackageStore(path)
    layer = read_vector(path)[0]
    stack = CommandStack({layer.name: store.schema("设施")})
    _edit(layer, stack, store)
    journal_path = tmp_path / "district.gpkg.journal"
    assert write_journal(stack, journal_path, store=path)
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
    # "crash": open the store again, as saved, and restore
    journal = read_journal(journal_path)
    assert journal.header["store"] == str(path) and journal.labels[0] == "全部待修"
    fresh = read_vector(path)[0]
    stack2 = CommandStack({fresh.name: store.schema("设施")})
    assert restore_journal(journal, [fresh], stack2) == []
    pd.testing.assert_frame_equal(fresh.table.df, layer.table.df, check_dtype=False)
    assert _points(fresh) == _points(layer)
    assert stack2.labels == stack.labels
    store.save(stack2)
    assert read_vector(path)[0].table.df["状态"].tolist() == layer.table.df["状态"].tolist()
    # nothing pending: no journal
    assert not write_journal(stack2, journal_path) and not journal_path.exists()


def test_journal_of_undone_saved_edits(tmp_path):
    path = make_store(tmp_path)
    store = GeoPackageStore(path)
    original = read_vector(path)[0]
    layer = read_vector(path)[0]
    stack = CommandStack({layer.name: store.schema("设施")})
    _edit(layer, stack, store)
    store.save(stack)
    while stack.can_undo:  # back to the imported state, but not saved
        stack.undo()
    journal_path = tmp_path / "j.jsonl"
    write_journal(stack, journal_path)
    fresh = read_vector(path, table="设施")[0]  # holds the saved edits
    stack2 = CommandStack({layer.name: store.schema("设施")})
    problems = restore_journal(read_journal(journal_path), {layer.name: fresh}, stack2)
    assert problems == []
    cols = list(original.table.df.columns)
    pd.testing.assert_frame_equal(
        fresh.table.df[cols].sort_values("oid").reset_index(drop=True),
        original.table.df.sort_values("oid").reset_index(drop=True), check_dtype=False)
    assert _points(fresh) == _points(original)
    store.save(stack2)
    reread = read_vector(path)[0]
    assert sorted(reread.table.oid.tolist()) == sorted(original.table.oid.tolist())


def test_journal_problems_are_reported_not_raised(tmp_path):
    path = make_store(tmp_path)
    layer = read_vector(path)[0]
    stack = CommandStack()
    stack.push(SetValues(layer, [3], "名称", "甲"))
    stack.push(DeleteObjects(layer, [5]))
    journal_path = tmp_path / "j.jsonl"
    write_journal(stack, journal_path)
    fresh = read_vector(path)[0]
    fresh.table.df = fresh.table.df[fresh.table.df["oid"] != 5].reset_index(drop=True)
    problems = restore_journal(read_journal(journal_path), [fresh], CommandStack())
    assert len(problems) == 1 and "has no object 5" in problems[0]
    assert restore_journal(read_journal(journal_path), [], CommandStack())[0].endswith(
        "is not open")


def test_damaged_journal(tmp_path):
    bad = tmp_path / "j.jsonl"
    bad.write_text('{"journal": "twinviewer", "version": 1, "steps": 2}\n{"op": "set"}\n')
    with pytest.raises(StoreError, match="incomplete"):
        read_journal(bad)
    bad.write_text("{not json")
    with pytest.raises(StoreError, match="damaged"):
        read_journal(bad)
    assert read_journal(tmp_path / "none.jsonl") is None
