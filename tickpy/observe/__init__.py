"""Seeing what a script does: per-node stats and the annotated DOT graph of a run
(`tickpy run --stats`, `--graph-out`), a trace of each point through the nodes
(`tickpy run --trace`), the pipeline in plain sentences (`tickpy explain`), and the progress
line of long runs on a terminal.

Modules: observer (what `tickpy run` wires in), probes (edge probes, only in observed runs),
stats, trace, explain, progress.
"""
