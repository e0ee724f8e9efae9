"""The progress line: on a terminal only, redrawn in place, erased at the end."""

from __future__ import annotations

import io
import os
import pty
import subprocess

from tests.observe.helpers import SAMPLES, TICKPY, tickpy
from tickpy.observe.progress import CHECK_EVERY, Progress, progress_wanted


class Terminal(io.StringIO):
    """A stream that says it is a terminal (what a real tty answers)."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_drawn_when_long_and_erased_at_the_end():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, alerts=lambda: 7, delay_s=1.0, every_s=0.5, clock=clock)
    points = range(3 * CHECK_EVERY)
    seen = 0
    for _ in progress.wrap(points):
        seen += 1
        if seen == CHECK_EVERY - 1:
            clock.now += 2.0  # the run is now long: the next clock look draws the line
    assert seen == 3 * CHECK_EVERY
    text = stream.getvalue()
    assert f"\rtickpy run: {CHECK_EVERY:,} points read, " in text
    assert "points/s, 7 alerts\x1b[K" in text
    assert text.endswith("\r\x1b[K")  # erased: nothing is left on the terminal line


def test_short_run_draws_nothing():
    stream = Terminal()
    progress = Progress(stream, delay_s=1.0, clock=Clock())
    assert list(progress.wrap(range(10_000))) == list(range(10_000))
    assert stream.getvalue() == ""


def test_progress_only_on_a_terminal():
    assert not progress_wanted(io.StringIO())
    assert progress_wanted(Terminal()) == (os.environ.get("TERM", "") != "dumb")
    primary, secondary = pty.openpty()
    try:
        with os.fdopen(os.dup(secondary), "w") as tty_stream:
            assert progress_wanted(tty_stream) == (os.environ.get("TERM", "") != "dumb")
    finally:
        os.close(primary)
        os.close(secondary)


def test_run_on_a_pipe_has_no_progress_line():
    result = tickpy("run", SAMPLES / "cpu_alert.tick", SAMPLES / "cpu.lp")
    assert result.returncode == 0
    assert b"\r" not in result.stderr and b"\x1b[" not in result.stderr


def test_run_with_stderr_on_a_terminal_keeps_stdout_clean(tmp_path):
    """stdout (machine output) never gets the progress line, even when stderr is a terminal."""
    tick = tmp_path / "out.tick"
    tick.write_text("stream\n  |from()\n    .measurement('cpu')\n  |influxDBOut()\n    .database('db')\n")
    primary, secondary = pty.openpty()
    try:  # a real process: its stderr is the terminal
        env = {**os.environ, "TERM": "xterm"}
        result = subprocess.run([*TICKPY, "run", str(tick), str(SAMPLES / "cpu.lp")], stdout=subprocess.PIPE,
                                stderr=secondary, env=env, timeout=60)
    finally:
        os.close(secondary)
        os.close(primary)
    assert result.returncode == 0
    lines = result.stdout.decode().splitlines()
    assert lines and all(line.startswith("cpu,") for line in lines)


def test_progress_line_is_erased_before_output_lines(tmp_path):
    """influxDBOut lines (stdout, maybe the same terminal) never land after a drawn progress line."""
    from tickpy.api import run_task
    from tickpy.observe.observer import RunObserver
    from tickpy.runtime.point import Point

    terminal, clock = Terminal(), Clock()
    observer = RunObserver(progress_stream=terminal)
    observer.progress.clock = clock
    observer.progress.started = clock.now
    observer.progress.next_draw = clock.now  # draw at the first look at the clock
    written: list[tuple[str, str]] = []

    def line_sink(line: str) -> None:
        written.append((terminal.getvalue(), line))

    points = [Point("m", {}, {"v": float(i)}, i) for i in range(2 * CHECK_EVERY)]
    script = "stream\n  |from()\n    .measurement('m')\n  |influxDBOut()\n    .database('db')\n"
    run_task(script, observer.wrap_points(points), line_sink=line_sink, on_compiled=observer.attach)
    assert len(written) == 2 * CHECK_EVERY
    drawn = [before for before, _ in written if "points read" in before]
    assert drawn  # the line was drawn during the run...
    assert all(before.endswith("\r\x1b[K") for before in drawn)  # ...and erased before each line
