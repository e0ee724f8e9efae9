"""Kapacitor's `global = true` and `state-changes-only = true` service settings (alert.go,
newAlertNode): a global service gets a handler with empty options on every alert node that has
none of its kind; a global service with state-changes-only (slack, smtp, telegram, hipchat,
teams, discord, servicenow, bigpanda, zenoss) makes every alert node stateChangesOnly.
Services without Global() (alerta, pushover, sensu, ...) are never added.

Runs `tickpy run --capture`, the node's own `.tcp()` delivering to a real TCP
listener on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.alerting.servers import TCPSink
from tests.conftest import run_cli

# CRITICAL three times, a recovery, CRITICAL again: 5 events, or 3 under stateChangesOnly
# (the first CRITICAL, the OK, the last CRITICAL).
POINTS = "".join(f"cpu,host=a value={value} {second}000000000\n"
                 for second, value in enumerate((9, 9, 9, 1, 9), start=1))
EVERY_EVENT = ["CRITICAL", "CRITICAL", "CRITICAL", "OK", "CRITICAL"]
STATE_CHANGES = ["CRITICAL", "OK", "CRITICAL"]

SLACK_GLOBAL = """
[slack]
enabled = true
default = true
global = true
url = "http://slack.example/hook"
channel = "#global"
"""


def script(address: str, extra: str = "") -> str:
    return f"""stream
    |from()
        .measurement('cpu')
    |alert()
        .crit(lambda: "value" > 5)
        .tcp('{address}')
{extra}"""


@pytest.fixture
def sink():
    listener = TCPSink()
    yield listener
    listener.close()


def run(tmp_path: Path, tick: str, config: str) -> list[dict]:
    """`tickpy run` over POINTS; the capture file's records."""
    (tmp_path / "t.tick").write_text(tick)
    (tmp_path / "kapacitor.conf").write_text(config)
    capture = tmp_path / "c.jsonl"
    result = run_cli("run", tmp_path / "t.tick", "--config", tmp_path / "kapacitor.conf", "--capture", capture,
                     stdin=POINTS)
    assert result.returncode == 0, result.stderr
    if not capture.exists():
        return []
    return [json.loads(line) for line in capture.read_text().splitlines()]


def tcp_levels(sink: TCPSink) -> list[str]:
    """The levels received by the listener (the run has ended, so all its connections were made)."""
    return [json.loads(data)["level"] for data in sink.received_so_far()]


def levels_of(records: list[dict], kind: str) -> list[str]:
    return [r["level"] for r in records if r["kind"] == kind]


def test_a_global_slack_gets_every_event_of_a_node_without_slack_handler(tmp_path, sink):
    records = run(tmp_path, script(sink.address), SLACK_GLOBAL)
    assert tcp_levels(sink) == EVERY_EVENT
    slack = [r for r in records if r["kind"] == "slack"]
    assert sorted(r["level"] for r in slack) == sorted(EVERY_EVENT)
    assert all(r["options"] == {} for r in slack)  # an empty handler config
    request = slack[0]["request"]
    assert request["url"] == "http://slack.example/hook"
    assert json.loads(request["body"])["channel"] == "#global"  # the config's defaults apply


def test_a_node_with_its_own_slack_gets_no_global_one(tmp_path, sink):
    records = run(tmp_path, script(sink.address, "        .slack().channel('#own')\n"), SLACK_GLOBAL)
    assert tcp_levels(sink) == EVERY_EVENT
    slack = [r for r in records if r["kind"] == "slack"]
    assert len(slack) == len(EVERY_EVENT)  # one handler, not two
    assert {json.loads(r["request"]["body"])["channel"] for r in slack} == {"#own"}


def test_global_with_state_changes_only_suppresses_repeats_on_every_handler(tmp_path, sink):
    records = run(tmp_path, script(sink.address), SLACK_GLOBAL + "state-changes-only = true\n")
    assert tcp_levels(sink) == STATE_CHANGES
    assert sorted(levels_of(records, "slack")) == sorted(STATE_CHANGES)


def test_state_changes_only_applies_even_to_a_node_with_its_own_slack(tmp_path, sink):
    records = run(tmp_path, script(sink.address, "        .slack()\n"), SLACK_GLOBAL + "state-changes-only = true\n")
    assert tcp_levels(sink) == STATE_CHANGES
    assert len(levels_of(records, "slack")) == 3


def test_state_changes_only_without_global_changes_nothing(tmp_path, sink):
    # (for [slack] Kapacitor refuses this configuration: see the test below)
    config = '[telegram]\nenabled = true\nglobal = false\nstate-changes-only = true\ntoken = "t"\n'
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == EVERY_EVENT
    assert levels_of(records, "telegram") == []


@pytest.mark.parametrize("section, message", [
    ("[slack]\nglobal = true\n", "only the default config may be assigned as global"),
    ("[slack]\ndefault = true\nstate-changes-only = true\n",
     "stateChangesOnly may only be assigned when the config is both default and global"),
    ('[[discord]]\nworkspace = "a"\n[[discord]]\nworkspace = "b"\n', "at least one Discord config must be set as default"),
    ('[[slack]]\ndefault = true\n[[slack]]\nworkspace = "b"\n', "id must not be empty"),
])
def test_kapacitor_refuses_workspace_configs_that_break_its_default_and_global_rules(tmp_path, section, message, cli):
    (tmp_path / "t.tick").write_text(script("127.0.0.1:9"))
    (tmp_path / "kapacitor.conf").write_text(section)
    result = cli("run", tmp_path / "t.tick", "--config", tmp_path / "kapacitor.conf", stdin=POINTS)
    assert result.returncode == 2
    assert "kapacitor.conf:1:1: error: [" in result.stderr and message in result.stderr


def test_a_disabled_global_service_still_makes_nodes_state_changes_only(tmp_path, sink):
    # Global() and StateChangesOnly() do not look at `enabled`; the disabled handler sends nothing.
    config = '[teams]\nenabled = false\nglobal = true\nstate-changes-only = true\nchannel-url = "http://t.example/x"\n'
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == STATE_CHANGES
    teams = [r for r in records if r["kind"] == "teams"]
    assert teams and all("error" in r["request"] for r in teams)


def test_global_kinds_without_state_changes_only_support_keep_every_event(tmp_path, sink):
    # pagerduty2's service has Global() but no StateChangesOnly(): the setting is ignored.
    config = '[pagerduty2]\nenabled = true\nglobal = true\nstate-changes-only = true\nrouting-key = "rk"\n'
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == EVERY_EVENT
    assert sorted(levels_of(records, "pagerduty2")) == sorted(EVERY_EVENT)


def test_a_global_discord_makes_nodes_state_changes_only_on_its_own(tmp_path, sink):
    # Kapacitor's discord StateChangesOnly() returns its Global setting.
    config = '[[discord]]\nenabled = true\ndefault = true\nglobal = true\nurl = "http://d.example/h"\n'
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == STATE_CHANGES
    assert sorted(levels_of(records, "discord")) == sorted(STATE_CHANGES)


def test_services_without_global_support_are_not_added(tmp_path, sink):
    config = ('[alerta]\nenabled = true\nglobal = true\nstate-changes-only = true\nurl = "http://alerta.example"\n'
              '[pushover]\nenabled = true\nglobal = true\ntoken = "t"\nuser-key = "u"\n')
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == EVERY_EVENT
    assert records == []


def test_multi_workspace_slack_uses_the_default_workspace(tmp_path, sink):
    config = """
[[slack]]
enabled = true
workspace = "other"
url = "http://other.example/hook"

[[slack]]
enabled = true
default = true
global = true
state-changes-only = true
workspace = "main"
url = "http://main.example/hook"
"""
    records = run(tmp_path, script(sink.address), config)
    assert tcp_levels(sink) == STATE_CHANGES
    assert {r["request"]["url"] for r in records if r["kind"] == "slack"} == {"http://main.example/hook"}


def test_tickpy_testing_uses_the_same_global_handlers(tmp_path):
    from tickpy.testing import points, run_script

    config = tmp_path / "kapacitor.conf"
    config.write_text(SLACK_GLOBAL + "state-changes-only = true\n")
    outcome = run_script(script("127.0.0.1:7777"), points(POINTS), config=str(config))
    assert [a.level for a in outcome.alerts] == STATE_CHANGES
    assert [d.alert["level"] for d in outcome.deliveries["tcp 127.0.0.1:7777"]] == STATE_CHANGES
    assert sorted(d.alert["level"] for key, ds in outcome.deliveries.items() if key.startswith("slack")
                  for d in ds) == sorted(STATE_CHANGES)


def test_trace_names_the_global_handler_and_the_section_forcing_state_changes_only(tmp_path, sink, cli):
    (tmp_path / "t.tick").write_text(script(sink.address))
    (tmp_path / "kapacitor.conf").write_text(SLACK_GLOBAL + "state-changes-only = true\n")
    result = cli("run", tmp_path / "t.tick", "--config", tmp_path / "kapacitor.conf", "--capture", tmp_path / "c.jsonl",
                 "--trace", stdin=POINTS)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert ".tcp(), .slack() (global in --config)" in output
    assert "under stateChangesOnly (still CRITICAL) (made stateChangesOnly by the global --config [slack])" in output
