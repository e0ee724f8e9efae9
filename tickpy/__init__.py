"""tickpy: Kapacitor's TICKscript, offline.

Layers, bottom first; each imports only from those below it (tests/test_architecture.py):
    golang       Go's standard-library behaviour (strconv, fmt, time, json, sort, math, templates)
    diagnostics  positioned errors and warnings; filenames: shared file-name conventions
    syntax       source text -> Lark parse tree -> typed AST
    lang         lambdas: type checking, compilation to Python callables
    check        AST -> checked pipeline against Kapacitor's node catalogue; alert templates
    runtime      points, groups and nodes of a running pipeline; the alert node's events
    alerting     the alert service: topics, handler files, handlers, delivery
    observe      stats, graphs, traces and explanations of a run
    api          the stable Python API (parse, check, run with RunOptions)
    testing      `tickpy test`: test files, recorders, the pytest plugin
    cli          click commands that only wire the API to the terminal
"""

__version__ = "0.1.0"
