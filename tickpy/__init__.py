"""tickpy: Kapacitor's TICKscript, offline.

Stages, in the one direction data flows:
    syntax   source text -> Lark parse tree -> typed AST (tickpy.syntax)
    check    AST -> checked program against Kapacitor's node catalogue (tickpy.check)
    lang     lambdas compiled to Python callables; Go templates (tickpy.lang)
    runtime  points, groups and nodes of a running pipeline (tickpy.runtime)
    alerting alert events, their JSON, topics and handlers (tickpy.alerting)
    cli      click commands that wire the stages together (tickpy.cli)
"""

__version__ = "0.1.0"
