"""Go's `sort.Sort` (pattern-defeating quicksort, Go 1.19 and later), reproduced so that elements
that compare equal end up in the same order as in Kapacitor.

InfluxDB's percentile and mode sort points by value with `sort.Sort`, which is not stable:
the point a percentile selects among equal values (its tags and other fields are output) and
the value mode picks among equally frequent ones depend on where the sort leaves ties.
Up to 12 elements Go uses a (stable) insertion sort; beyond that the order of ties follows the
algorithm below, step by step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_MASK64 = (1 << 64) - 1
_INSERTION_MAX = 12
_NINTHER_MIN = 50
_MAX_SWAPS = 4 * 3
_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2

# The shifts of the xorshift64 that breakPatterns draws from. Go 1.19 shipped (13, 17, 5) (the
# Go that Debian's InfluxDB 1.6.7 is built with); later Go uses (13, 7, 17). Only inputs with
# many equal elements reach breakPatterns, and then the order of the ties differs.
XORSHIFT_GO_1_19 = (13, 17, 5)
XORSHIFT_LATER = (13, 7, 17)


def go_sort(items: list, less: Callable[[Any, Any], bool], xorshift: tuple[int, int, int] = XORSHIFT_LATER) -> None:
    """Sort `items` in place exactly as Go's sort.Sort would with this `less`."""
    n = len(items)
    if n <= 1:
        return
    _Sorter(items, less, xorshift).pdqsort(0, n, n.bit_length())


def sorted_by_value(points: list, xorshift: tuple[int, int, int] = XORSHIFT_LATER) -> list:
    """A copy of `(time, value, source)` entries ordered by value as Go's sort.Sort orders them."""
    ordered = list(points)
    go_sort(ordered, _value_less, xorshift)
    return ordered


def _value_less(a, b) -> bool:
    return a[1] < b[1]


class _Sorter:
    __slots__ = ("data", "less", "shifts")

    def __init__(self, data: list, less: Callable[[Any, Any], bool], shifts: tuple[int, int, int]):
        self.data = data
        self.less = less
        self.shifts = shifts

    # -- element helpers (indices into data) --

    def lt(self, i: int, j: int) -> bool:
        return self.less(self.data[i], self.data[j])

    def swap(self, i: int, j: int) -> None:
        data = self.data
        data[i], data[j] = data[j], data[i]

    # -- small sorts --

    def insertion_sort(self, a: int, b: int) -> None:
        data, less = self.data, self.less
        for i in range(a + 1, b):
            j = i
            while j > a and less(data[j], data[j - 1]):
                data[j], data[j - 1] = data[j - 1], data[j]
                j -= 1

    def sift_down(self, lo: int, hi: int, first: int) -> None:
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.lt(first + child, first + child + 1):
                child += 1
            if not self.lt(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def heap_sort(self, a: int, b: int) -> None:
        first, lo, hi = a, 0, b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, first)
        for i in range(hi - 1, -1, -1):
            self.swap(first, first + i)
            self.sift_down(lo, i, first)

    # -- pdqsort --

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        was_balanced = True
        was_partitioned = True
        while True:
            length = b - a
            if length <= _INSERTION_MAX:
                self.insertion_sort(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not was_balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == _DECREASING:
                self.reverse_range(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = _INCREASING
            if was_balanced and was_partitioned and hint == _INCREASING:
                if self.partial_insertion_sort(a, b):
                    return
            if a > 0 and not self.lt(a - 1, pivot):
                # many elements equal to the pivot: put them first and skip them
                a = self.partition_equal(a, b, pivot)
                continue
            mid, already_partitioned = self.partition(a, b, pivot)
            was_partitioned = already_partitioned
            left, right = mid - a, b - mid
            threshold = length // 8
            if left < right:
                was_balanced = left >= threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                was_balanced = right >= threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a: int, b: int, pivot: int) -> tuple[int, bool]:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.lt(i, a):
            i += 1
        while i <= j and not self.lt(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i += 1
        j -= 1
        while True:
            while i <= j and self.lt(i, a):
                i += 1
            while i <= j and not self.lt(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a: int, b: int, pivot: int) -> int:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.lt(a, i):
                i += 1
            while i <= j and self.lt(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i += 1
            j -= 1

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        max_steps, shortest_shifting = 5, 50
        i = a + 1
        for _ in range(max_steps):
            while i < b and not self.lt(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < shortest_shifting:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:  # move the smaller one left
                j = i - 1
                while j >= 1:
                    if not self.lt(j, j - 1):
                        break
                    self.swap(j, j - 1)
                    j -= 1
            if b - i >= 2:  # move the greater one right
                j = i + 1
                while j < b:
                    if not self.lt(j, j - 1):
                        break
                    self.swap(j, j - 1)
                    j += 1
        return False

    def break_patterns(self, a: int, b: int) -> None:
        length = b - a
        if length < 8:
            return
        state = length
        modulus = 1 << length.bit_length()
        middle = a + (length // 4) * 2
        first, second, third = self.shifts
        for index in range(middle - 1, middle + 2):
            state ^= (state << first) & _MASK64
            state ^= state >> second
            state ^= (state << third) & _MASK64
            other = state & (modulus - 1)
            if other >= length:
                other -= length
            self.swap(index, a + other)

    def choose_pivot(self, a: int, b: int) -> tuple[int, int]:
        length = b - a
        swaps = [0]
        i = a + length // 4 * 1
        j = a + length // 4 * 2
        k = a + length // 4 * 3
        if length >= 8:
            if length >= _NINTHER_MIN:
                i = self.median(i - 1, i, i + 1, swaps)
                j = self.median(j - 1, j, j + 1, swaps)
                k = self.median(k - 1, k, k + 1, swaps)
            j = self.median(i, j, k, swaps)
        if swaps[0] == 0:
            return j, _INCREASING
        if swaps[0] == _MAX_SWAPS:
            return j, _DECREASING
        return j, _UNKNOWN

    def order2(self, a: int, b: int, swaps: list) -> tuple[int, int]:
        if self.lt(b, a):
            swaps[0] += 1
            return b, a
        return a, b

    def median(self, a: int, b: int, c: int, swaps: list) -> int:
        a, b = self.order2(a, b, swaps)
        b, c = self.order2(b, c, swaps)
        a, b = self.order2(a, b, swaps)
        return b

    def reverse_range(self, a: int, b: int) -> None:
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1
