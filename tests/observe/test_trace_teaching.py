"""`tickpy run --trace` for teaching (QA pass 2): stats/deadman ticks get a line of their own,
derivative and join say why nothing was passed on, handler reports follow the trace block of
the point that raised the event, and a level expression evaluated twice is said to be."""

from __future__ import annotations

import re

from tests.observe.helpers import tickpy
from tests.observe.test_trace import script, trace_blocks

SECOND = 1_000_000_000


def test_deadman_tick_and_first_derivative_are_explained(tmp_path):
    tick = script(tmp_path, """stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |deadman(1.0, 1m)
""")
    # host a: points at 0s, 10s, 70s; host b: 0s. The first tick (aligned) is at 1m, reached at 70s.
    data = tmp_path / "d.lp"
    data.write_text("cpu,host=a v=1 0\ncpu,host=b v=1 0\ncpu,host=a v=1 10000000000\ncpu,host=a v=1 70000000000\n"
                    "cpu,host=a v=1 130000000000\n")
    result = tickpy("run", tick, data, "--trace")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    assert "stats2" not in blocks[3]
    tick_line = next(line for line in blocks[4].splitlines() if "stats2:" in line)
    # Counted before the point at 70s is processed: a has 2 points, b has 1.
    assert tick_line.startswith("  stats2: tick at 1970-01-01T00:01:00Z")
    assert "host=a: emitted=2" in tick_line and "host=b: emitted=1" in tick_line
    lines = blocks[4].splitlines()
    first = [line for line in lines if "derivative4:" in line]
    assert len(first) == 2 and all(line.startswith("    derivative4: first point of host=") for line in first)
    assert "nothing to compare it with yet" in first[0]
    # At 2m host a has 3 points (one more than at 1m): a rate of 1 per minute.
    second = [line for line in blocks[5].splitlines() if "derivative4:" in line]
    assert any("passed on: emitted=1 ((3 - 2) per 1m0s" in line for line in second)


def test_join_trace_says_what_it_waits_for_after_rounding(tmp_path):
    tick = script(tmp_path, """var errors = stream
    |from()
        .measurement('errors')
var requests = stream
    |from()
        .measurement('requests')
errors
    |join(requests)
        .as('errors', 'requests')
        .tolerance(1s)
        .fill(0.0)
    |log()
""")
    data = tmp_path / "j.lp"
    data.write_text(f"errors v=8 {10 * SECOND}\nrequests v=100 {10 * SECOND + SECOND // 2}\n"
                    f"errors v=1 {20 * SECOND}\n")
    result = tickpy("run", tick, data, "--trace")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    # 10.5s rounds to 11s, not 10s: two sets, each waiting for the other parent.
    assert "join4: waiting for from2 at 1970-01-01T00:00:10Z (rounded to 1s)" in blocks[1]
    assert "waiting for from1 at 1970-01-01T00:00:11Z (rounded to 1s)" in blocks[2]
    assert ("set at 1970-01-01T00:00:10Z (rounded to 1s) emitted without from2: its fields filled with 0.0"
            in blocks[3])


def test_handler_report_follows_the_block_of_its_point(tmp_path):
    # +Inf cannot be written as JSON: the log handler fails at once (Kapacitor: failed to marshal)
    tick = script(tmp_path, f"""stream
    |from()
        .measurement('cpu')
    |eval(lambda: "v" / 0.0)
        .as('r')
    |alert()
        .crit(lambda: "r" > 0)
        .log('{tmp_path / "alerts.log"}')
""")
    data = tmp_path / "a.lp"
    data.write_text("".join(f"cpu v=1 {i * SECOND}\n" for i in range(4)))
    result = tickpy("run", tick, data, "--trace")
    assert result.returncode == 1, result.stderr  # not delivered
    lines = result.stderr.decode().splitlines()
    failures = [i for i, line in enumerate(lines) if "not delivered" in line]
    assert failures
    for index in failures:
        # the trace block of the point that raised the event comes before the report of its delivery
        event_time = re.search(r" at (\S+Z) not delivered", lines[index]).group(1)
        header = next(i for i, line in enumerate(lines) if line.startswith("point ") and f"({event_time})" in line)
        assert header < index
        block = lines[header:index]
        assert any("event raised: CRITICAL" in line and "handed to 1 handler: .log()" in line for line in block)
    assert not any("event sent" in line for line in lines)


def test_captured_slack_line_follows_the_block(tmp_path):
    tick = script(tmp_path, """stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "v" > 0)
        .stateChangesOnly()
        .slack()
""")
    data = tmp_path / "s.lp"
    data.write_text(f"cpu v=0 0\ncpu v=1 {SECOND}\ncpu v=1 {2 * SECOND}\n")
    result = tickpy("run", tick, data, "--trace", "--topics")
    assert result.returncode == 0, result.stderr
    lines = result.stderr.decode().splitlines()
    captured = next(i for i, line in enumerate(lines) if "captured (not sent)" in line)
    raised = next(i for i, line in enumerate(lines) if "event raised: CRITICAL" in line)
    # after the whole block of point 2 (the delivery thread may even come after point 3's)
    assert raised < captured
    # the alert line ends point 2's block: what follows is the capture or the next block
    assert lines[raised + 1] == lines[captured] or lines[raised + 1].startswith("point 3: ")
    # Kapacitor collects an alert node's events in its anonymous topic main:<task>:<node>
    assert re.search(r"^main:task:alert2\s+CRITICAL\s+1\s", result.stderr.decode(), re.M)
    assert "topics: none" not in result.stderr.decode()


def test_level_evaluated_twice_and_error_recovery_are_said(tmp_path):
    tick = script(tmp_path, """stream
    |from()
        .measurement('cpu')
    |alert()
        .warn(lambda: "usage" > 70)
        .crit(lambda: "usage" > 90)
""")
    data = tmp_path / "m.lp"
    data.write_text(f"cpu usage=95 0\ncpu idle=5 {SECOND}\n")
    result = tickpy("run", tick, data, "--trace", "--stats")
    assert result.returncode == 1, result.stderr  # a node error dropped a point
    block = trace_blocks(result.stderr)[2]
    # determineLevel: CRITICAL (the current level) is checked, then again from CRITICAL down, then WARNING
    assert block.count("-> error") == 2 and "[evaluated again:" in block
    assert "an error counts as false, and as one more node error" in block
    assert "level OK (was CRITICAL) (an expression that fails counts as false" in block
    assert re.search(r"alert2 .*errors=3\b", result.stderr.decode())


def test_stats_say_which_counters_are_tickpys(tmp_path):
    tick = script(tmp_path, "stream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
                            "        .crit(lambda: \"v\" > 0)\n")
    result = tickpy("run", tick, "-", "--stats", stdin=b"cpu v=1 0\n")
    assert result.returncode == 0, result.stderr
    text = result.stderr.decode()
    assert "events_suppressed is tickpy's own counter" in text and "avg_exec_time_ns" in text
    help_text = " ".join(tickpy("run", "--help").stdout.decode().split())
    assert "plus tickpy's own events_suppressed" in help_text
    assert "avg_exec_time_ns is not measured" in help_text


def test_graph_text_and_mermaid_show_what_from_selects_and_alert_levels(tmp_path):
    tick = script(tmp_path, """stream
    |from()
        .measurement('errors')
        .groupBy('host')
    |window()
        .period(90s)
        .every(1m)
    |count('v')
    |alert()
        .crit(lambda: "count" > 5)
        .log('/tmp/x.log')
""")
    text = tickpy("graph", "--format", "text", tick).stdout.decode().splitlines()
    assert text[1] == "  from1 |from().measurement('errors').groupBy('host')"
    assert text[2] == "    window2 |window().period(90s).every(1m)"
    assert text[4] == '        alert4 |alert().crit(lambda: "count" > 5).log(\'/tmp/x.log\')'
    mermaid = tickpy("graph", "--format", "mermaid", tick).stdout.decode()
    assert "from1[\"|from().measurement('errors').groupBy('host')\"]" in mermaid
    assert 'alert4["|alert().crit(lambda: #quot;count#quot; > 5).log(\'/tmp/x.log\')"]' in mermaid
    dot = tickpy("graph", tick).stdout.decode()
    assert "measurement" not in dot  # DOT stays as kapacitor show prints it
