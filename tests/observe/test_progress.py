"""The progress line: on a terminal only, redrawn in place, erased at the end; the share read
and the time left for inputs of known size."""

from __future__ import annotations

import gzip
import io
import os
import pty
import re
import subprocess
import threading
import time

from tests.observe.helpers import SAMPLES, TICKPY
from tickpy.observe.progress import CHECK_EVERY, Progress, progress_wanted
from tickpy.runtime.inputfiles import GzipInput, InputBytes


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
    assert f"\rtickpy run: {CHECK_EVERY} points read, " in text  # plain digits, as the summary writes them
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


def _write_points(path, count: int) -> list[int]:
    """`count` cpu points in line protocol at `path`; the byte offset at which each line ends."""
    ends, offset = [], 0
    with open(path, "wb") as out:
        for number in range(count):
            line = f"cpu,host=h{number % 10} usage_idle={50 + number % 50}.5 {1_700_000_000 + number}000000000\n"
            out.write(line.encode())
            offset += len(line)
            ends.append(offset)
    return ends


def test_input_bytes_counts_files_as_stored(tmp_path):
    plain, packed = tmp_path / "a.lp", tmp_path / "b.lp.gz"
    _write_points(plain, 1000)
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    sizes = plain.stat().st_size, packed.stat().st_size
    input_bytes = InputBytes((str(plain), str(packed)))
    assert input_bytes.total == sum(sizes)
    with open(plain, "rb") as handle:
        input_bytes.start(handle)
        handle.read(100)
        assert input_bytes.read() == 100
        handle.read()
        input_bytes.finish()
    with open(packed, "rb") as handle:
        input_bytes.start(handle)
        assert GzipInput(handle).read() == plain.read_bytes()
        assert input_bytes.read() == sum(sizes)  # a gzip input counts by its compressed bytes
        input_bytes.finish()
    assert input_bytes.read() == sum(sizes)


def test_input_bytes_unknown_for_standard_input_and_pipes(tmp_path):
    plain = tmp_path / "a.lp"
    _write_points(plain, 10)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert InputBytes(()).total is None  # no INPUT: standard input
    assert InputBytes((str(plain), "-")).total is None
    assert InputBytes((str(plain), str(fifo))).total is None
    assert InputBytes((str(plain),)).total == plain.stat().st_size


def test_progress_line_with_known_size_shows_share_and_time_left(tmp_path):
    plain = tmp_path / "a.lp"
    ends = _write_points(plain, 1000)
    input_bytes = InputBytes((str(plain),))
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, alerts=lambda: 1, clock=clock, input_bytes=input_bytes)
    with open(plain, "rb") as handle:
        input_bytes.start(handle)
        handle.read(ends[249])  # a quarter of the bytes...
        progress.points = 250
        clock.now += 30.0  # ...in 30 s: 90 s left at that rate
        assert progress.line(clock.now) == "tickpy run: 25% read, 250 points read, 8 points/s, 1 alert, ETA 1:30"
        handle.read()
        clock.now += 3600 * 2
        progress.points = 1000
        # all read, the last points still to go through the task
        assert progress.line(clock.now) == "tickpy run: 99% read, 1000 points read, 0 points/s, 1 alert, ETA 0:00"


def test_progress_line_without_known_size_has_counts_only():
    stream, clock = Terminal(), Clock()
    progress = Progress(stream, alerts=lambda: 1234, clock=clock, input_bytes=InputBytes(()))
    progress.points = 123456
    clock.now += 0.5
    assert progress.line(clock.now) == "tickpy run: 123456 points read, 246912 points/s, 1234 alerts"


OUT_SCRIPT = "stream\n  |from()\n    .measurement('cpu')\n  |influxDBOut()\n    .database('db')\n"
PACED_READ = 4096  # bytes of stdout read every 10 ms until the test has seen what it waits for


def _paced_run(tmp_path, inputs: list[str], *, terminal: bool, paced_lines: int,
               stdin_path=None) -> tuple[int, int, str]:
    """`tickpy run` (a real process) over `inputs` with the influxDBOut lines on a pipe read at a
    bounded pace, so that the run lasts past the progress line's first second whatever the
    machine's speed: until a progress line is seen on stderr (terminal) or `paced_lines` lines
    were read. Stdout lines, exit status and stderr as the terminal or pipe received it."""
    script = tmp_path / "out.tick"
    script.write_text(OUT_SCRIPT)
    primary = secondary = None
    if terminal:
        primary, secondary = pty.openpty()
    env = {**os.environ, "TERM": "xterm"}
    stdin = open(stdin_path, "rb") if stdin_path is not None else subprocess.DEVNULL
    child = subprocess.Popen([*TICKPY, "run", str(script), *inputs], stdout=subprocess.PIPE,
                             stderr=secondary if terminal else subprocess.PIPE, env=env, stdin=stdin)
    if stdin_path is not None:
        stdin.close()
    if terminal:
        os.close(secondary)
    err_fd = primary if terminal else child.stderr.fileno()
    received = bytearray()
    seen = threading.Event()

    def read_stderr() -> None:
        while True:
            try:
                data = os.read(err_fd, 4096)
            except OSError:  # a terminal whose other side closed
                break
            if not data:
                break
            received.extend(data)
            if b"% read" in received:
                seen.set()

    reader = threading.Thread(target=read_stderr)
    reader.start()
    lines = 0
    out_fd = child.stdout.fileno()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        data = os.read(out_fd, PACED_READ)
        if not data:
            break
        lines += data.count(b"\n")
        if not seen.is_set() and lines < paced_lines:
            time.sleep(0.01)
    status = child.wait(timeout=60)
    reader.join(timeout=60)
    child.stdout.close()
    if terminal:
        os.close(primary)
    else:
        child.stderr.close()
    return status, lines, received.decode()


PROGRESS = re.compile(r"\rtickpy run: (\d+)% read, (\d+) points read, \d+ points/s, 0 alerts, ETA \d+:\d\d\x1b\[K")


def test_terminal_shows_share_read_and_time_left(tmp_path):
    count = 60_000
    ends = _write_points(tmp_path / "cpu.lp", count)
    status, lines, shown = _paced_run(tmp_path, [str(tmp_path / "cpu.lp")], terminal=True, paced_lines=count)
    assert status == 0 and lines == count
    drawn = PROGRESS.findall(shown)
    assert drawn, shown
    size = ends[-1]
    for percent, points in drawn:
        # Never behind the points handed on (reading runs ahead of them by a chunk at most).
        assert min(100 * ends[int(points) - 1] // size, 99) <= int(percent) <= 99
    # Erased before the summary: the last thing on the terminal is the summary alone.
    assert shown.endswith(f"\r\x1b[Ktickpy run: task out: {count} points read, 0 alerts\r\n")


def test_terminal_shows_share_of_gzip_input(tmp_path):
    count = 60_000
    _write_points(tmp_path / "cpu.lp", count)
    packed = tmp_path / "cpu.lp.gz"
    packed.write_bytes(gzip.compress((tmp_path / "cpu.lp").read_bytes()))
    status, lines, shown = _paced_run(tmp_path, [str(packed)], terminal=True, paced_lines=count)
    assert status == 0 and lines == count
    drawn = PROGRESS.findall(shown)
    assert drawn and all(0 < int(percent) < 100 for percent, _ in drawn), shown


def test_terminal_shows_share_of_a_file_on_standard_input(tmp_path):
    count = 60_000
    _write_points(tmp_path / "cpu.lp", count)  # `tickpy run out.tick < cpu.lp`
    status, lines, shown = _paced_run(tmp_path, [], terminal=True, paced_lines=count, stdin_path=tmp_path / "cpu.lp")
    assert status == 0 and lines == count
    drawn = PROGRESS.findall(shown)
    assert drawn and all(0 < int(percent) < 100 for percent, _ in drawn), shown


def test_long_run_on_a_pipe_shows_no_progress(tmp_path):
    count = 30_000
    _write_points(tmp_path / "cpu.lp", count)
    # Paced well past the first second and several of the progress line's looks at the clock.
    status, lines, shown = _paced_run(tmp_path, [str(tmp_path / "cpu.lp")], terminal=False,
                                      paced_lines=4 * CHECK_EVERY)
    assert status == 0 and lines == count
    assert shown == f"tickpy run: task out: {count} points read, 0 alerts\n"
