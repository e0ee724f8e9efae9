"""pytest plugin (entry point `pytest11: tickpy`): tickpy test files become pytest tests.

pytest collects every file named `*.tickpy.yaml` or `*.tickpy.yml` that it visits (the paths
given to pytest, or its `testpaths`); each case in the file is one test item, named after the
case. Other YAML files are collected only when asked for: a .yaml/.yml file named on the
command line (`pytest kp/test_case.yaml`, as kapacitor-unit files are called), or one matching
a pattern of the `tickpy_files` ini option (`tickpy_files = test_case.yaml ku/*.yaml`; a pattern
with a `/` matches the path from the rootdir, else the file name). So other suites, and YAML
that is not a test file, are never touched by default. A failing case shows the same
per-event, per-field diff as `tickpy test`.

Options: `--tickpy-dir DIR` (where kapacitor-unit files' task_name scripts are), the
`tickpy_files` ini option, and `-p no:tickpy` turns the plugin off.
"""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import pytest

# From tickpy.filenames, not tickpy.testing.spec, so that loading the plugin costs nothing.
from tickpy.filenames import TEST_FILE_SUFFIXES


def pytest_addoption(parser) -> None:
    group = parser.getgroup("tickpy", "tickpy TICKscript tests (*.tickpy.yaml)")
    group.addoption("--tickpy-dir", dest="tickpy_dir", metavar="DIR", default=None,
                    help="where kapacitor-unit test files' task_name scripts are (default: next to the file)")
    parser.addini("tickpy_files", type="args", default=[],
                  help="more test files to collect (kapacitor-unit's test_case.yaml...): glob patterns of file "
                       "names, or of paths from the rootdir when they hold a /")


YAML_SUFFIXES = (".yaml", ".yml")


def pytest_collect_file(file_path, parent):
    if file_path.name.endswith(TEST_FILE_SUFFIXES):
        return TickpyTestFile.from_parent(parent, path=file_path)
    if file_path.name.endswith(YAML_SUFFIXES) and (_named_on_command_line(file_path, parent.config)
                                                   or _matches_ini_patterns(file_path, parent.config)):
        return TickpyTestFile.from_parent(parent, path=file_path)
    return None


def _named_on_command_line(file_path, config) -> bool:
    """The file itself (not a folder holding it) is one of pytest's arguments."""
    here = Path(config.invocation_params.dir)
    for arg in config.args:
        named = Path(str(arg).split("::", 1)[0])
        try:
            if (here / named).resolve() == file_path.resolve():
                return True
        except OSError:
            continue
    return False


def _matches_ini_patterns(file_path, config) -> bool:
    patterns = config.getini("tickpy_files")
    if not patterns:
        return False
    try:
        relative = file_path.resolve().relative_to(config.rootpath.resolve()).as_posix()
    except ValueError:
        relative = file_path.as_posix()
    return any(fnmatch(relative if "/" in pattern else file_path.name, pattern) for pattern in patterns)


class TickpyTestFile(pytest.File):
    def collect(self):
        # deferred: start-up (pytest loads this plugin in every project; tickpy loads only for tickpy files)
        from tickpy.testing.report import visible
        from tickpy.testing.spec import TestFileError, load_test_file

        try:
            cases = load_test_file(str(self.path), self.config.getoption("tickpy_dir", None))
        except TestFileError as error:
            raise self.CollectError(visible(str(error), multiline=True)) from None
        for case in cases:
            # escaped: pytest prints the name to the terminal and into --junitxml reports
            yield TickpyTestItem.from_parent(self, name=visible(case.name), case=case)


class TickpyCaseFailure(Exception):
    def __init__(self, result):
        super().__init__(result.case.id)
        self.result = result


class TickpyTestItem(pytest.Item):
    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case
        # A case takes no fixtures. Said explicitly because some plugins' pytest_runtest_call
        # wrappers read item.funcargs and break on an item without it (pytest-lsp 1.0.1, which
        # the `test` extra installs, fails every such item with "did not yield").
        self.funcargs: dict = {}

    def runtest(self) -> None:
        # deferred: start-up (pytest loads this plugin in every project; tickpy loads only for tickpy files)
        from tickpy.testing.runner import run_case

        result = run_case(self.case)
        if not result.ok:
            raise TickpyCaseFailure(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, TickpyCaseFailure):
            # deferred: start-up (pytest loads this plugin in every project; tickpy loads only for tickpy files)
            from tickpy.testing.report import failure_text

            result = excinfo.value.result
            return f"{result.status}: {self.case.id}\n" + failure_text(result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.case.line - 1 if self.case.line else None, f"tickpy: {self.case.name}"
