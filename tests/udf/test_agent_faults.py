"""Agents that fail: each is reported with the UDF's name, the reason and the agent's stderr, the
run ends (never hangs) and the exit status says so."""

from __future__ import annotations

import os
import sys
import time

import pytest

from tests.udf.conftest import agent_section, minimal_agent_section

SCRIPT = "stream\n    |from()\n        .measurement('cpu')\n    @echo()\n    |log()\n"
POINTS = "cpu,host=a value=1 1000000000\ncpu,host=a value=2 2000000000\n"


def run_with(tmp_path, cli, config: str, script: str = SCRIPT):
    conf = tmp_path / "k.conf"
    conf.write_text(config)
    path = tmp_path / "t.tick"
    path.write_text(script)
    started = time.monotonic()
    result = cli("run", path, "-", "--config", conf, "--dbrp", "db.rp", stdin=POINTS)
    return result, time.monotonic() - started


@pytest.mark.parametrize(("mode", "reason"), [
    ("crash", "process exited unexpectedly: exit status 3"),
    ("error", "cannot handle this point"),
    ("garbage", "read error: malformed response"),
    ("hang", "keepalive timedout: no response for 3s"),
])
def test_agent_failing_on_a_point_stops_the_task(mode, reason, tmp_path, cli):
    # The timeout also bounds the agent's start-up (until its info answer), as in Kapacitor: 3s
    # leaves a loaded machine room to start Python.
    result, took = run_with(tmp_path, cli, minimal_agent_section("echo", mode, timeout="3s"))
    assert result.returncode == 1, result.stderr
    stopped = [line for line in result.stderr.splitlines() if "stopped:" in line]
    assert stopped and "UDF echo (node echo2)" in stopped[0] and reason in stopped[0], result.stderr
    assert "log3" not in result.stderr  # nothing came back for the point
    assert "1 points read" in result.stderr  # the task stopped at the first point
    assert took < 20
    if mode == "crash":  # its stderr is logged, and repeated with the failure
        assert 'msg="UDF log" text="minimal agent: giving up on this point"' in result.stderr
        assert "    minimal agent: giving up on this point" in result.stderr


def test_agent_refusing_its_options_stops_before_any_point(tmp_path, cli):
    result, _ = run_with(tmp_path, cli, minimal_agent_section("echo", "refuse"))
    assert result.returncode == 2
    assert "UDF echo (node echo2): failed to initialize processes no thanks" in result.stderr
    assert "points read" not in result.stderr


def test_agent_that_never_answers_info(tmp_path, cli):
    result, took = run_with(tmp_path, cli, minimal_agent_section("echo", "silent-info", timeout="500ms"))
    assert result.returncode == 2
    assert "UDF echo: failed to load process info: keepalive timedout: no response for 500ms" in result.stderr
    assert took < 10


def test_agent_program_missing(tmp_path, cli):
    missing = tmp_path / "no-such-agent"
    result, _ = run_with(tmp_path, cli, agent_section("echo", [], prog=str(missing)))
    assert result.returncode == 2
    assert f"UDF echo: failed to load process info: cannot start {missing}" in result.stderr


@pytest.mark.parametrize(("section", "problem"), [
    ('[udf.functions.echo]\nprog = "x"\n', "UDF echo: timeout is too small: 0s"),
    ('[udf.functions.echo]\ntimeout = "10s"\n', "UDF echo: must set either prog or socket"),
    ('[udf.functions.echo]\nprog = "x"\nsocket = "/s"\ntimeout = "10s"\n', "UDF echo: both socket and process config provided"),
])
def test_udf_configuration_checked_as_kapacitor_does(section, problem, tmp_path, cli):
    result, _ = run_with(tmp_path, cli, section)
    assert result.returncode == 2
    assert problem in result.stderr


def test_socket_nobody_listens_on(tmp_path, cli):
    config = f'[udf.functions.echo]\nsocket = "{tmp_path / "none.sock"}"\ntimeout = "200ms"\n'
    result, took = run_with(tmp_path, cli, config)
    assert result.returncode == 2
    assert "UDF echo: failed to load process info: cannot connect to" in result.stderr
    assert took < 10


def test_no_agent_left_running(tmp_path, cli):
    """A failed run ends its agents: the one that hung (and the one asked for its info) are gone."""
    pids = tmp_path / "pids"
    section = minimal_agent_section("echo", "hang", timeout="3s", env={"MINIMAL_AGENT_PID_FILE": str(pids)})
    result, _ = run_with(tmp_path, cli, section)
    assert result.returncode == 1
    started = pids.read_text().split()
    assert len(started) == 2  # one for the info, one for the node
    assert [pid for pid in started if os.path.exists(f"/proc/{pid}")] == []


if not sys.platform.startswith("linux"):
    test_no_agent_left_running = pytest.mark.skip("reads /proc")(test_no_agent_left_running)


def test_agent_flooding_data_without_answering(tmp_path, cli, monkeypatch):
    """Each data message restarts the timeout, so the number of them per request is bounded."""
    from tickpy.runtime.udf import agent

    monkeypatch.setattr(agent, "MAX_DATA_PER_REQUEST", 500)
    result, took = run_with(tmp_path, cli, minimal_agent_section("echo", "flood"))
    assert result.returncode == 1
    assert ("UDF echo (node echo2): the agent sent more than 500 data messages for one request without answering "
            "its keepalive") in result.stderr
    assert took < 20
