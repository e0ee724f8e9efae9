"""The autoscale nodes: Kapacitor's TestStream_Autoscale (integrations/streamer_test.go) replayed
with the replica counts its fake clusters answer (serviceA 1, serviceB 10): its httpOut results
and the updates its fake clusters receive (here: the captured, unsent requests); cooldowns."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

from tickpy.api import RunOptions, run
from tickpy.runtime.point import Point

SRC = os.environ.get("TICKPY_KAPACITOR_SRC", "")
YEAR_1971_NS = 365 * 86400 * 10**9

SCRIPT = """
stream
	|from()
		.measurement('scale')
		.groupBy('deployment')
	%s
		.replicas(lambda: int("replicas"))%s
	|httpOut('TestStream_Autoscale')
"""
MIN_MAX = "\n\t\t.min(3)\n\t\t.max(500)"


def k8s_tags(service):
    return {"deployment": service, "namespace": "default", "kind": "deployments", "resource": service}


# The Go test's expectations: (node, min/max?) -> (httpOut series as (tags, new, old), updates by service)
CASES = {
    ("|k8sAutoscale().resourceNameTag('deployment')", False): (
        [(k8s_tags("serviceA"), 2, 1000), (k8s_tags("serviceB"), 20, 1000)],
        {"serviceA": [2, 1, 1000, 2], "serviceB": [20, 1, 1000, 20]}),
    ("|k8sAutoscale().resourceNameTag('deployment')", True): (
        [(k8s_tags("serviceA"), 3, 500), (k8s_tags("serviceB"), 20, 500)],
        {"serviceA": [3, 500, 3], "serviceB": [20, 3, 500, 20]}),
    ("|swarmAutoscale().serviceNameTag('deployment')", False): (
        [({"deployment": "serviceA"}, 2, 1000), ({"deployment": "serviceB"}, 20, 1000)],
        {"serviceA": [2, 1, 1000, 2], "serviceB": [20, 1, 1000, 20]}),
    ("|swarmAutoscale().serviceNameTag('deployment')", True): (
        [({"deployment": "serviceA"}, 3, 500), ({"deployment": "serviceB"}, 20, 500)],
        {"serviceA": [3, 500, 3], "serviceB": [20, 3, 500, 20]}),
}


def _recording() -> str:
    data = subprocess.run(["git", "-C", SRC, "show", "HEAD:integrations/testdata/TestStream_Autoscale.srpl"],
                          check=True, capture_output=True, text=True).stdout
    lines = data.splitlines()
    out, first = [], None
    for index in range(0, len(lines) - 2, 3):
        database, retention, point = lines[index:index + 3]
        body, _, stamp = point.rpartition(" ")
        first = int(stamp) if first is None else first
        out += [database, retention, f"{body} {YEAR_1971_NS + (int(stamp) - first) * 10**9}"]
    return "\n".join(out) + "\n"


@pytest.mark.skipif(not SRC or not pathlib.Path(SRC).exists(),
                    reason="TICKPY_KAPACITOR_SRC is not set: Kapacitor's recording is read from it")
@pytest.mark.parametrize(("node", "min_max"), list(CASES), ids=[f"{n.split('(')[0][1:]}{'-min-max' if m else ''}"
                                                                for n, m in CASES])
def test_kapacitor_autoscale(node, min_max, tmp_path, cli):
    series, updates = CASES[(node, min_max)]
    script = tmp_path / "TestStream_Autoscale.tick"
    script.write_text(SCRIPT % (node, MIN_MAX if min_max else ""))
    data = tmp_path / "data.srpl"
    data.write_text(_recording())
    capture = tmp_path / "capture.jsonl"
    out = tmp_path / "out"
    result = cli("run", script, data, "--input-format", "srpl", "--httpout-dir", out, "--dbrp", "dbname.rpname",
                 "--replicas", "serviceA=1", "--replicas", "serviceB=10", "--capture", capture)
    assert result.returncode == 0, result.stderr
    got = json.loads((out / "TestStream_Autoscale.json").read_text())
    assert got == {"series": [{"name": "scale", "tags": tags, "columns": ["time", "new", "old"],
                               "values": [["1971-01-01T00:00:04Z", new, old]]} for tags, new, old in series]}
    records = [json.loads(line) for line in capture.read_text().splitlines()]
    assert all(record["sent"] is False for record in records)
    by_service: dict[str, list[int]] = {}
    for record in records:
        by_service.setdefault(record["resource"].rsplit("/", 1)[-1], []).append(record["new"])
    assert by_service == updates


COOLDOWN = """stream
    |from()
        .measurement('load')
    |ec2Autoscale()
        .groupName('web')
        .currentField('current')
        .replicas(lambda: "current" + int("delta"))
        .increaseCooldown(10s)
        .decreaseCooldown(5s)
        .max(6)
"""


def test_cooldowns_and_current_field(tmp_path):
    # delta at each second: +1 (2->3 at 0s), +1 (3->4: within 10s of the last increase, dropped),
    # -1 (3->2 at 2s), -1 (2->1: within 5s of the last decrease, dropped), +1 at 10s (3: allowed,
    # 10s after 0s), +9 at 20s (bounded by max 6).
    deltas = [(0, 1), (1, 1), (2, -1), (3, -1), (10, 1), (20, 9)]
    points = [Point("load", {}, {"delta": d}, s * 10**9) for s, d in deltas]
    capture = tmp_path / "capture.jsonl"
    result = run(COOLDOWN, points, RunOptions(replicas={"web": 2}, capture=str(capture)))
    node = result.stats["ec2_autoscale2"]
    assert (node["increase_events"], node["decrease_events"], node["cooldown_drops"]) == (3, 1, 2)
    assert node["points_out"] == 4
    assert node["errors"] == 0
    records = [json.loads(line) for line in capture.read_text().splitlines()]
    assert [(r["old"], r["new"], r["time"] // 10**9) for r in records] == [(2, 3, 0), (3, 2, 2), (2, 3, 10), (3, 6, 20)]
    assert records[-1]["request"] == {"action": "UpdateAutoScalingGroup", "AutoScalingGroupName": "web",
                                      "DesiredCapacity": 6}


def test_a_resource_without_its_replicas_is_a_node_error():
    points = [Point("load", {}, {"delta": 1}, 0)]
    result = run(COOLDOWN, points, RunOptions())
    assert [e.message for e in result.node_errors] == [
        'error handling point: could not determine initial scale for "web": its current replicas are not given '
        "(tickpy run --replicas web=N, or [tickpy.replicas] in --config)"]
