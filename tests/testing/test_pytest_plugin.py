"""The pytest plugin: pytest in a project holding *.tickpy.yaml files runs each case as a test.
Run in a real pytest subprocess inside a temporary project."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

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


def _plugin_installed() -> bool:
    return any(ep.name == "tickpy" and ep.value == "tickpy.testing.pytest_plugin"
               for ep in metadata.entry_points(group="pytest11"))


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess:
    # Through the installed entry point when tickpy is installed with it; else named with -p.
    plugin = [] if _plugin_installed() else ["-p", "tickpy.testing.pytest_plugin"]
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugin, *args],
                          cwd=project, capture_output=True, text=True, timeout=120)


def _project(tmp_path: Path) -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # the project's own rootdir
    (tmp_path / "cpu.tick").write_text(SCRIPT)
    (tmp_path / "cpu.tickpy.yaml").write_text(TESTS)
    (tmp_path / "other.yaml").write_text("tests: [not, ours]\n")
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert 1 + 1 == 2\n")
    return tmp_path


def test_cases_become_test_items_and_failures_show_the_diff(tmp_path):
    done = _pytest(_project(tmp_path), "-v")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "cpu.tickpy.yaml::goes critical PASSED" in out
    assert "cpu.tickpy.yaml::wrongly expects a warning FAILED" in out
    assert "test_plain.py::test_plain PASSED" in out
    assert 'alerts[0] (CRITICAL cpu:nil at 10s, host=a): level: expected "WARNING", got "CRITICAL"' in out
    assert "other.yaml" not in out  # only *.tickpy.yaml files are collected
    assert "1 failed, 2 passed" in out


def test_selecting_a_case_by_name(tmp_path):
    done = _pytest(_project(tmp_path), "-q", "-k", "critical")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 2 deselected" in done.stdout


def test_a_malformed_test_file_is_a_collection_error(tmp_path):
    project = _project(tmp_path)
    (project / "bad.tickpy.yaml").write_text("script: cpu.tick\nexpcet: {}\n")
    done = _pytest(project, "-q")
    assert done.returncode != 0
    assert "unknown key 'expcet'" in done.stdout


def test_the_plugin_is_declared_as_a_pytest11_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["entry-points"]["pytest11"] == {"tickpy": "tickpy.testing.pytest_plugin"}


def test_kapacitor_unit_file_with_tickpy_dir(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "ticks").mkdir()
    (tmp_path / "ticks" / "weather.tick").write_text(
        "stream\n  |from()\n    .measurement('weather')\n  |alert()\n    .crit(lambda: \"temperature\" > 90)\n")
    (tmp_path / "weather.tickpy.yaml").write_text(
        "tests:\n  - name: hot\n    task_name: weather.tick\n    db: w\n    rp: r\n    type: stream\n"
        "    data: [\"weather temperature=95\", \"weather temperature=20\"]\n"
        "    expects: {ok: 1, warn: 0, crit: 1}\n")
    done = _pytest(tmp_path, "-q", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _kapacitor_unit_project(tmp_path: Path, ini: str = "") -> Path:
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + ini)
    (tmp_path / "ticks").mkdir()
    (tmp_path / "ticks" / "weather.tick").write_text(
        "stream\n  |from()\n    .measurement('weather')\n  |alert()\n    .crit(lambda: \"temperature\" > 90)\n")
    (tmp_path / "kp").mkdir()
    (tmp_path / "kp" / "test_case.yaml").write_text(
        "tests:\n  - name: hot\n    task_name: weather.tick\n    db: w\n    rp: r\n    type: stream\n"
        "    data: [\"weather temperature=95\", \"weather temperature=20\"]\n"
        "    expects: {ok: 1, warn: 0, crit: 1}\n")
    (tmp_path / "kp" / "compose.yaml").write_text("services: {db: {image: influxdb}}\n")  # not a test file
    return tmp_path


def test_a_kapacitor_unit_file_named_on_the_command_line_is_collected(tmp_path):
    # QA pass 2, item 11: kapacitor-unit files are called test_case.yaml, not *.tickpy.yaml
    project = _kapacitor_unit_project(tmp_path)
    done = _pytest(project, "-v", "kp/test_case.yaml", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kp/test_case.yaml::hot PASSED" in done.stdout


def test_other_yaml_in_a_folder_is_not_collected_by_default(tmp_path):
    project = _kapacitor_unit_project(tmp_path)
    done = _pytest(project, "-q", "kp", "--tickpy-dir", "ticks")
    assert done.returncode == 5, done.stdout + done.stderr  # no tests collected
    assert "test_case.yaml" not in done.stdout and "compose.yaml" not in done.stdout


def test_the_tickpy_files_ini_option_collects_matching_files(tmp_path):
    project = _kapacitor_unit_project(tmp_path, "tickpy_files = test_case.yaml\n")
    done = _pytest(project, "-v", "--tickpy-dir", "ticks")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kp/test_case.yaml::hot PASSED" in done.stdout
    assert "compose.yaml" not in done.stdout
    done = _pytest(project, "-v", "--tickpy-dir", "ticks", "-o", "tickpy_files=kp/*.yaml")
    assert "kp/compose.yaml" in done.stdout  # a path pattern: now every YAML under kp/ is a test file
