"""Real `tickpy run` subprocesses for the fault tests, and the books they are checked against.

Every alert a run produces must end up exactly once either at its endpoint (what the peer
received) or in the dead-letter file. The alert scripts here alert on every point, and each
point has its own time, so an alert is known by its time: `account` checks that what arrived
and what was dead-lettered, together, are the alerts of the points read, each once.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKPY = str(Path(sys.executable).parent / "tickpy")
SECOND = 1_000_000_000


def script(handler: str) -> str:
    """A task that alerts CRITICAL on every point of measurement cpu, through `handler`."""
    return f"stream|from().measurement('cpu')|alert().crit(lambda: TRUE){handler}\n"


def points(count: int, start: int = 0) -> str:
    """Points a second apart, from `start` seconds: the alert of point i has time i s."""
    return "".join(f"cpu v={i} {i * SECOND}\n" for i in range(start, start + count))


def alert_second(payload: bytes | str) -> int:
    """The point (its second) an alert's JSON is for."""
    from datetime import datetime

    stamp = json.loads(payload)["time"]
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


@dataclass
class Run:
    """A `tickpy run` subprocess; its stderr is collected line by line as it comes."""

    process: subprocess.Popen
    started: float
    lines: list[str] = field(default_factory=list)
    ended: float = 0.0
    _collector: threading.Thread | None = None

    @classmethod
    def start(cls, folder: Path, *args, stdin=subprocess.DEVNULL) -> Run:
        process = subprocess.Popen([TICKPY, "run", *map(str, args)], cwd=folder, stdin=stdin,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        run = cls(process, time.monotonic())
        run._collector = threading.Thread(target=run._collect, daemon=True)
        run._collector.start()
        return run

    def _collect(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = 30.0) -> str:
        """The first stderr line matching `pattern` (a regular expression), once it is written."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if compiled.search(line):
                    return line
            if not self._collector.is_alive():  # stderr is closed: no more lines will come
                if not any(compiled.search(line) for line in self.lines):
                    raise AssertionError(f"tickpy run ended without a line matching {pattern!r}:\n{self.stderr}")
            time.sleep(0.01)
        raise AssertionError(f"no line matching {pattern!r} within {timeout}s:\n{self.stderr}")

    def wait_for_signal_handling(self, timeout: float = 30.0) -> None:
        """Until the process catches SIGTERM (Linux: /proc/PID/status), i.e. tickpy's handling is
        installed: before that the interpreter itself is still starting."""
        bit = 1 << (signal.SIGTERM - 1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status = Path(f"/proc/{self.process.pid}/status").read_text()
            except OSError:
                return  # it has ended
            caught = int(re.search(r"^SigCgt:\s*([0-9a-f]+)", status, re.M).group(1), 16)
            if caught & bit:
                return
            time.sleep(0.002)
        raise AssertionError("tickpy run never installed its signal handling")

    def finish(self, timeout: float = 120.0) -> Run:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"tickpy run still running after {timeout}s:\n{self.stderr}") from None
        self.ended = time.monotonic()
        self._collector.join(10)
        return self

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    @property
    def status(self) -> int:
        return self.process.returncode

    @property
    def stderr(self) -> str:
        return "\n".join(self.lines)

    def summary_alerts(self) -> int:
        """The alerts the run says it produced ("tickpy run: task t: ... N alerts ..."); 0 when it
        stopped before reading (then it prints no summary)."""
        summaries = [line for line in self.lines if line.startswith("tickpy run: task ")]
        if not summaries:
            return 0
        match = re.search(r"(\d+) alerts?\b", summaries[-1])  # "3 alerts (3 CRITICAL)", "0 alerts, stopped by ..."
        assert match, self.stderr
        return int(match.group(1))


def dead_lettered(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


CUT_SHORT = "cut short by the shutdown"


def account(received: list[bytes], dead: list[dict], produced: int) -> None:
    """Each of the `produced` alerts (those of points 0 .. produced-1) arrived or was
    dead-lettered, exactly once, and nothing else was. The one exception is documented: an
    attempt the shutdown cut short is dead-lettered saying so, and may have arrived too."""
    arrived = [alert_second(payload) for payload in received]
    kept = [alert_second(record["payload"]) for record in dead]
    maybe_arrived = {alert_second(record["payload"]) for record in dead if CUT_SHORT in record["error"]}
    both = arrived + kept
    duplicates = sorted({second for second in both if both.count(second) > 1} - maybe_arrived)
    assert not duplicates, f"alerts both delivered and dead-lettered, or twice: {duplicates[:10]}"
    missing = sorted(set(range(produced)) - set(both))
    assert not missing, f"{len(missing)} alerts lost (neither delivered nor dead-lettered): {missing[:10]}"
    extra = sorted(set(both) - set(range(produced)))
    assert not extra, f"alerts of points never produced: {extra[:10]}"


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
