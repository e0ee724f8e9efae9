"""`tickpy run --dead-letter / --capture / --topics` (issue 7), and the same through `run_task`:
real listeners on 127.0.0.1, a dead port (bound, then released)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.alerting.servers import TCPSink, dead_address
from tests.conftest import CliResult, run_cli
from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SCRIPT = SAMPLES / "cpu_alert.tick"  # alerts CRITICAL when usage_idle < 10, published to topic "cpu"
POINTS = SAMPLES / "cpu.lp"


def tickpy(*args) -> CliResult:
    return run_cli(*args, text=False)


def expected_levels() -> list[str]:
    """The sample's events worked out by hand: one group (no groupBy), CRITICAL for every
    point with usage_idle < 10, then OK at the first point that is not."""
    levels, level = [], "OK"
    for line in POINTS.read_text().splitlines():
        if not line.startswith("cpu,"):
            continue
        fields = dict(item.split("=") for item in line.split(" ")[1].split(","))
        new = "CRITICAL" if float(fields["usage_idle"]) < 10 else "OK"
        if new == "CRITICAL" or level == "CRITICAL":
            levels.append(new)
        level = new
    return levels


def handler_file(tmp_path: Path, name: str, **spec) -> Path:
    """A topic handler file (JSON is YAML too), as `kapacitor define-topic-handler` reads it."""
    path = tmp_path / f"{name}.yaml"
    path.write_text(json.dumps({"topic": "cpu", **spec}))
    return path


def tcp_handler(tmp_path: Path, address: str) -> Path:
    return handler_file(tmp_path, "tcp", id="tcp-cpu", kind="tcp", options={"address": address})


@pytest.fixture
def sink():
    listener = TCPSink()
    yield listener
    listener.close()


def test_dead_letter_keeps_the_exact_bytes_a_live_listener_receives(sink, tmp_path):
    levels = expected_levels()
    live_dead_letter = tmp_path / "live-dead.jsonl"
    live = tickpy("run", SCRIPT, POINTS, "--handlers", tcp_handler(tmp_path, sink.address),
                  "--dead-letter", live_dead_letter)
    assert live.returncode == 0, live.stderr.decode()
    received = sink.wait_for(len(levels))
    assert [json.loads(raw)["level"] for raw in received] == levels
    assert not live_dead_letter.exists()  # nothing failed: no file

    address = dead_address()
    dead_letter = tmp_path / "dead.jsonl"
    dead = tickpy("run", SCRIPT, POINTS, "--handlers", tcp_handler(tmp_path, address), "--dead-letter", dead_letter)
    stderr = dead.stderr.decode()
    assert dead.returncode == 1, stderr
    records = [json.loads(line) for line in dead_letter.read_text(encoding="utf-8").splitlines()]
    assert [record["payload"].encode("utf-8") for record in records] == received  # byte for byte, in order
    for record in records:
        assert (record["handler"], record["kind"], record["target"], record["topic"]) == ("tcp-cpu", "tcp", address, "cpu")
        assert record["event_id"] == "cpu:nil"
        assert address in record["error"]
    assert [record["level"] for record in records] == levels
    assert records[0]["attempts"] == 4  # the first event: one try and 3 retries
    count = len(levels)
    assert f"{count} NOT delivered, dead-lettered to {dead_letter}" in stderr
    assert f"{count} alert deliveries failed" in stderr


def test_direct_tcp_handler_of_the_alert_node_is_dead_lettered_too(tmp_path):
    address = dead_address()
    script = tmp_path / "direct.tick"
    script.write_text((SAMPLES / "tcp-cpu-alert.tick").read_text().replace("127.0.0.1:7777", address))
    dead_letter = tmp_path / "dead.jsonl"
    done = tickpy("run", script, POINTS, "--dead-letter", dead_letter, "--task", "direct")
    assert done.returncode == 1, done.stderr.decode()
    records = [json.loads(line) for line in dead_letter.read_text(encoding="utf-8").splitlines()]
    assert [r["level"] for r in records] == expected_levels()
    assert {r["target"] for r in records} == {address}
    assert {r["topic"] for r in records} == {"main:direct:alert2"}  # Kapacitor's anonymous topic of the node
    for record in records:  # the payload is what Kapacitor writes: the alert JSON, then a blank line
        assert record["payload"].endswith("}\n\n")
        assert json.loads(record["payload"])["id"] == record["event_id"]


@pytest.mark.parametrize("kind, options", [("slack", {"channel": "#ops"}),
                                           ("pagerduty", {"service-key": "abc123"})])
def test_capture_file_gets_what_an_external_service_would_be_sent(sink, tmp_path, kind, options):
    external = handler_file(tmp_path, kind, id=f"{kind}-cpu", kind=kind, options=options)
    capture = tmp_path / "capture.jsonl"
    done = tickpy("run", SCRIPT, POINTS, "--handlers", external, "--handlers", tcp_handler(tmp_path, sink.address),
                  "--capture", capture)
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    received = sink.wait_for(len(expected_levels()))
    records = [json.loads(line) for line in capture.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(received) == len(expected_levels())
    for record, raw in zip(records, received):
        assert record["sent"] is False and "NOT sent" in record["note"]
        assert (record["kind"], record["handler"], record["topic"]) == (kind, f"{kind}-cpu", "cpu")
        assert record["options"] == options
        assert record["alert"] == json.loads(raw)  # the same alert data the tcp handler sent
    assert not [line for line in stderr.splitlines() if line.startswith("tickpy: captured (not sent)")]
    assert f"{len(records)} captured, not sent in {capture}" in stderr

    without = tickpy("run", SCRIPT, POINTS, "--handlers", external)
    lines = [line for line in without.stderr.decode().splitlines() if line.startswith("tickpy: captured (not sent)")]
    assert without.returncode == 0
    assert len(lines) == len(records) and all(kind in line for line in lines)


def topic_rows(stderr: str) -> dict[str, list[str]]:
    """The topics table of --topics: topic name -> its cells (LEVEL, COLLECTED, HANDLERS)."""
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:4] == ["TOPIC", "LEVEL", "COLLECTED", "HANDLERS"])
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        topic, level, collected, handlers = line.split(maxsplit=3)
        rows[topic] = [level, collected, handlers]
    return rows


def event_rows(stderr: str) -> list[list[str]]:
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:3] == ["TOPIC", "EVENT", "LEVEL"])
    return [line.split(maxsplit=5) for line in lines[start + 1:] if line.strip()]


def test_topics_prints_each_topic_with_its_counts(sink, tmp_path):
    levels = expected_levels()
    handler = tcp_handler(tmp_path, sink.address)
    done = tickpy("run", SCRIPT, POINTS, "--handlers", handler, "--topics")
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    assert len(sink.wait_for(len(levels))) == len(levels)
    assert topic_rows(stderr) == {"cpu": [levels[-1], str(len(levels)), "tcp-cpu"]}
    (row,) = event_rows(stderr)
    assert row[:4] == ["cpu", "cpu:nil", levels[-1], str(len(levels))]
    assert row[5] == "Hey, check your CPU"

    quiet = tickpy("run", SCRIPT, POINTS, "--handlers", handler)
    assert "COLLECTED" not in quiet.stderr.decode()


def test_topics_shows_a_publish_chain(sink, tmp_path):
    levels = expected_levels()
    ops = handler_file(tmp_path, "ops", id="ops-tcp", topic="ops", kind="tcp", options={"address": sink.address})
    done = tickpy("run", SCRIPT, POINTS, "--handlers", SAMPLES / "publish_cpu.yaml", "--handlers", ops, "--topics")
    stderr = done.stderr.decode()
    assert done.returncode == 0, stderr
    republished = [level for level in levels if level != "OK"]  # the sample's match: level() >= WARNING
    assert len(sink.wait_for(len(republished))) == len(republished)
    rows = topic_rows(stderr)
    assert rows["cpu"] == [levels[-1], str(len(levels)), "cpu-to-ops"]
    assert rows["ops"] == [republished[-1], str(len(republished)), "ops-tcp"]


def test_unwritable_dead_letter_or_capture_file_is_a_usage_error(tmp_path):
    missing = tmp_path / "no-such-folder" / "dead.jsonl"
    done = tickpy("run", SCRIPT, POINTS, "--dead-letter", missing)
    assert done.returncode == 2
    assert "--dead-letter" in done.stderr.decode() and "points read" not in done.stderr.decode()

    done = tickpy("run", SCRIPT, POINTS, "--capture", tmp_path)  # a directory
    assert done.returncode == 2
    assert "--capture" in done.stderr.decode()

    same = tmp_path / "out.jsonl"
    done = tickpy("run", SCRIPT, POINTS, "--dead-letter", same, "--capture", same)
    assert done.returncode == 2
    assert "--dead-letter and --capture name the same file" in done.stderr.decode()


def test_run_task_takes_dead_letter_and_capture(tmp_path):
    address = dead_address()
    dead_letter, capture = tmp_path / "dead.jsonl", tmp_path / "capture.jsonl"
    handlers = [tcp_handler(tmp_path, address),
                handler_file(tmp_path, "slack", id="slack-cpu", kind="slack", options={"channel": "#ops"})]
    reported: list[str] = []
    with POINTS.open("rb") as source:
        result = run_task(SCRIPT.read_text(), read_points(source), path=str(SCRIPT),
                          handlers=[str(h) for h in handlers], report=reported.append,
                          dead_letter=str(dead_letter), capture=str(capture))
    count = len(expected_levels())
    summary = result.delivery_summary
    assert (summary.failed, summary.captured, summary.delivered) == (count, count, 0)
    assert len(result.delivery_failures) == count and not result.delivered_ok
    assert len(dead_letter.read_text().splitlines()) == len(capture.read_text().splitlines()) == count
    assert any(address in line for line in reported)
    assert result.alert_service.topic_states() == {"cpu": {"cpu:nil": expected_levels()[-1]}}
    assert "cpu:nil" in result.alert_service.topics_summary()


def test_readme_slack_sample_captures_the_request_for_each_changed_level(tmp_path):
    captured = tmp_path / "captured.jsonl"
    done = tickpy("run", SCRIPT, POINTS, "--handlers", SAMPLES / "slack_cpu.yaml", "--config",
                  SAMPLES / "kapacitor.conf", "--capture", captured)
    assert done.returncode == 0, done.stderr.decode()
    levels = expected_levels()
    changed = [level for i, level in enumerate(levels) if i == 0 or level != levels[i - 1]]  # match: changed()
    records = [json.loads(line) for line in captured.read_text().splitlines()]
    assert [r["level"] for r in records] == changed
    for record in records:
        assert record["sent"] is False and record["handler"] == "cpu-to-slack"
        request = record["request"]
        assert request["url"] == "https://hooks.slack.com/services/T000/B000/XXXX"  # from samples/kapacitor.conf
        body = json.loads(request["body"])
        assert body["channel"] == "#ops" and body["username"] == "kapacitor"
        assert body["attachments"][0]["color"] == {"CRITICAL": "danger", "OK": "good"}[record["level"]]
    assert f"{len(changed)} captured" in done.stderr.decode()
