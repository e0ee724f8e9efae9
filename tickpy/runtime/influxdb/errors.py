"""Errors InfluxDB answers a query with (the embedded engine words them as InfluxDB does)."""


class InfluxDBError(RuntimeError):
    """An error InfluxDB (or the embedded engine) answered a query with."""
