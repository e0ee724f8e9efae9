"""`tickpy run --trace`: what each node did with each point, checked against the sample data."""

from __future__ import annotations

import re

from tests.observe.helpers import SAMPLES, sample_points, tickpy

CPU = SAMPLES / "cpu.lp"


def trace_blocks(stderr: bytes) -> dict[int, str]:
    """Input point number -> its trace block (header and node lines)."""
    blocks: dict[int, str] = {}
    current = None
    for line in stderr.decode().splitlines():
        match = re.match(r"point (\d+): ", line)
        if match:
            current = int(match.group(1))
            blocks[current] = line
        elif current is not None and line.startswith("  "):
            blocks[current] += "\n" + line
        else:
            current = None
    return blocks


def script(tmp_path, text: str, name: str = "task.tick"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_where_drop_shows_the_lambda_and_its_value(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
  |where(lambda: "usage_idle" < 80)
  |log()
""")
    result = tickpy("run", tick, CPU, "--trace")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    points = sample_points(CPU)
    assert len(blocks) == len(points)
    for number, (name, tags, fields, _) in enumerate(points, 1):
        block = blocks[number]
        assert f"host={tags['host']}" in block.splitlines()[0]
        if name != "cpu":  # Kapacitor hands the task only the measurement its from() selects
            assert block.splitlines()[1] == (f"  reached no node: Kapacitor hands the task only the measurements "
                                             f"its from() nodes select ('cpu'), not '{name}'")
            assert "from1" not in block
        elif fields["usage_idle"] < 80:
            assert f'where2: passed: "usage_idle" < 80 is true (usage_idle={fields["usage_idle"]:g})' in block
            assert "log3: passed on" in block
        else:
            assert f'where2: dropped: "usage_idle" < 80 is false (usage_idle={fields["usage_idle"]:g})' in block
            assert "log3" not in block


def expected_levels(threshold: float) -> list[tuple[int, str, str]]:
    """(point number, level, previous level of its host) for each cpu point, grouped by host."""
    last: dict[str, str] = {}
    out = []
    for number, (name, tags, fields, _) in enumerate(sample_points(CPU), 1):
        if name != "cpu":
            continue
        level = "CRITICAL" if fields["usage_idle"] < threshold else "OK"
        out.append((number, level, last.get(tags["host"], "OK")))
        last[tags["host"]] = level
    return out


def test_state_changes_only_suppression_is_explained_and_counted(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .crit(lambda: "usage_idle" < 10)
    .stateChangesOnly()
""")
    result = tickpy("run", tick, CPU, "--trace", "--stats")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    suppressed = sent = 0
    for number, level, previous in expected_levels(10):
        block = blocks[number]
        assert f'CRITICAL "usage_idle" < 10 -> {"true" if level == "CRITICAL" else "false"}' in block
        if level == previous == "CRITICAL":
            assert "no event: no state change under stateChangesOnly (still CRITICAL)" in block
            suppressed += 1
        elif level != previous:
            assert f"level {level} (was {previous})" in block
            assert f"event raised: {level} (previous {previous})" in block
            sent += 1
        else:
            assert "no event: OK without a previous problem" in block
    assert suppressed > 0 and sent > 0  # the sample exercises both
    stats = result.stderr.decode()
    assert re.search(rf"alert2 .*alerts_triggered={sent}\b", stats)
    assert re.search(rf"alert2 .*events_suppressed={suppressed}\b", stats)
    assert f"stateChangesOnly: {suppressed}" in stats


def test_no_recoveries_is_the_reason_a_recovery_is_not_sent(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |alert()
    .crit(lambda: "usage_idle" < 10)
    .noRecoveries()
""")
    result = tickpy("run", tick, CPU, "--trace")
    blocks = trace_blocks(result.stderr)
    recoveries = [number for number, level, previous in expected_levels(10) if level == "OK" and previous == "CRITICAL"]
    assert recoveries
    for number in recoveries:
        assert "no event: recovery not sent (noRecoveries)" in blocks[number]


def test_lambda_error_on_missing_field_shows_point_and_expression(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
  |where(lambda: "usage_idel" < 80)
""")
    result = tickpy("run", tick, CPU, "--trace")
    assert result.returncode == 1, result.stderr  # the node errors dropped points
    blocks = trace_blocks(result.stderr)
    points = sample_points(CPU)
    for number, (name, tags, fields, time_ns) in enumerate(points, 1):
        if name != "cpu":
            continue
        line = next(line for line in blocks[number].splitlines() if "where2:" in line)
        assert "error:" in line and "usage_idel" in line
        assert 'expression: "usage_idel" < 80 (missing: usage_idel)' in line
        point = line.split("; point: ")[1].removesuffix("; dropped")
        assert point.startswith(f"cpu,cpu={tags['cpu']},host={tags['host']} ")
        assert f"usage_idle={fields['usage_idle']:g}" in point and point.endswith(f" {time_ns}")
        assert line.endswith("; dropped")
    # Each error is in its point's trace, not repeated as a log line; the summary counts them.
    cpu_points = sum(1 for name, *_ in points if name == "cpu")
    assert b"lvl=error" not in result.stderr
    assert f"{cpu_points} node errors".encode() in result.stderr


def test_alert_level_error_shows_missing_field_and_goes_on_to_next_level(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "usage_idel" < 10)
    .warn(lambda: "usage_idle" < 50)
""")
    result = tickpy("run", tick, CPU, "--trace")
    blocks = trace_blocks(result.stderr)
    for number, (name, _tags, fields, _) in enumerate(sample_points(CPU), 1):
        if name != "cpu":
            continue
        block = blocks[number]
        assert 'CRITICAL "usage_idel" < 10 -> error:' in block
        assert "(missing: usage_idel); point: cpu," in block
        warn = fields["usage_idle"] < 50
        assert f'WARNING "usage_idle" < 50 -> {"true" if warn else "false"} (usage_idle={fields["usage_idle"]:g})' in block


def test_trace_filter_selects_the_points_traced(tmp_path):
    result = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--trace-filter", "\"host\" == 'server02'")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    wanted = [n for n, (_, tags, _, _) in enumerate(sample_points(CPU), 1) if tags.get("host") == "server02"]
    assert sorted(blocks) == wanted


def test_bad_trace_filter_is_a_usage_error(tmp_path):
    result = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--trace-filter", '"host" ==')
    assert result.returncode == 2
    assert b"--trace-filter" in result.stderr and b"Traceback" not in result.stderr


def test_window_buffered_then_emitted(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |window()
    .period(20s)
    .every(20s)
  |count('usage_idle')
""")
    result = tickpy("run", tick, CPU, "--trace", "--trace-filter", "\"host\" == 'server01'")
    blocks = trace_blocks(result.stderr)
    points = [(n, p) for n, p in enumerate(sample_points(CPU), 1) if p[1].get("host") == "server01" and p[0] == "cpu"]
    first_time = points[0][1][3]
    next_emit = first_time + 20_000_000_000
    in_window = 0
    for number, (_, _, _, time_ns) in points:
        block = blocks[number]
        if time_ns >= next_emit:
            assert "window2: window closed: emitted 1 batch" in block
            assert f"count3: batch of {in_window} points" in block
            next_emit = time_ns + 20_000_000_000
            in_window = 0
        else:
            assert "window closed" not in block
        in_window += 1
        assert f"buffered ({in_window} point{'s' if in_window != 1 else ''} in the window of host=server01" in block


def test_observing_does_not_change_the_run(tmp_path):
    plain = tickpy("run", SAMPLES / "cpu_alert.tick", CPU)
    observed = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--trace", "--stats", "--graph-out", tmp_path / "g.dot")
    summary = [line for line in plain.stderr.decode().splitlines() if line.startswith("tickpy run: task")]
    assert summary and summary[0] in observed.stderr.decode()
    assert plain.returncode == observed.returncode == 0
    assert plain.stdout == observed.stdout


def test_flapping_suppression_is_explained_and_counted(tmp_path):
    tick = script(tmp_path, """stream
  |from()
    .measurement('m')
  |alert()
    .crit(lambda: "v" > 5)
    .flapping(0.2, 0.4)
    .history(6)
""")
    # The level alternates CRITICAL/OK with every point: it soon counts as flapping.
    lines = [f"m v={10 if i % 2 == 0 else 0} {1_700_000_000_000_000_000 + i * 1_000_000_000}" for i in range(20)]
    data = tmp_path / "flap.lp"
    data.write_text("\n".join(lines) + "\n")
    result = tickpy("run", tick, data, "--trace", "--stats")
    assert result.returncode == 0, result.stderr
    blocks = trace_blocks(result.stderr)
    flapping = [n for n, block in blocks.items() if "no event: flapping" in block]
    sent = [n for n, block in blocks.items() if "event raised" in block]
    assert flapping and sent and min(sent) < min(flapping)  # events first, then suppressed
    assert all("over the .flapping() high threshold 40%" in blocks[n] for n in flapping)
    stats = result.stderr.decode()
    assert re.search(rf"alert2 .*alerts_triggered={len(sent)}\b", stats)
    assert re.search(rf"alert2 .*events_suppressed={len(flapping)}\b", stats)


def test_a_rejected_input_line_while_a_trace_block_is_open(tmp_path):
    """The rejection is reported after the block of the point before it. Before: click's probe
    of stderr (it writes b"" to tell a binary stream) was kept while the block was open, and
    writing it out ended the run with a traceback (status 1, the summary lost). A real process:
    its stderr is what click probes."""
    import subprocess

    from tests.observe.helpers import TICKPY

    data = tmp_path / "in.lp"
    data.write_bytes(b"cpu usage_idle=5 1000000000\nbad\x1b[2Jline\n")
    done = subprocess.run([*TICKPY, "run", str(SAMPLES / "cpu_alert.tick"), str(data), "--trace"],
                          capture_output=True, timeout=60)
    stderr = done.stderr.decode()
    assert done.returncode == 1, stderr  # a rejected line
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines[0].startswith("point 1: cpu usage_idle=5 1000000000")
    assert f"{data}:2: unable to parse 'bad\\x1b[2Jline': missing fields" in lines
    assert lines[-1] == "tickpy run: task cpu_alert: 1 points read, 1 input line rejected, 1 alert (1 CRITICAL)"
