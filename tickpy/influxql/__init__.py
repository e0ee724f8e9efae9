"""InfluxQL: the SELECT statements of Kapacitor's query nodes (parse, print, plan a run).

Pure: no runtime, no I/O. The engine that runs a statement is tickpy.runtime.influxdb.
"""

from tickpy.influxql.ast import SelectStatement
from tickpy.influxql.errors import InfluxQLError, InfluxQLUnsupported
from tickpy.influxql.parser import parse_select, scan_tokens
from tickpy.influxql.plan import QueryPlan, planned_statement, rewrite

__all__ = ["InfluxQLError", "InfluxQLUnsupported", "QueryPlan", "SelectStatement", "parse_select", "planned_statement", "rewrite",
           "scan_tokens"]
