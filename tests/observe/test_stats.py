"""`tickpy run --stats` and `--graph-out`: the counters of a run of the seed sample, named and
drawn as `kapacitor show` shows them."""

from __future__ import annotations

import re

from tests.observe.helpers import SAMPLES, TCPSink, sample_points, tickpy

CPU = SAMPLES / "cpu.lp"


def seed_script(tmp_path, address: str):
    """samples/tcp-cpu-alert.tick with its .tcp() handler pointed at a real listener."""
    text = (SAMPLES / "tcp-cpu-alert.tick").read_text()
    text = re.sub(r"\.tcp\('[^']*'\)", f".tcp('{address}')", text)
    path = tmp_path / "seed.tick"
    path.write_text(text)
    return path


def expected_seed_counts():
    """What the seed task (one group, CRITICAL when usage_idle < 10) does with cpu.lp."""
    points = sample_points(CPU)
    cpu = [fields for name, _, fields, _ in points if name == "cpu"]
    crits = oks = 0
    previous = "OK"
    for fields in cpu:
        level = "CRITICAL" if fields["usage_idle"] < 10 else "OK"
        if level == "CRITICAL":
            crits += 1
        elif previous == "CRITICAL":
            oks += 1
        previous = level
    return {"points": len(points), "cpu": len(cpu), "crits": crits, "oks": oks}


# The seed task selects measurement cpu: Kapacitor hands it only cpu's points (task_master.go's
# forkPoint), so stream0 and from1 count those; the others are read but ignored.


def stats_lines(stderr: bytes) -> dict[str, dict[str, str]]:
    """node label -> its key=value pairs, from the --stats text."""
    nodes = {}
    text = stderr.decode()
    assert "node stats of task" in text
    for line in text.split("node stats of task", 1)[1].splitlines()[1:]:
        match = re.match(r"  (\w+)\s+(collected=.*)", line)
        if match:
            nodes[match.group(1)] = dict(re.findall(r"(\w+)=(\d+)", match.group(2)))
    return nodes


def test_stats_of_the_seed_sample(tmp_path):
    sink = TCPSink()
    try:
        result = tickpy("run", seed_script(tmp_path, sink.address), CPU, "--task", "seed", "--stats")
    finally:
        sink.close()
    assert result.returncode == 0, result.stderr
    expected = expected_seed_counts()
    nodes = stats_lines(result.stderr)
    assert list(nodes) == ["stream0", "from1", "alert2"]
    assert nodes["stream0"]["collected"] == nodes["stream0"]["emitted"] == str(expected["cpu"])
    assert nodes["from1"]["collected"] == nodes["from1"]["emitted"] == str(expected["cpu"])
    ignored = expected["points"] - expected["cpu"]
    assert f"{expected['points']} points read ({ignored} of measurements no from() selects, ignored) in" in (
        result.stderr.decode())
    alert = nodes["alert2"]
    assert alert["collected"] == str(expected["cpu"])
    assert alert["emitted"] == "0"  # nothing follows the alert: Kapacitor counts child edges
    assert alert["crits_triggered"] == str(expected["crits"])
    assert alert["oks_triggered"] == str(expected["oks"])
    assert alert["alerts_triggered"] == str(expected["crits"] + expected["oks"])
    assert alert["warns_triggered"] == alert["infos_triggered"] == alert["alerts_inhibited"] == "0"
    assert alert["errors"] == "0" and alert["events_suppressed"] == "0"
    assert alert["working_cardinality"] == "1"  # no groupBy: one group
    assert "from1 processed=" + str(expected["cpu"]) in result.stderr.decode().replace("-> ", "")


def parse_dot(text: str):
    """(graph line, node -> attributes, (parent, child) -> processed) of `kapacitor show`'s DOT."""
    lines = text.splitlines()
    nodes, edges = {}, {}
    for line in lines[2:-1]:
        edge = re.fullmatch(r'(\w+) -> (\w+) \[processed="(\d+)"\];', line)
        node = re.fullmatch(r"(\w+) \[((?:\w+=\"[^\"]*\" )*)\];", line)
        if edge:
            edges[(edge.group(1), edge.group(2))] = int(edge.group(3))
        elif node:
            nodes[node.group(1)] = re.findall(r'(\w+)="([^"]*)"', node.group(2))
        else:
            assert line == "", line
    return lines[1], nodes, edges


def test_graph_out_is_kapacitor_show_dot_with_counts(tmp_path):
    dot_path = tmp_path / "run.dot"
    result = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--task", "cpu_alert", "--graph-out", dot_path)
    assert result.returncode == 0, result.stderr
    text = dot_path.read_text()
    assert text.startswith("digraph cpu_alert {\n") and text.endswith("}\n")  # a text file: ends with a newline
    graph, nodes, edges = parse_dot(text.rstrip())
    assert re.fullmatch(r'graph \[throughput="\d+\.\d\d points/s"\];', graph)
    expected = expected_seed_counts()
    assert edges == {("stream0", "from1"): expected["cpu"], ("from1", "alert2"): expected["cpu"]}
    assert list(nodes) == ["stream0", "from1", "alert2"]
    for attributes in nodes.values():
        keys = [key for key, _ in attributes]
        assert keys == sorted(keys)  # expvar's DoSorted order
        assert "errors" in keys and "working_cardinality" in keys
    alert = dict(nodes["alert2"])
    assert alert["crits_triggered"] == str(expected["crits"])
    assert alert["alerts_triggered"] == str(expected["crits"] + expected["oks"])
    # The same edges as `tickpy graph` draws for the script.
    graph_dot = tickpy("graph", SAMPLES / "cpu_alert.tick").stdout.decode()
    assert re.findall(r"(\w+) -> (\w+);", graph_dot) == list(edges)


def test_graph_out_labels_view(tmp_path):
    dot_path = tmp_path / "run.dot"
    result = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--graph-out", dot_path, "--graph-view", "labels")
    assert result.returncode == 0, result.stderr
    text = dot_path.read_text()
    assert re.search(r'graph \[label="Throughput: \d+\.\d\d points/s" forcelabels=true pad="0.8,0.5"\];', text)
    assert re.search(r'\nalert2 \[xlabel="alerts_inhibited=0\\ralerts_triggered=\d+\\r', text)
    assert f'stream0 -> from1 [label="processed={expected_seed_counts()["cpu"]}"];' in text


def test_unwritable_graph_out_is_a_usage_error(tmp_path):
    result = tickpy("run", SAMPLES / "cpu_alert.tick", CPU, "--graph-out", tmp_path / "missing" / "g.dot")
    assert result.returncode == 2
    assert b"cannot write" in result.stderr


def test_cardinality_counts_groups_where_kapacitor_keeps_it(tmp_path):
    tick = tmp_path / "grouped.tick"
    tick.write_text("""stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |where(lambda: TRUE)
  |alert()
    .crit(lambda: "usage_idle" < 10)
""")
    result = tickpy("run", tick, CPU, "--stats")
    nodes = stats_lines(result.stderr)
    hosts = {tags["host"] for name, tags, _, _ in sample_points(CPU) if name == "cpu"}
    assert nodes["where2"]["working_cardinality"] == str(len(hosts))
    assert nodes["alert3"]["working_cardinality"] == str(len(hosts))
    assert nodes["from1"]["working_cardinality"] == "0"  # Kapacitor's from keeps no gauge


def test_barriers_pass_the_edge_probes_uncounted():
    """barrier() sends barrier messages down its edges: observed, the run is the same."""
    from tickpy import api
    from tickpy.observe.observer import RunObserver
    from tickpy.runtime.lineprotocol import parse_points

    script = """dbrp "db"."rp"
stream
    |from().measurement('cpu').groupBy('host')
    |barrier().idle(2s)
    |window().period(10s).every(10s)
    |count('v')
    |httpOut('n')
"""
    lines = "".join(f"cpu,host={host} v=1 {t * 1_000_000_000}\n" for t, host in
                    [(0, "a"), (1, "b"), (5, "a"), (12, "b"), (13, "a"), (25, "a")])
    plain = api.run(script, parse_points(lines))
    observer = RunObserver(stats=True)
    observed = api.run(script, observer.wrap_points(parse_points(lines)), api.RunOptions(on_compiled=observer.attach))
    observer.finish("t")
    assert observed.httpout_json("n") == plain.httpout_json("n")
    # Six cpu points go from `from` through the barrier to the window; barriers are not counted.
    assert observer.stats.node("from1").edges[0].processed == 6
    assert observer.stats.node("barrier2").edges[0].processed == 6


def test_cardinality_of_the_consumers_kapacitor_gives_a_gauge(tmp_path):
    """httpOut, stateCount and stateDuration count their groups (edge consumers' CardinalityVar
    in Kapacitor's http_out.go and state_tracking.go); groupBy's gauge counts only batch groups."""
    tick = tmp_path / "consumers.tick"
    tick.write_text("""stream
  |from()
    .measurement('cpu')
    .groupBy('host')
  |stateCount(lambda: "usage_idle" < 10)
  |stateDuration(lambda: "usage_idle" < 10)
  |groupBy('host')
  |httpOut('out')
""")
    result = tickpy("run", tick, CPU, "--stats")
    nodes = stats_lines(result.stderr)
    hosts = {tags["host"] for name, tags, _, _ in sample_points(CPU) if name == "cpu"}
    assert nodes["state_count2"]["working_cardinality"] == str(len(hosts))
    assert nodes["state_duration3"]["working_cardinality"] == str(len(hosts))
    assert nodes["http_out5"]["working_cardinality"] == str(len(hosts))
    assert nodes["groupby4"]["working_cardinality"] == "0"
