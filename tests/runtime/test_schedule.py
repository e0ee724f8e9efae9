"""When batch queries run: `.every()` (with `.align()`), `.cron()` (gorhill/cronexpr's syntax),
`.period()` and `.offset()`, as Kapacitor's QueryNode.Queries computes the runs. Expected times
are worked out here with Python's calendar, independently of the code under test."""

from __future__ import annotations

import calendar
import datetime

import pytest

from tickpy.golang.gotime import format_time_rfc3339nano, parse_time_rfc3339
from tickpy.runtime.cron import CronError, CronTicker
from tickpy.runtime.schedule import EveryTicker, query_windows

S = 10**9


def _t(text: str) -> int:
    return parse_time_rfc3339(text)


def _times(ticker, start: str, count: int) -> list[str]:
    out, now = [], _t(start)
    for _ in range(count):
        now = ticker.next(now)
        if now is None:
            out.append(None)
            break
        out.append(format_time_rfc3339nano(now))
    return out


def test_every_ticks_after_the_start_and_align_rounds_to_the_duration():
    assert _times(EveryTicker(60 * S), "2024-01-01T00:00:20Z", 2) == ["2024-01-01T00:01:20Z", "2024-01-01T00:02:20Z"]
    # (start + every) rounded to a multiple of every, halfway up
    assert _times(EveryTicker(60 * S, align=True), "2024-01-01T00:00:20Z", 2) == [
        "2024-01-01T00:01:00Z", "2024-01-01T00:02:00Z"]
    assert _times(EveryTicker(60 * S, align=True), "2024-01-01T00:00:30Z", 1) == ["2024-01-01T00:02:00Z"]


def test_weeks_align_to_go_s_zero_time_not_the_unix_epoch():
    # Go rounds from 0001-01-01, a Monday; the Unix epoch was a Thursday.
    [tick] = _times(EveryTicker(7 * 86400 * S, align=True), "2024-01-01T00:00:00Z", 1)
    assert datetime.datetime.fromisoformat(tick).weekday() == 0


def test_query_windows_end_offset_before_the_tick_and_span_the_period():
    windows = list(query_windows(EveryTicker(10 * S), _t("2024-01-01T00:00:00Z"), _t("2024-01-01T00:00:30Z"),
                                 period=15 * S, offset=2 * S))
    shown = [(format_time_rfc3339nano(w.tick), format_time_rfc3339nano(w.start), format_time_rfc3339nano(w.stop))
             for w in windows]
    assert shown == [
        ("2024-01-01T00:00:10Z", "2023-12-31T23:59:53Z", "2024-01-01T00:00:08Z"),
        ("2024-01-01T00:00:20Z", "2024-01-01T00:00:03Z", "2024-01-01T00:00:18Z"),
        ("2024-01-01T00:00:30Z", "2024-01-01T00:00:13Z", "2024-01-01T00:00:28Z"),  # the stop itself is in
    ]


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> int:
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month and d.weekday() == weekday]
    return days[nth].day


def test_cron_fields_and_special_days():
    start = "2024-12-08T00:00:00Z"
    assert _times(CronTicker("*/15 * * * *"), start, 2) == ["2024-12-08T00:15:00Z", "2024-12-08T00:30:00Z"]
    assert _times(CronTicker("*/20 * * * * * *"), start, 2) == ["2024-12-08T00:00:20Z", "2024-12-08T00:00:40Z"]
    assert _times(CronTicker("0 30 9 * * mon-fri *"), start, 1) == ["2024-12-09T09:30:00Z"]  # the 8th is a Sunday
    assert _times(CronTicker("0 0 L * *"), start, 2) == ["2024-12-31T00:00:00Z", "2025-01-31T00:00:00Z"]
    third_friday = _nth_weekday(2024, 12, calendar.FRIDAY, 2)
    assert _times(CronTicker("0 0 ? * 5#3"), start, 1) == [f"2024-12-{third_friday:02d}T00:00:00Z"]
    last_friday = _nth_weekday(2025, 1, calendar.FRIDAY, -1)
    assert _times(CronTicker("0 0 * * 5L"), "2024-12-31T00:00:00Z", 1) == [f"2025-01-{last_friday:02d}T00:00:00Z"]
    assert calendar.weekday(2024, 12, 15) == calendar.SUNDAY
    assert _times(CronTicker("0 0 15W * *"), start, 1) == ["2024-12-16T00:00:00Z"]  # nearest weekday
    assert _times(CronTicker("@hourly"), start, 1) == ["2024-12-08T01:00:00Z"]
    # six fields: the sixth is the year
    assert _times(CronTicker("0 0 1 1 * 2030"), start, 2) == ["2030-01-01T00:00:00Z", None]
    assert _times(CronTicker("0 0 31 2 *"), start, 1) == [None]


def test_day_of_month_or_day_of_week_selects_a_day():
    # both restricted: either one selects the day (the 1st, and every Monday)
    ticks = _times(CronTicker("0 0 1 * mon"), "2024-12-28T00:00:00Z", 3)
    assert ticks == ["2024-12-30T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-06T00:00:00Z"]


@pytest.mark.parametrize(("text", "error"), [
    ("* * * *", "missing field(s)"),
    ("x * * * *", "syntax error in minute field: 'x'"),
    ("*/70 * * * *", "invalid interval */70"),
    ("* * * * 8", "syntax error in day-of-week field: '8'"),
    ("0 30 9 * * mon-fri", "syntax error in hour field: '30'"),
])
def test_cron_errors_are_the_library_s(text, error):
    with pytest.raises(CronError) as caught:
        CronTicker(text)
    assert str(caught.value) == error
