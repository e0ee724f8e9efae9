"""Python UDFs for tickpy: `@tickpy.udf.function(...)` declares one; see docs/udf.md.

    import tickpy.udf as udf

    @udf.function(wants="stream", provides="stream", options={"field": "string", "as": "string"})
    class double:
        def __init__(self, options):
            self.field, self.name = options["field"], options.get("as", "double")
        def point(self, point):
            return udf.Point(point.time, {self.name: 2 * point.fields[self.field]}, point.tags, point.name,
                             group=point.group, dimensions=point.dimensions)

A script calls it as `@double().field('value')`, run with `tickpy run --udf-module mymodule ...`
or a `[udf.functions.double] module = "mymodule:double"` section of --config.
"""

from tickpy.runtime.udf.inprocess import Batch, Begin, End, Point, UDFDefinition, function

__all__ = ["Batch", "Begin", "End", "Point", "UDFDefinition", "function"]
