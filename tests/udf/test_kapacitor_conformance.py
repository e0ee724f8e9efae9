"""Kapacitor's UDF integration test (integrations/streamer_test.go TestStream_CustomFunctions):
its script over its recording, with an agent that does what the test's fake UDF does, must leave
the test's httpOut result, and the agent must get the init request the test expects.

Kapacitor's batch UDF tests (batcher_test.go) have none with a UDF; batch tasks are not run by
tickpy yet either (another branch builds them)."""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib

import pytest

from tests.udf.conftest import minimal_agent_section

ROOT = pathlib.Path(__file__).resolve().parents[2]
SRC = os.environ.get("TICKPY_KAPACITOR_SRC", "")
YEAR_1971_NS = 365 * 86400 * 10**9


def _cases() -> list[dict]:
    if not SRC or not pathlib.Path(SRC).exists():
        return []
    spec = importlib.util.spec_from_file_location("mine_kapacitor_tests", ROOT / "tools" / "mine_kapacitor_tests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.mine_replays(module.Source(SRC), udf_tests=True)


CASES = _cases()


def _shifted_srpl(data: str) -> str:
    """The recording as the Go test replays it: the first point at 1971-01-01T00:00:00Z."""
    lines = data.splitlines()
    out, first = [], None
    for index in range(0, len(lines) - 2, 3):
        database, retention, point = lines[index:index + 3]
        body, _, stamp = point.rpartition(" ")
        first = int(stamp) if first is None else first
        out += [database, retention, f"{body} {YEAR_1971_NS + (int(stamp) - first) * 10**9}"]
    return "\n".join(out) + "\n"


# What TestStream_CustomFunctions' fake UDF checks it is initialised with.
EXPECTED_INIT = {
    "taskID": "TestStream_CustomFunctions",
    "nodeID": "customFunc4",
    "options": [
        {"name": "opt1", "values": [{"type": 3, "stringValue": "count"}]},
        {"name": "opt2", "values": [{"type": 0, "boolValue": False}, {"type": 1, "intValue": 1},
                                    {"type": 2, "doubleValue": 1.0}, {"type": 3, "stringValue": "1.0"},
                                    {"type": 4, "durationValue": 10**9}]},
    ],
}


@pytest.mark.skipif(not SRC, reason="TICKPY_KAPACITOR_SRC is not set: Kapacitor's integration tests are read from it")
def test_the_udf_test_is_found():
    assert [case["test"] for case in CASES] == ["TestStream_CustomFunctions"]


@pytest.mark.parametrize("case", [pytest.param(case, id=case["test"]) for case in CASES] or [pytest.param(
    None, marks=pytest.mark.skip(reason="TICKPY_KAPACITOR_SRC is not set: Kapacitor's integration tests are read from it"))])
def test_kapacitor_udf_integration(case, tmp_path, cli):
    from tickpy.api import RunOptions, load_udfs

    (name, declared), = case["udfs"].items()
    init_file = tmp_path / "init.json"
    conf = tmp_path / "kapacitor.conf"
    conf.write_text(minimal_agent_section(name, "custom", str(init_file)))
    # The agent declares what the test's fake UDF service declares.
    _, infos = load_udfs(case["script"], RunOptions(config=str(conf)))
    assert (infos[name].wants, infos[name].provides, infos[name].options) == \
        (declared["wants"], declared["provides"], declared["options"])

    script = tmp_path / f"{case['test']}.tick"
    script.write_text(case["script"])
    data = tmp_path / "data.srpl"
    data.write_text(_shifted_srpl(git_show(f"integrations/testdata/{case['name']}.srpl")))
    out = tmp_path / "out"
    result = cli("run", script, data, "--input-format", "srpl", "--httpout-dir", out, "--dbrp", "dbname.rpname",
                 "--config", conf)
    assert result.returncode == 0, result.stderr
    got = json.loads((out / f"{case['name']}.json").read_text())
    assert got == case["expected"]
    init = json.loads(init_file.read_text())
    for option in init["options"]:
        for value in option["values"]:
            value.setdefault("type", 0)  # proto3 leaves a zero enum (BOOL) off the wire
    assert init == EXPECTED_INIT


def git_show(path: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", SRC, "show", f"HEAD:{path}"], check=True, capture_output=True, text=True).stdout
