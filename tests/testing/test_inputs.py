"""Input points of tests: relative timestamps, lines without timestamps, generated series."""

from __future__ import annotations

import pytest

from tickpy.golang.gotime import format_go_duration, format_time_rfc3339nano
from tickpy.testing import points, series
from tickpy.testing.inputs import InputError
from tickpy.testing.times import format_offset, is_relative, parse_duration_ns, parse_time_ns

S = 1_000_000_000


def test_relative_timestamps_count_from_start():
    loaded = points("cpu v=1 0s\ncpu v=2 +10s\ncpu v=3 1m30s\ncpu v=4 1.5s", start="2024-01-01T00:00:00Z")
    base = 1704067200 * S
    assert [p.time for p in loaded] == [base, base + 10 * S, base + 90 * S, base + 1500 * 1_000_000]


def test_absolute_timestamps_use_the_precision():
    loaded = points("cpu v=1 1700000000\ncpu v=2 5s", precision="s", start=1000 * S)
    assert [p.time for p in loaded] == [1700000000 * S, 1005 * S]


def test_lines_without_timestamp_get_the_write_clock():
    loaded = points("cpu v=1\ncpu v=2\ncpu v=3 0s\ncpu v=4", start=7 * S)
    assert [p.time for p in loaded] == [7 * S, 7 * S + 1_000_000, 7 * S, 7 * S + 2_000_000]


def test_string_fields_that_end_like_a_duration_are_not_timestamps():
    (point,) = points('cpu msg="up 10s"')
    assert point.fields == {"msg": "up 10s"}
    assert point.time == 0


def test_comments_blank_lines_and_multiline_strings():
    loaded = points('# header\n\ncpu msg="two\nlines" 5s\n')
    assert len(loaded) == 1 and loaded[0].fields["msg"] == "two\nlines" and loaded[0].time == 5 * S


def test_malformed_lines_are_reported_with_their_line_numbers():
    with pytest.raises(InputError) as caught:
        points("cpu v=1 0s\ncpu v= 2\nok v=1\nbad", source="case.points")
    assert [line for line, _ in caught.value.errors] == [2, 4]
    assert "case.points:2:" in str(caught.value)


def test_series_samples_a_function_over_a_range():
    generated = series("cpu", lambda t: 100 - t, start="10s", stop="40s", every="10s", tags={"host": "a"},
                       field="usage_idle")
    assert [(p.time, p.fields) for p in generated] == [
        (10 * S, {"usage_idle": 100.0}), (20 * S, {"usage_idle": 90.0}), (30 * S, {"usage_idle": 80.0})]
    assert all(p.tags == {"host": "a"} for p in generated)


def test_series_with_several_fields_and_gaps():
    generated = series("m", lambda t: None if t == 1 else {"a": t, "b": -t}, stop="3s", every="1s")
    assert [(p.time, p.fields) for p in generated] == [(0, {"a": 0.0, "b": -0.0}), (2 * S, {"a": 2.0, "b": -2.0})]


def test_durations_and_times():
    assert parse_duration_ns("1h30m") == 5400 * S
    assert parse_duration_ns("-500ms") == -S // 2
    assert parse_duration_ns("+2us") == 2000
    assert is_relative("0s") and is_relative("+10s") and not is_relative("10") and not is_relative("s")
    assert parse_time_ns("2024-01-01T01:00:00.25+01:00") == 1704067200 * S + S // 4
    assert parse_time_ns("20s", start_ns=S) == 21 * S
    assert format_time_rfc3339nano(1704067200 * S + 500) == "2024-01-01T00:00:00.0000005Z"
    assert format_offset(95 * S, 5 * S) == "1m30s"
    with pytest.raises(ValueError):
        parse_duration_ns("ten seconds")


@pytest.mark.parametrize(
    ("nanoseconds", "text"),
    [(0, "0s"), (3600 * S, "1h0m0s"), (-90 * S, "-1m30s"), (1_500_000, "1.5ms"), (2_000, "2µs"), (7, "7ns"),
     (S + 1, "1.000000001s")],
)
def test_durations_are_written_in_go_notation_and_read_back(nanoseconds, text):
    # Expected alert files carry durations as Go's time.Duration.String() writes them.
    assert format_go_duration(nanoseconds) == text
    assert parse_duration_ns(text) == nanoseconds


@pytest.mark.parametrize("line", ["cpu x= 0s", "cpu x= +1m30s", "cpu,host=a x= 2024-01-01T00:00:30Z"])
def test_point_errors_quote_the_line_as_written_not_with_its_time_rewritten(line):
    # QA pass 2, item 16: the parser sees the relative or RFC 3339 time as Unix ns
    with pytest.raises(InputError) as raised:
        points(f"cpu v=1 0s\n{line}", start="2024-01-01T00:00:00Z")
    assert str(raised.value) == f"<points>:2: unable to parse '{line}': missing field value"
