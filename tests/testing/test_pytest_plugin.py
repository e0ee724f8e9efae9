"""The pytest plugin: pytest in a project holding *.tickpy.yaml files runs each case as a test.
Run by pytest itself (pytester, in this process) inside a temporary project."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from tickpy.testing import run_test_file

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """\
stream
  |from()
    .measurement('cpu')
  |alert()
    .crit(lambda: "usage_idle" < 10)
    .tcp('127.0.0.1:7777')
"""

TESTS = """\
script: cpu.tick
points: |
  cpu,host=a usage_idle=50 0s
  cpu,host=a usage_idle=5 10s
tests:
  - name: goes critical
    expect:
      alerts: [{level: CRITICAL, time: 10s}]
      handlers:
        tcp 127.0.0.1:7777: [{level: CRITICAL}]
  - name: wrongly expects a warning
    expect:
      alerts: [{level: WARNING, time: 10s}]
"""


@pytest.fixture(scope="module", autouse=True)
def tickpy_loaded(tmp_path_factory):
    """Every module a case run imports, imported before the first pytester run: each run drops
    the modules it imported, and tickpy's runtime nodes register themselves once per process."""
    folder = tmp_path_factory.mktemp("loaded")
    (folder / "cpu.tick").write_text(SCRIPT)
    (folder / "cpu.tickpy.yaml").write_text(TESTS)
    run_test_file(folder / "cpu.tickpy.yaml")


def _plugin_installed() -> bool:
    return any(ep.name == "tickpy" and ep.value == "tickpy.testing.pytest_plugin"
               for ep in metadata.entry_points(group="pytest11"))


def _pytest(pytester, *args: str):
    """pytest run in the project (pytester.path); its exit status and output as `returncode` and `stdout`."""
    # Through the installed entry point when tickpy is installed with it; else named with -p.
    plugin = [] if _plugin_installed() else ["-p", "tickpy.testing.pytest_plugin"]
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", *plugin, *args)
    return _Run(int(result.ret), result.stdout.str(), result.stderr.str())


class _Run:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def _project(pytester):
    folder = pytester.path
    (folder / "pytest.ini").write_text("[pytest]\n")  # the project's own rootdir
    (folder / "cpu.tick").write_text(SCRIPT)
    (folder / "cpu.tickpy.yaml").write_text(TESTS)
    (folder / "other.yaml").write_text("tests: [not, ours]\n")
    (folder / "test_plain.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n")
    return pytester


def test_cases_become_test_items_and_failures_show_the_diff(pytester):
    done = _pytest(_project(pytester), "-v")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "cpu.tickpy.yaml::goes critical PASSED" in out
    assert "cpu.tickpy.yaml::wrongly expects a warning FAILED" in out
    assert "test_plain.py::test_plain PASSED" in out
    assert 'alerts[0] (CRITICAL cpu:nil at 10s, host=a): level: expected "WARNING", got "CRITICAL"' in out
    assert "other.yaml" not in out  # only *.tickpy.yaml files are collected
    assert "1 failed, 2 passed" in out


def test_selecting_a_case_by_name(pytester):
    done = _pytest(_project(pytester), "-q", "-k", "critical")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 2 deselected" in done.stdout


def test_a_malformed_test_file_is_a_collection_error(pytester):
    project = _project(pytester)
    (project.path / "bad.tickpy.yaml").write_text("script: cpu.tick\nexpcet: {}\n")
    done = _pytest(project, "-q")
    assert done.returncode != 0
    assert "unknown key 'expcet'" in done.stdout


def test_the_plugin_is_declared_as_a_pytest11_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"tickpy": "tickpy.testing.pytest_plugin"}


def test_kapacitor_unit_file_with_tickpy_dir(pytester):
    folder = pytester.path
    (folder / "pytest.ini").write_text("[pytest]\n")
    (folder / "ticks").mkdir()
    (folder / "ticks" / "weather.tick").write_text(
        "stream\n  |from()\n    .measurement('weather')\n  |alert()\n    .crit(lambda: \"temperature\" > 90)\n")
    (folder / "weather.tickpy.yaml").write_text(
        "tests:\n  - name: hot\n    task_name: weather.tick\n    db: w\n    rp: r\n    type: stream\n"
        "    data: [\"weather temperature=95\", \"weather temperature=20\"]\n"
        "    expects: {ok: 1, warn: 0, crit: 1}\n")
    done = _pytest(pytester, "-q", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _kapacitor_unit_project(pytester, ini: str = ""):
    folder = pytester.path
    (folder / "pytest.ini").write_text("[pytest]\n" + ini)
    (folder / "ticks").mkdir()
    (folder / "ticks" / "weather.tick").write_text(
        "stream\n  |from()\n    .measurement('weather')\n  |alert()\n    .crit(lambda: \"temperature\" > 90)\n")
    (folder / "kp").mkdir()
    (folder / "kp" / "test_case.yaml").write_text(
        "tests:\n  - name: hot\n    task_name: weather.tick\n    db: w\n    rp: r\n    type: stream\n"
        "    data: [\"weather temperature=95\", \"weather temperature=20\"]\n"
        "    expects: {ok: 1, warn: 0, crit: 1}\n")
    (folder / "kp" / "compose.yaml").write_text("services: {db: {image: influxdb}}\n")  # not a test file
    return pytester


def test_a_kapacitor_unit_file_named_on_the_command_line_is_collected(pytester):
    # QA pass 2, item 11: kapacitor-unit files are called test_case.yaml, not *.tickpy.yaml
    project = _kapacitor_unit_project(pytester)
    done = _pytest(project, "-v", "kp/test_case.yaml", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kp/test_case.yaml::hot PASSED" in done.stdout


def test_other_yaml_in_a_folder_is_not_collected_by_default(pytester):
    project = _kapacitor_unit_project(pytester)
    done = _pytest(project, "-q", "kp", "--tickpy-dir", "ticks")
    assert done.returncode == 5, done.stdout + done.stderr  # no tests collected
    assert "test_case.yaml" not in done.stdout and "compose.yaml" not in done.stdout


def test_the_tickpy_files_ini_option_collects_matching_files(pytester):
    project = _kapacitor_unit_project(pytester, "tickpy_files = test_case.yaml\n")
    done = _pytest(project, "-v", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kp/test_case.yaml::hot PASSED" in done.stdout
    assert "compose.yaml" not in done.stdout
    done = _pytest(project, "-v", "--tickpy-dir", "ticks", "-o", "tickpy_files=kp/*.yaml")
    assert "kp/compose.yaml" in done.stdout  # a path pattern: now every YAML under kp/ is a test file
