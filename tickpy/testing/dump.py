"""The state dump of a failed case: what the task held when the run ended, and the trace of the
points around the first difference.

The case is run again (runs are deterministic), observed: per node, what it holds per group
(an alert node's level, history and flapping; a window's buffered points), the last message
each node was handed, and `tickpy run --trace`'s lines for the points around the time of the
first difference (the last three points up to it and the next one).

    state_dump(case, points, mismatches, run) -> list[str]
"""

from __future__ import annotations

import re
from typing import Any

from tickpy.golang.gotime import format_time_rfc3339nano
from tickpy.observe.observer import RunObserver
from tickpy.observe.trace import point_text
from tickpy.testing.compare import Mismatch
from tickpy.testing.harness import ScriptRun, run_script
from tickpy.testing.spec import TestCase
from tickpy.testing.times import format_offset

__all__ = ["state_dump"]

POINTS_BEFORE = 3
_SECTION = re.compile(r"alerts|topics\['[^']*'\]")
_EVENT_INDEX = re.compile(r"^(alerts|topics\['[^']*'\])\[(\d+)\]")
_UNEXPECTED = re.compile(r"event #(\d+) of the run")


def _first_difference_time(mismatches: list[Mismatch], run: ScriptRun) -> int | None:
    """The time of the event the first difference is about, when it is about an event."""
    for mismatch in mismatches:
        found = _EVENT_INDEX.match(mismatch.where)
        unexpected = _UNEXPECTED.match(mismatch.label)  # an event of the run that no item expected
        if found is not None:
            section, index = found.group(1), int(found.group(2))
        elif unexpected is not None and _SECTION.fullmatch(mismatch.where):
            section, index = mismatch.where, int(unexpected.group(1))
        else:
            continue
        topic = section[len("topics['"):-2] if section != "alerts" else None
        events = run.alerts if topic is None else [event for event in run.alerts if event.topic == topic]
        if events:
            return events[min(index, len(events) - 1)].time_ns
    return None


def _message_text(msg: Any, show_time) -> str:
    if hasattr(msg, "points"):  # a batch
        return (f"batch {msg.name} ({len(msg.points)} point{'s' if len(msg.points) != 1 else ''}) "
                f"at {show_time(msg.tmax)}")
    if hasattr(msg, "fields"):
        return f"point {point_text(msg.name, msg.tags, dict(msg.fields), msg.time)} ({show_time(msg.time)})"
    return f"{type(msg).__name__} at {show_time(getattr(msg, 'time', 0))}"


def state_dump(case: TestCase, points: list, mismatches: list[Mismatch], run: ScriptRun,
               handlers: list[str]) -> list[str]:
    """The dump's lines (see the module docstring); `handlers` are the case's handler files."""
    if case.relative_times:
        def show_time(ns: int) -> str:
            return format_offset(ns, case.start_ns)
    else:
        show_time = format_time_rfc3339nano
    blocks: list[str] = []
    observer = RunObserver(trace=True, trace_write=blocks.append)
    run_script(case.source or "", list(points), path=case.script_path, task_name=case.task_name,
               dbrp=case.dbrp, handlers=handlers, config=case.config,
               variables=case.variables, flush=case.flush, task_type=case.task_type,
               clock_start=case.clock_start_ns, clock_until=case.clock_until_ns, observer=observer)
    observer.finish(run.task_name)
    lines: list[str] = []
    task = observer.task
    if task is not None:
        held = [(node.label, text) for node in task.nodes for text in node.describe_state(show_time)]
        if held:
            lines.append("state at the end of the run:")
            lines.extend(f"  {label} {text}" for label, text in held)
        seen = [(watch.label, watch.last) for watch in observer.watches.values() if watch.last is not None]
        if seen:
            lines.append("the last message each node was handed:")
            lines.extend(f"  {label}: {_message_text(msg, show_time)}" for label, msg in seen)
    numbered = [block for block in blocks if block.startswith("point ")]
    if numbered:
        lines.extend(_trace_around(numbered, points, _first_difference_time(mismatches, run), show_time))
    return lines


def _trace_around(blocks: list[str], points: list, when: int | None, show_time) -> list[str]:
    by_number = {int(block.split(":", 1)[0].split()[1]): block for block in blocks}
    numbers = sorted(by_number)
    if when is None:
        chosen = numbers[-POINTS_BEFORE:]
        heading = f"trace of the last {len(chosen)} points:"
    else:
        upto = [n for n in numbers if points[n - 1].time is not None and points[n - 1].time <= when]
        after = [n for n in numbers if n not in upto]
        chosen = upto[-POINTS_BEFORE:] + after[:1]
        heading = f"trace of the points around the first difference ({show_time(when)}):"
    lines = [heading]
    for number in chosen:
        lines.extend("  " + line for line in by_number[number].splitlines())
    return lines
