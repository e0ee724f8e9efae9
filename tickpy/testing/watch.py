"""`tickpy test --watch`: which test files a changed file affects, found by polling.

Polling (a stat of each watched file every `interval` seconds) needs no dependency and works
the same on every platform and file system; a test suite watches tens of files, not thousands.

    watcher = Watcher(paths, scripts_dir)
    watcher.wait()  ->  (changed paths, test files to run again), when something changed
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from tickpy.testing.runner import find_test_files
from tickpy.testing.spec import TestCase, TestFileError, load_test_file

__all__ = ["Watcher", "dependencies"]


def _files_under(path: str) -> list[str]:
    if os.path.isdir(path):
        return [os.path.join(folder, name) for folder, _, names in os.walk(path) for name in sorted(names)]
    return [path]


def dependencies(test_file: str, cases: list[TestCase]) -> set[str]:
    """The files a test file's cases read: the file, scripts, handler files (folders: what is in
    them), points files, vars and configuration files."""
    found = {test_file}
    for case in cases:
        if not case.script_path.startswith(test_file + ":"):
            found.add(case.script_path)
        for handler in case.handlers:
            if isinstance(handler, str):
                found.update(_files_under(handler))
        if not case.points_source.startswith(test_file + ":") and case.points_source != "<points>":
            found.add(case.points_source)
        for setting in (case.variables, case.config):
            if isinstance(setting, str):
                found.add(setting)
    return {os.path.abspath(path) for path in found}


def _stamp(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None  # gone (or not there yet): a change when it comes back
    return status.st_mtime_ns, status.st_size


class Watcher:
    def __init__(self, paths, scripts_dir: str | None = None, interval: float = 0.3,
                 sleep: Callable[[float], None] = time.sleep):
        self.paths = list(paths)
        self.scripts_dir = scripts_dir
        self.interval = interval
        self.sleep = sleep
        self.stamps: dict[str, tuple[int, int] | None] = {}
        self.readers: dict[str, set[str]] = {}  # watched file -> the test files that read it
        self._scan()

    def _scan(self) -> None:
        """What to watch now: the test files under the paths (new ones too) and what they read."""
        try:
            test_files = find_test_files(self.paths)
        except FileNotFoundError:
            test_files = []
        readers: dict[str, set[str]] = {}
        for test_file in test_files:
            try:
                cases = load_test_file(test_file, self.scripts_dir)
            except TestFileError:
                cases = []  # still watched: fixing it is a change
            for path in dependencies(test_file, cases):
                readers.setdefault(path, set()).add(test_file)
        self.readers = readers
        self.stamps = {path: _stamp(path) for path in readers}

    def wait(self) -> tuple[list[str], list[str]]:
        """Block until a watched file changes, a test file appears or one goes; then the changed
        files and the test files to run again (in the order find_test_files gives them)."""
        while True:
            self.sleep(self.interval)
            before, old_readers = self.stamps, self.readers
            changed = sorted(path for path, stamp in before.items() if _stamp(path) != stamp)
            known = set(before)
            self._scan()
            appeared = sorted(set(self.stamps) - known)
            if not changed and not appeared:
                continue
            affected: set[str] = set()
            for path in changed + appeared:
                affected |= self.readers.get(path, set()) | old_readers.get(path, set())
            order = [path for path in _ordered(self.paths) if path in affected]
            return changed + appeared, order


def _ordered(paths) -> list[str]:
    try:
        return find_test_files(paths)
    except FileNotFoundError:
        return []
