"""`tickpy explain`: the pipeline in plain sentences, on the samples and the script corpus."""

from __future__ import annotations

import json

from tests.conformance.conftest import report, require_set
from tests.observe.helpers import SAMPLES, tickpy


def test_explain_samples():
    for name in ("cpu_alert.tick", "tcp-cpu-alert.tick"):
        result = tickpy("explain", SAMPLES / name)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.decode().splitlines()
        assert [line.split(":")[0] for line in lines] == ["1. stream0", "2. from1", "3. alert2"]
        assert "Stream task" in lines[0]
        assert "measurement 'cpu'" in lines[1] and "one group" in lines[1]
        assert 'Checks each point, from the highest level down: CRITICAL when "usage_idle" < 10; otherwise OK' in lines[2]
        assert "'Hey, check your CPU'" in lines[2]
    topic = tickpy("explain", SAMPLES / "cpu_alert.tick").stdout.decode()
    assert "Events go to topic 'cpu'" in topic
    tcp = tickpy("explain", SAMPLES / "tcp-cpu-alert.tick").stdout.decode()
    assert "Events go to .tcp('127.0.0.1:7777')" in tcp


def test_explain_window_aggregate_alert(tmp_path):
    tick = tmp_path / "w.tick"
    tick.write_text("""stream
  |from()
    .measurement('cpu')
    .where(lambda: "cpu" == 'cpu-total')
    .groupBy('host')
  |window()
    .period(5m)
    .every(1m)
    .align()
  |mean('usage_idle')
    .as('idle')
  |alert()
    .warn(lambda: "idle" < 30)
    .crit(lambda: "idle" < 10)
    .critReset(lambda: "idle" > 20)
    .stateChangesOnly(10m)
    .noRecoveries()
    .log('/tmp/alerts.log')
""")
    result = tickpy("explain", tick)
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "for which \"cpu\" == 'cpu-total' is true" in text
    assert "Groups them by 'host'" in text
    assert "windows of 5m0s, per 'host', one emitted every 1m0s, aligned" in text
    assert "the mean of 'usage_idle' over each window (batch), per 'host'" in text and "as the field 'idle'" in text
    assert "Checks each point, per 'host', from the highest level down: " in text
    assert 'CRITICAL when "idle" < 10 (and it stays CRITICAL until "idle" > 20); WARNING when "idle" < 30' in text
    assert "only when the level changes (or again after 10m0s" in text
    assert "recoveries (OK) are not sent" in text
    assert "Events go to .log('/tmp/alerts.log')" in text


def test_explain_script_error_is_reported():
    result = tickpy("explain", "-", stdin=b"stream\n  |from()\n  |alert()\n    .crit(lambda: \"x\" >)\n")
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and result.stderr


def test_explain_every_valid_corpus_script():
    """Every script Kapacitor defines is explained, one numbered paragraph per node."""
    from tickpy.check import build_pipeline
    from tickpy.observe.explain import explain
    from tickpy.syntax import parse

    folder = require_set("scripts")
    passed = total = 0
    failures = []
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        expected = json.loads((case / "expected.json").read_text())
        define = expected["define"]
        if not define["ok"]:
            continue
        total += 1
        source = (case / "script.tick").read_text(encoding="utf-8", errors="replace")
        try:
            pipeline = build_pipeline(parse(source, case.name), task_type=define["type"],
                                      template=define["command"] == "define-template")
            paragraphs = explain(pipeline)
        except Exception as error:  # reported below with the case
            failures.append(f"{case.name}: {type(error).__name__}: {error}")
            continue
        labels = [paragraph.split(": ", 1)[0] for paragraph in paragraphs]
        if labels == [f"{i}. {n.extra.get('name') or n.label}" for i, n in enumerate(pipeline.nodes, 1)]:
            passed += 1
        else:
            failures.append(f"{case.name}: paragraphs {labels}")
    report("explain scripts", passed, total, failures)
    assert total > 300 and passed == total


def test_explain_says_an_alerts_category_and_what_it_inhibits(tmp_path, cli):
    # The two scripts of Kapacitor's documentation of .inhibit() (pipeline/alert.go).
    cpu = tmp_path / "cpu_alert.tick"
    cpu.write_text("""stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |alert()
        .category('system_alerts')
        .crit(lambda: "usage_idle" < 10.0)
""")
    host = tmp_path / "host_alert.tick"
    host.write_text("""stream
    |from()
        .measurement('uptime')
        .groupBy('host')
    |deadman(0.0, 1m)
        .inhibit('system_alerts', 'host')
        .inhibit('maintenance')
""")
    cpu_alert = cli("explain", cpu).stdout.splitlines()[2]
    assert ("It is in category 'system_alerts': while an alert with .inhibit('system_alerts', ...) "
            "is not OK for matching tags, its events are dropped.") in cpu_alert
    assert "have their events dropped" not in cpu_alert
    deadman_alert = cli("explain", host).stdout.splitlines()[5]
    assert ("While one of its groups is not OK, alerts in category 'system_alerts' with that group's 'host' "
            "and in category 'maintenance' (any tags) have their events dropped.") in deadman_alert
    assert "It is in category" not in deadman_alert


def _internal_names() -> set[str]:
    """What a script never writes: the catalogue's node types (HTTPPostNode) and Kapacitor's DOT
    names where they differ from the chaining method (http_post for httpPost)."""
    from tickpy.check.catalogue import load
    from tickpy.check.node_kinds import NODE_KINDS

    chain_names = load().chain_names
    return set(NODE_KINDS) | {dot for (_type, dot), method in chain_names.items() if dot != method}


def test_every_node_kind_is_explained_in_the_scripts_words():
    """Walks a node of every declared kind (tests/check/test_node_kinds.py builds them all): no
    sentence says a name only tickpy or Kapacitor's internals use. The node labels (Kapacitor's
    node IDs, as in `kapacitor show` and --stats: http_post26) and quoted values stay."""
    import re

    from tests.check.test_node_kinds import _pipelines
    from tickpy.check.node_kinds import NODE_KINDS
    from tickpy.observe.explain import explain

    internal = _internal_names()
    assert {"http_post", "groupby", "k8s_autoscale", "HTTPPostNode"} <= internal
    words = re.compile(r"(?<![\w.])(" + "|".join(sorted(map(re.escape, internal), key=len, reverse=True)) + r")(?!\w)")
    seen = set()
    for pipeline in _pipelines():
        labels = sorted((node.extra.get("name") or node.label for node in pipeline.nodes), key=len, reverse=True)
        for node, paragraph in zip(pipeline.nodes, explain(pipeline)):
            seen.add(node.type)
            text = paragraph.split(": ", 1)[1]
            text = re.sub(r"'(?:[^'\\]|\\.)*'|\"[^\"]*\"", "''", text)  # values and field names as written
            for label in labels:
                text = re.sub(rf"(?<!\w){re.escape(label)}(?!\w)", "<node>", text)
            found = words.findall(text)
            assert not found, f"{node.type}: {found} in {paragraph!r}"
            assert not text.startswith("Runs |"), paragraph  # a sentence of its own, not the call repeated
    assert seen == set(NODE_KINDS)


def test_explain_names_what_the_former_generic_kinds_act_on(tmp_path, cli):
    script = tmp_path / "kinds.tick"
    script.write_text("""stream
    |from()
        .measurement('cpu')
        .groupBy('host')
    |changeDetect('state')
    |httpPost('http://example.com/hook')
    |k8sAutoscale()
        .resourceName('web')
        .replicas(lambda: int("load" / 10.0))
        .max(20)
""")
    lines = cli("explain", script).stdout.splitlines()
    assert lines[2] == ("3. changeDetect2: Passes a point on only when the field 'state' differs from the last point "
                        "passed, per 'host' (the first point of each group passes); the others are dropped.")
    assert "Posts each point as JSON (Kapacitor's result format) to 'http://example.com/hook'" in lines[3]
    assert ("Scales the Kubernetes resource of kind 'deployments' named 'web' to int(\"load\" / 10.0) replicas, computed "
            "for each point and kept within 1 .. 20") in lines[4]
