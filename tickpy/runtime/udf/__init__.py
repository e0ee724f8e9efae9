"""User-defined functions: Kapacitor's UDF agents (processes and sockets speaking udf.proto) and
tickpy's in-process Python UDFs. See docs/udf.md."""
