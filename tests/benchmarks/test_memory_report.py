"""The memory report's own measures: resident pages by mapping, tables' real bytes."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from benchmarks.common import rss_mb
from benchmarks.memory_report import smaps, table_bytes


def test_smaps_groups_add_up_to_the_resident_memory():
    groups = smaps()
    assert groups.get("anonymous: [heap]", 0) + groups.get("anonymous: mmap / arenas", 0) > 0
    assert abs(sum(groups.values()) - rss_mb()) < 0.1 * rss_mb()


def test_table_bytes_counts_a_shared_string_once():
    text = "".join(["街道", "办事处"])
    shared = pd.DataFrame({"a": np.array([text] * 1000, dtype=object)})
    own = pd.DataFrame({"a": np.array(["".join(["街道", "办事处"]) for _ in range(1000)],
                                      dtype=object)})
    one = sys.getsizeof(text)
    assert table_bytes(shared) == shared.index.memory_usage() + 8 * 1000 + one
    assert table_bytes(own) == own.index.memory_usage() + 8 * 1000 + 1000 * one
    nums = pd.DataFrame({"h": np.arange(1000, dtype=np.float64)})
    assert table_bytes(nums) == nums.index.memory_usage() + 8000
