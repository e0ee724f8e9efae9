"""Go's sort.Sort order of ties, which decides which point percentile selects (and mode's
tie-breaks) in windows of more than 12 points."""

from __future__ import annotations

import random

from tests.runtime.test_window import T0, S, build
from tickpy.golang.gosort import go_sort
from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions


def key_less(a, b):
    return a[0] < b[0]


def test_go_sort_sorts_every_input():
    rng = random.Random(7)
    for size in list(range(0, 40)) + [64, 100, 257, 1000]:
        for distinct in (2, 5, size or 1):
            items = [(rng.randrange(distinct), index) for index in range(size)]
            ordered = list(items)
            go_sort(ordered, key_less)
            assert sorted(ordered) == sorted(items)  # a permutation
            assert all(ordered[i][0] <= ordered[i + 1][0] for i in range(len(ordered) - 1))
            # already sorted and reversed inputs (the pattern-defeating paths)
            for start in (sorted(items), sorted(items, reverse=True)):
                again = list(start)
                go_sort(again, key_less)
                assert [k for k, _ in again] == sorted(k for k, _ in items)


def test_up_to_twelve_elements_ties_keep_their_order():
    rng = random.Random(3)
    for size in range(13):
        items = [(rng.randrange(3), index) for index in range(size)]
        ordered = list(items)
        go_sort(ordered, key_less)
        assert ordered == sorted(items, key=lambda item: item[0])


def test_thirteen_elements_ties_follow_go_partitioning():
    # Twelve equal keys then a smaller one. Traced through Go's pdqsort: the pivot (index 6)
    # is swapped to the front, the small element swapped to index 1, then the pivot back
    # to index 1, and insertion sort leaves the rest.
    items = [(1, index) for index in range(12)] + [(0, 12)]
    go_sort(items, key_less)
    assert [index for _, index in items] == [12, 6, 2, 3, 4, 5, 0, 7, 8, 9, 10, 11, 1]


def test_percentile_selects_the_point_go_would_among_equal_values():
    points = [BatchPoint(T0 + i * S, {"value": 1.0}, {"id": str(i)}) for i in range(12)]
    points.append(BatchPoint(T0 + 12 * S, {"value": 0.0}, {"id": "12"}))
    node, out = build("InfluxQLNode", "percentile", args=("value", 50.0), wants="batch")
    node.batch(BatchMessage("m", {}, Dimensions(), T0 + 20 * S, points))
    [point] = out.points
    # rank floor(13 * 0.5 + 0.5) - 1 = 6 of Go's order above: the first point
    assert point.tags == {"id": "0"} and point.fields == {"percentile": 1.0}
