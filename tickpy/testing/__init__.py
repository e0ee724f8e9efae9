"""Unit tests for TICKscripts, no server needed.

Test files (`*.tickpy.yaml`, run by `tickpy test` and by pytest through the `tickpy` plugin) are
described in docs/testing.md. For tests written in Python:

    from tickpy.testing import run_script, points, series

    run = run_script(script_text, points('''
        cpu,host=a usage_idle=50 0s
        cpu,host=a usage_idle=5 10s
    '''))
    run.alerts            # AlertEvent objects, in order (level, id, message, time_ns, tags, fields, ...)
    run.counts()          # {"CRITICAL": 1}
    run.deliveries        # {"tcp 127.0.0.1:7777": [Delivery(alert={...}), ...]}: what each handler received
    run.httpout           # {"endpoint": {"series": [...]}}
    run.influxdb_lines    # influxDBOut's line protocol

    series("cpu", lambda t: 50 - t, start="0s", stop="1m", every="10s", tags={"host": "a"},
           field="usage_idle")   # one point per 10 s, value from the function of seconds since start

`run_test_file(path)` runs a test file and returns one CaseResult per case.
"""

from __future__ import annotations

__all__ = ["run_script", "ScriptRun", "points", "series", "Delivery", "run_test_file", "CaseResult"]


def __getattr__(name: str):
    # deferred: start-up (pytest loads tickpy.testing.pytest_plugin, and so this package, in every
    # project; the harness and runner, ~0.75 s, load on first use of a name below)
    if name in ("run_script", "ScriptRun"):
        from tickpy.testing import harness

        return getattr(harness, name)
    if name in ("points", "series"):
        from tickpy.testing import inputs as module

        return getattr(module, name)
    if name == "Delivery":
        from tickpy.testing.recorders import Delivery

        return Delivery
    if name == "CaseResult":
        from tickpy.testing.runner import CaseResult

        return CaseResult
    if name == "run_test_file":
        return run_test_file
    raise AttributeError(f"module 'tickpy.testing' has no attribute {name!r}")


def run_test_file(path: str, scripts_dir: str | None = None) -> list:
    """Run every case of a test file; a list of CaseResult (`.ok`, `.status`, `.mismatches`)."""
    # deferred: start-up (as in __getattr__)
    from tickpy.testing.runner import run_case
    from tickpy.testing.spec import load_test_file

    return [run_case(case) for case in load_test_file(path, scripts_dir)]
