"""A query's result as the batches Kapacitor makes of it (edge.ResultToBufferedBatches, and the
query node's batch time, batch.go's doQuery):

- one batch per series, named as the series, its tags the series' tags, grouped by all of them
  (sorted) and by the measurement when the node has `.groupByMeasurement()`;
- a row becomes a point with the row's non-null values as fields (numbers as float64: Kapacitor's
  client reads JSON numbers so), the series' tags as its tags; a row with only nulls is dropped;
- the batch's time is its last point's time when the query is grouped by time and has points,
  otherwise the end of the query's range. A series whose rows are all null is an empty batch,
  as a running Kapacitor task emits it.

    result_batches(series, by_measurement, grouped_by_time, query_stop) -> list[BatchMessage]

`series` are anything with name, tags, columns, values (time in ns in the first column).
"""

from __future__ import annotations

from collections.abc import Iterable

from tickpy.runtime.messages import BatchMessage, BatchPoint, Dimensions

__all__ = ["result_batches"]


def _value(value):
    # json.Number -> Float64 in Kapacitor; bools and strings stay as they are
    if type(value) is int:
        return float(value)
    return value


def result_batches(series: Iterable, by_measurement: bool, grouped_by_time: bool, query_stop: int) -> list[BatchMessage]:
    batches = []
    for one in series:
        tags = dict(one.tags or {})
        columns = list(one.columns)
        points = []
        last = None
        for row in one.values:
            fields = {column: _value(value) for column, value in zip(columns[1:], row[1:]) if value is not None}
            if not fields:
                continue
            time = row[0]
            if last is None or time > last:
                last = time
            points.append(BatchPoint(time, fields, tags))
        tmax = last if grouped_by_time and last is not None else query_stop
        batches.append(BatchMessage(one.name, tags, Dimensions(by_measurement, tuple(sorted(tags))), tmax, points))
    return batches
