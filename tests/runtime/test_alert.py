"""The alert node through the engine's Python API (`run_task`), one behaviour per test.
Expected events follow Kapacitor's alert.go rules, worked out by hand for each input."""

from __future__ import annotations

import json

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points

S = 1_000_000_000


def run(script: str, lines: str, **kwargs):
    return run_task(script, read_points(lines, source_name="test"), path="test.tick", task_name="t", **kwargs)


def summary(result):
    return [(e.level, e.previous_level, e.time_ns // S, e.duration_ns // S) for e in result.alerts]


def test_levels_from_critical_down_events_for_non_ok_and_recovery_with_durations():
    result = run(
        "stream\n|from().measurement('m')\n|alert()\n"
        ".info(lambda: \"v\" > 1).warn(lambda: \"v\" > 2).crit(lambda: \"v\" > 3)\n",
        "m v=0 0\nm v=2 1000000000\nm v=5 2000000000\nm v=5 3000000000\nm v=0 4000000000\nm v=0 5000000000\n",
    )
    assert summary(result) == [
        ("INFO", "OK", 1, 0),
        ("CRITICAL", "INFO", 2, 1),
        ("CRITICAL", "CRITICAL", 3, 2),  # every non-OK point makes an event
        ("OK", "CRITICAL", 4, 3),  # the recovery carries how long the alert lasted
    ]
    first = result.alerts[0]
    assert (first.id, first.message) == ("m:nil", "m:nil is INFO")
    assert first.recoverable is True


def test_reset_lambda_holds_the_level_until_it_is_true():
    result = run(
        "stream|from().measurement('m')|alert()"
        ".warn(lambda: \"v\" > 5).warnReset(lambda: \"v\" < 2)\n",
        "m v=6 1000000000\nm v=4 2000000000\nm v=3 3000000000\nm v=1 4000000000\nm v=1 5000000000\n",
    )
    assert [(level, t) for level, _, t, _ in summary(result)] == [
        ("WARNING", 1), ("WARNING", 2), ("WARNING", 3), ("OK", 4)
    ]


def test_state_changes_only_and_its_max_interval():
    script = "stream|from().measurement('m')|alert().crit(lambda: \"v\" > 5).stateChangesOnly({})\n"
    lines = "".join(f"m v=9 {t * S}\n" for t in range(0, 7)) + f"m v=0 {7 * S}\n"
    plain = run(script.format(""), lines)
    assert [(level, t) for level, _, t, _ in summary(plain)] == [("CRITICAL", 0), ("OK", 7)]
    # With 3s: an unchanged alert is sent again once 3s passed since it was last sent.
    timed = run(script.format("3s"), lines)
    assert [(level, t) for level, _, t, _ in summary(timed)] == [
        ("CRITICAL", 0), ("CRITICAL", 3), ("CRITICAL", 6), ("OK", 7)
    ]


def test_no_recoveries_drops_ok_events_and_marks_events_unrecoverable():
    result = run(
        "stream|from().measurement('m')|alert().crit(lambda: \"v\" > 5).noRecoveries()\n",
        "m v=9 1000000000\nm v=0 2000000000\nm v=9 3000000000\n",
    )
    # The suppressed recovery never reaches the topic, whose last level stays CRITICAL.
    assert [(level, prev) for level, prev, _, _ in summary(result)] == [("CRITICAL", "OK"), ("CRITICAL", "CRITICAL")]
    assert [e.recoverable for e in result.alerts] == [False, False]
    assert b'"recoverable":false}' in result.alerts[0].wire


def test_groups_have_their_own_state_and_ids():
    result = run(
        "stream|from().measurement('m').groupBy('host')|alert()"
        ".id('{{ .Name }}/{{ index .Tags \"host\" }}/{{ .Group }}').crit(lambda: \"v\" > 5)\n",
        "m,host=a v=9 1000000000\nm,host=b v=1 1000000000\nm,host=b v=9 2000000000\nm,host=a v=1 2000000000\n",
    )
    assert [(e.id, e.level, e.previous_level) for e in result.alerts] == [
        ("m/a/host=a", "CRITICAL", "OK"),
        ("m/b/host=b", "CRITICAL", "OK"),
        ("m/a/host=a", "OK", "CRITICAL"),
    ]


def test_downstream_points_carry_level_id_message_and_duration():
    result = run(
        "stream|from().measurement('m').groupBy('host')|alert()"
        ".crit(lambda: \"v\" > 5).message('{{ .ID }} went {{ .Level }}')"
        ".levelTag('lvl').idTag('aid').levelField('level').idField('id').messageField('msg')"
        ".durationField('dur')\n|httpOut('out')\n",
        "m,host=a v=9 1000000000\nm,host=a v=9 3000000000\nm,host=a v=1 4000000000\n",
    )
    assert json.loads(result.httpout_json("out")) == {"series": [{
        "name": "m",
        "tags": {"aid": "m:host=a", "host": "a", "lvl": "OK"},
        "columns": ["time", "dur", "id", "level", "msg", "v"],
        "values": [["1970-01-01T00:00:04Z", 3 * S, "m:host=a", "OK", "m:host=a went OK", 1]],
    }]}
    # only points that made an event go on
    assert result.stats["alert2"]["points_out"] == 3


def test_inhibit_suppresses_another_category_with_equal_tags_while_not_ok():
    script = (
        "stream|from().measurement('sys').groupBy('host')|alert().category('system')"
        ".inhibit('disk', 'host').crit(lambda: \"down\" == TRUE)\n"
        "stream|from().measurement('disk').groupBy('host')|alert().category('disk')"
        ".crit(lambda: \"used\" > 90)\n"
    )
    result = run(
        script,
        "sys,host=a down=true 1000000000\n"
        "disk,host=a used=95 2000000000\n"  # inhibited: host a's system alert is CRITICAL
        "disk,host=b used=95 2000000000\n"  # another host: not inhibited
        "sys,host=a down=false 3000000000\n"
        "disk,host=a used=96 4000000000\n",  # the system alert recovered
    )
    assert [(e.name, e.tags.get("host"), e.level, e.time_ns // S) for e in result.alerts] == [
        ("sys", "a", "CRITICAL", 1), ("disk", "b", "CRITICAL", 2), ("sys", "a", "OK", 3), ("disk", "a", "CRITICAL", 4),
    ]
    assert result.stats["alert4"]["alerts_inhibited"] == 1


def test_batch_alert_uses_the_highest_point_or_with_all_the_lowest_and_tmax():
    lines = "m v=9 0\nm v=1 1000000000\nm v=9 2000000000\nm v=9 3000000000\nm v=0 10000000000\nm v=0 20000000000\n"
    window = "stream|from().measurement('m')|window().period(10s).every(10s)|alert().crit(lambda: \"v\" > 5){}\n"
    highest = run(window.format(""), lines)
    # [0s,10s): a point is critical -> CRITICAL at that point's time; [10s,20s): recovery at tmax
    assert [(e.level, e.time_ns // S) for e in highest.alerts] == [("CRITICAL", 0), ("OK", 20)]
    series = highest.alerts[0].result["series"][0]
    assert len(series["values"]) == 4  # the whole batch is the event's data
    every = run(window.format(".all()"), lines)
    # with .all() every point must be critical: the first window is not (v=1)
    assert every.alerts == []


def test_default_details_are_the_html_escaped_json_of_the_template_data():
    result = run("stream|from().measurement('m')|alert().crit(lambda: \"v\" > 5)\n", "m,host=a v=9 0\n")
    details = result.alerts[0].details
    assert details.startswith("{&#34;Name&#34;:&#34;m&#34;,&#34;TaskName&#34;:&#34;t&#34;,&#34;Group&#34;:&#34;nil&#34;")
    assert details.endswith("\n")  # json.Encoder's newline
    wire = json.loads(result.alerts[0].wire)
    assert wire["details"] == details


def test_a_failing_template_is_reported_and_the_point_dropped():
    result = run(
        "stream|from().measurement('m')|alert().message('{{ index .Fields \"x\" | printf \"%d\" }} {{ .Nope }}')"
        ".crit(lambda: \"v\" > 5)\n",
        "m v=9 0\n",
    )
    assert result.alerts == []
    assert result.node_errors and "Nope" in result.node_errors[0].message


def test_topic_events_keep_the_topic_and_the_topics_previous_level():
    result = run(
        "stream|from().measurement('m')|alert().crit(lambda: \"v\" > 5).topic('ops')\n",
        "m v=9 0\nm v=1 1000000000\n",
    )
    assert [(e.topic, e.level, e.previous_level) for e in result.alerts] == [("ops", "CRITICAL", "OK"),
                                                                             ("ops", "OK", "CRITICAL")]
    assert result.delivery_summary is not None


def test_lambda_errors_skip_the_level_and_are_reported():
    result = run(
        "stream|from().measurement('m')|alert().warn(lambda: \"v\" > 5).crit(lambda: \"missing\" > 1)\n",
        "m v=9 0\n",
    )
    assert [e.level for e in result.alerts] == ["WARNING"]
    assert any("CRITICAL" in error.message for error in result.node_errors)
