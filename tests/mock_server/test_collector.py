"""The mock's garbage-collection policy (mock_server/collector.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from mock_server import collector


class Node:
    """A container the collector tracks, able to hold a reference cycle."""

    def __init__(self) -> None:
        self.other: Node | None = None


@pytest.fixture
def policy():
    thresholds = gc.get_threshold()
    collector.keep_pauses_short()
    yield
    gc.callbacks[:] = [cb for cb in gc.callbacks if cb is not collector._freeze_survivors]
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def test_objects_that_survive_a_young_collection_are_never_walked_again(policy):
    rows = [Node() for _ in range(1_000)]
    frozen_before = gc.get_freeze_count()
    gc.collect(0)
    assert gc.get_freeze_count() >= frozen_before + len(rows)
    assert gc.get_objects(generation=1) == [] and gc.get_objects(generation=2) == []


def test_a_cycle_already_garbage_at_a_collection_is_still_freed(policy):
    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    del a, b
    gc.collect(0)
    assert alive() is None


def test_applying_the_policy_twice_registers_one_callback(policy):
    collector.keep_pauses_short()
    assert gc.callbacks.count(collector._freeze_survivors) == 1
    assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD
