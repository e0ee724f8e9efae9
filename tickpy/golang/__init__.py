"""Go's standard-library behaviour, in Python: the one place it lives.

Kapacitor's output is shaped by Go: how strconv prints and parses numbers, how fmt formats,
how time prints durations and dates, how encoding/json writes, how sort orders, how math
rounds, and how text/template and html/template run. Each Go function that tickpy needs is
implemented here once; everything above imports it from here. This package imports nothing
else from tickpy, so a reader can skip it and trust it.

- gotypes        time.Duration, time.Time, int64 wrap-around and float conversions
- gostrings      Go strings as bytes (invalid UTF-8 kept), concatenation, U+FFFD replacement
- goformat       strconv (ParseInt/ParseFloat/ParseBool, FormatFloat), %v, quoting, durations
- goalgorithms   math (exp, log, pow, trig, ...) as Go computes them, bit for bit
- gobessel, gomath   the rest of math, and the lambda-facing wrappers
- gojson         encoding/json's bytes
- gosort         sort.Sort / sort.Stable orderings (pdqsort, insertion sort)
- gohttp         net/http header keys, net/url ports
- gotemplate_*   text/template and html/template: parse, exec, fmt, types, escaping
"""
