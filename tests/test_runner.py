"""The batch runner: results are handed on as they finish, so an interrupt loses none."""

from __future__ import annotations

import pytest

from sim.runs.executors import InlineExecutor, make_executor
from sim.runs.runner import in_flight_limit, map_batches


def _square_or_stop(batch: list[int]) -> list[int]:
    if 99 in batch:
        raise KeyboardInterrupt
    return [x * x for x in batch]


def test_inline_commits_each_batch_before_the_next_starts():
    got: list[int] = []
    batches = [[1, 2], [3], [99], [4]]
    with pytest.raises(KeyboardInterrupt):
        map_batches(InlineExecutor(), _square_or_stop, batches, got.append)
    assert got == [1, 4, 9], "batches finished before the interrupt must all be handed on"


def test_pool_hands_on_every_result_exactly_once():
    got: list[int] = []
    batches = [[i, i + 100] for i in range(25)]
    with make_executor(2) as ex:
        assert in_flight_limit(ex) == 4, "two batches in flight per worker"
        map_batches(ex, _square_or_stop, batches, got.append)
    assert sorted(got) == sorted(x * x for b in batches for x in b)
