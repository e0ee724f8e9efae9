"""Go's container/heap: the order it gives elements that compare equal.

The expected order was read from a real influxd (InfluxDB 1.6.7): five series with points at
the same two times, `SELECT v FROM m` merged by its sorted-merge iterator, a container/heap of
the series ordered by time only (so equal times come out in the heap's own order):
values 1..5 at t=10 and 11..15 at t=20 came back as 1 5 2 4 3 14 13 11 12 15."""

from tickpy.golang.goheap import heap_init, heap_pop, heap_push


def test_equal_elements_come_out_in_gos_order():
    streams = [[(10, n), (20, 10 + n)] for n in range(1, 6)]
    items = [[stream, 0] for stream in streams]

    def less(a, b):
        return a[0][a[1]][0] < b[0][b[1]][0]

    heap_init(items, less)
    out = []
    while items:
        item = heap_pop(items, less)
        out.append(item[0][item[1]][1])
        item[1] += 1
        if item[1] < len(item[0]):
            heap_push(items, item, less)
    assert out == [1, 5, 2, 4, 3, 14, 13, 11, 12, 15]


def test_a_heap_pops_in_order():
    items = [5, 3, 9, 1, 7, 1]
    heap_init(items, lambda a, b: a < b)
    assert [heap_pop(items, lambda a, b: a < b) for _ in range(6)] == [1, 1, 3, 5, 7, 9]
