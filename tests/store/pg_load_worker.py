"""One editor process of the PostGIS load and fault tests.

``python -m tests.store.pg_load_worker URL TABLE EDITS SEED OUT [--fields F,G] [--rows A:B]
[--refresh P] [--progress FILE]``: loads ``TABLE``, then makes ``EDITS`` single-cell
edits (a unique value each) on random rows/fields, saving after each.  A refused
save (conflict) is settled by keeping theirs; a lost connection is retried with the
same pending edit until it commits.  Writes ``{"committed": [...], "refused": [...]}``.
"""

from __future__ import annotations

import argparse
import json
import random
import time

from twinviewer.core.edits import CommandStack, SetValues
from twinviewer.store import ConflictError, StoreUnavailable
from twinviewer.store.postgis import PostGISStore


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("table")
    p.add_argument("edits", type=int)
    p.add_argument("seed", type=int)
    p.add_argument("out")
    p.add_argument("--fields", default="状态,责任人,隐患类别,编号")
    p.add_argument("--rows", default=None, help="A:B, only rows A..B-1")
    p.add_argument("--refresh", type=float, default=0.5)
    p.add_argument("--progress", default=None)
    args = p.parse_args(argv)

    store = PostGISStore(args.url, user=f"editor{args.seed}")
    layer = store.read_layer(args.table)
    stack = CommandStack()
    stack.declare_schema(layer.name, store.schema(args.table))
    rng = random.Random(args.seed)
    fields = args.fields.split(",")
    lo, hi = (int(v) for v in args.rows.split(":")) if args.rows else (0, len(layer))
    committed, refused, retries = [], [], 0
    oids = layer.table.df["oid"].to_numpy()
    for i in range(args.edits):
        row = rng.randrange(lo, hi)
        field = rng.choice(fields)
        oid = int(oids[row])
        if rng.random() < args.refresh:  # as a live update would have done
            while True:
                try:
                    now = store.fetch(args.table, [oid])[oid][field]
                    break
                except StoreUnavailable:
                    retries += 1
                    time.sleep(0.1)
            layer.table.set_cell(row, field, now)
        value = f"e{args.seed}-{i}"
        stack.push(SetValues(layer, [row], field, value))
        conflict = False
        while True:  # until saved; after a conflict the save writes nothing of this edit
            try:
                store.save(stack)
                if not conflict:
                    committed.append([oid, field, value])
                break
            except ConflictError as exc:
                [c] = exc.conflicts
                conflict = True
                refused.append([oid, field, value, c.theirs])
                store.resolve(exc.conflicts, "theirs")
            except StoreUnavailable:
                retries += 1
                time.sleep(0.1)
        if args.progress:
            with open(args.progress, "w") as fh:
                fh.write(str(i + 1))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump({"committed": committed, "refused": refused, "retries": retries}, fh,
                  ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
