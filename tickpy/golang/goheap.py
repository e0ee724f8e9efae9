"""Go's container/heap over a Python list with a `less(a, b)`: the same element moves as Go's,
so the order among elements that compare equal is Go's too (InfluxDB's merge iterators rely on
it for the order of points at the same time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Less = Callable[[Any, Any], bool]


def _up(items: list, j: int, less: Less) -> None:
    while True:
        i = (j - 1) // 2  # parent
        if i == j or j <= 0 or not less(items[j], items[i]):
            break
        items[i], items[j] = items[j], items[i]
        j = i


def _down(items: list, i0: int, n: int, less: Less) -> bool:
    i = i0
    while True:
        j1 = 2 * i + 1
        if j1 >= n or j1 < 0:
            break
        j = j1  # left child
        j2 = j1 + 1
        if j2 < n and less(items[j2], items[j1]):
            j = j2  # right child
        if not less(items[j], items[i]):
            break
        items[i], items[j] = items[j], items[i]
        i = j
    return i > i0


def heap_init(items: list, less: Less) -> None:
    n = len(items)
    for i in range(n // 2 - 1, -1, -1):
        _down(items, i, n, less)


def heap_push(items: list, item: Any, less: Less) -> None:
    items.append(item)
    _up(items, len(items) - 1, less)


def heap_pop(items: list, less: Less) -> Any:
    n = len(items) - 1
    items[0], items[n] = items[n], items[0]
    _down(items, 0, n, less)
    return items.pop()
