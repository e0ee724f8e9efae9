"""Cron expressions as Kapacitor's `.cron()` reads them: the gorhill/cronexpr library it vendors.

    CronTicker(text).next(ns) -> the first time after ns (Unix ns, UTC) the expression selects,
                                 or None past the last year it can select (2099)

The library's syntax: 5 fields (minute hour day-of-month month day-of-week), 6 (the same and a
year) or 7 (a second first, then the 6); more than 7 fields: the rest is ignored. `*` and `?`,
values, ranges `a-b`, steps `*/n`, `a/n`, `a-b/n`, lists `a,b`; month and day names (`jan`,
`mon`, any case); day-of-month `L` (last day), `LW` (last weekday), `15W` (nearest weekday);
day-of-week `5L` (last Friday), `5#3` (third Friday); `@yearly`, `@annually`, `@monthly`,
`@weekly`, `@daily`, `@hourly`. A day matches when day-of-month or day-of-week selects it (only
one of them when the other is `*`). Kapacitor takes the time in its server's time zone; tickpy
in UTC. Errors are the library's texts ("missing field(s)", "syntax error in minute field: 'x'").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from tickpy.golang.gotime import DAY, SECOND, civil_from_ns, days_from_civil, weekday

__all__ = ["CronError", "CronTicker"]


class CronError(ValueError):
    pass


_NUMBER_TOKENS = {**{str(n): n for n in range(60)}, **{f"{n:02d}": n for n in range(10)},
                  **{str(year): year for year in range(1970, 2100)}}
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_LONG = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")
_MONTH_TOKENS = {**{str(n): n for n in range(1, 13)}, **{name: i + 1 for i, name in enumerate(_MONTH_NAMES)},
                 **{name: i + 1 for i, name in enumerate(_MONTH_LONG)}}
_DOW_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_DOW_LONG = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_DOW_TOKENS = {**{str(n): n for n in range(7)}, **{name: i for i, name in enumerate(_DOW_NAMES)},
               **{name: i for i, name in enumerate(_DOW_LONG)}, "7": 0}


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    value_pattern: str
    tokens: dict

    def atoi(self, text: str) -> int:
        return self.tokens.get(text, 0)  # Go's map lookup: 0 for what it does not hold

    @property
    def every_value(self) -> list[int]:
        return list(range(self.low, self.high + 1))


_SECOND = _Field("second", 0, 59, r"0?[0-9]|[1-5][0-9]", _NUMBER_TOKENS)
_MINUTE = _Field("minute", 0, 59, r"0?[0-9]|[1-5][0-9]", _NUMBER_TOKENS)
_HOUR = _Field("hour", 0, 23, r"0?[0-9]|1[0-9]|2[0-3]", _NUMBER_TOKENS)
_DOM = _Field("day-of-month", 1, 31, r"0?[1-9]|[12][0-9]|3[01]", _NUMBER_TOKENS)
_MONTH = _Field("month", 1, 12, r"0?[1-9]|1[012]|" + "|".join(_MONTH_NAMES) + "|january|february|march|april|march|"
                "april|june|july|august|september|october|november|december", _MONTH_TOKENS)
_DOW = _Field("day-of-week", 0, 6, r"0?[0-7]|" + "|".join(_DOW_NAMES) + "|" + "|".join(_DOW_LONG), _DOW_TOKENS)
_YEAR = _Field("year", 1970, 2099, r"19[789][0-9]|20[0-9]{2}", _NUMBER_TOKENS)

_ALIASES = re.compile("@yearly|@annually|@monthly|@weekly|@daily|@hourly")
_ALIAS_TEXT = {"@yearly": "0 0 0 1 1 * *", "@annually": "0 0 0 1 1 * *", "@monthly": "0 0 0 1 * * *",
               "@weekly": "0 0 0 * * 0 *", "@daily": "0 0 0 * * * *", "@hourly": "0 0 * * * * *"}
_FIELDS = re.compile(r"[^\t\n\f\r ]+")  # Go's \S+
_ENTRIES = re.compile(r"[^,]+")

_ALL, _ONE, _SPAN, _NONE = "all", "one", "span", "none"


def _layout(pattern: str, value: str) -> re.Pattern:
    return re.compile(pattern.replace("%value%", value), re.ASCII)


def _directives(text: str, spec: _Field) -> list[tuple[str, int, int, int, str]]:
    """(kind, first, last, step, the entry's text) per comma-separated entry."""
    entries = _ENTRIES.findall(text)
    if not entries:
        raise CronError(f"{spec.name} field: missing directive")
    value = spec.value_pattern
    out = []
    for entry in entries:
        normal = entry.lower()
        if re.fullmatch(r"\*|\?", normal):
            out.append((_ALL, spec.low, spec.high, 1, entry))
            continue
        if _layout(r"(%value%)", value).fullmatch(normal):
            out.append((_ONE, spec.atoi(normal), 0, 0, entry))
            continue
        match = _layout(r"(%value%)-(%value%)", value).fullmatch(normal)
        if match:
            out.append((_SPAN, spec.atoi(match[1]), spec.atoi(match[2]), 1, entry))
            continue
        for layout, bounded in ((r"\*/(\d+)", None), (r"(%value%)/(\d+)", False), (r"(%value%)-(%value%)/(\d+)", True)):
            match = _layout(layout, value).fullmatch(normal)
            if not match:
                continue
            step = _NUMBER_TOKENS.get(match[match.lastindex or 0], 0)  # each layout ends in a group
            if step < 1 or step > spec.high:
                raise CronError(f"invalid interval {normal}")
            first = spec.low if bounded is None else spec.atoi(match[1])
            last = spec.atoi(match[2]) if bounded else spec.high
            out.append((_SPAN, first, last, step, entry))
            break
        else:
            out.append((_NONE, 0, 0, 0, entry))
    return out


def _values(text: str, spec: _Field) -> list[int]:
    chosen: set[int] = set()
    for kind, first, last, step, entry in _directives(text, spec):
        if kind == _NONE:
            raise CronError(f"syntax error in {spec.name} field: '{entry}'")
        if kind == _ALL:
            return spec.every_value
        chosen.update([first] if kind == _ONE else range(first, last + 1, step))
    if not chosen:
        raise CronError(f"the {spec.name} field '{text}' selects nothing (Kapacitor's cron library fails on it)")
    return sorted(chosen)


@dataclass
class _Days:
    """What the day-of-month and day-of-week fields select."""

    dom_restricted: bool = True
    days_of_month: set = field(default_factory=set)
    workdays_of_month: set = field(default_factory=set)
    last_day: bool = False
    last_workday: bool = False
    dow_restricted: bool = True
    days_of_week: set = field(default_factory=set)
    nth_days_of_week: set = field(default_factory=set)
    last_days_of_week: set = field(default_factory=set)


def _read_dom(text: str, days: _Days) -> None:
    for kind, first, last, step, entry in _directives(text, _DOM):
        normal = entry.lower()
        if kind == _NONE:
            if normal == "l":
                days.last_day = True
            elif normal == "lw":
                days.last_workday = True
            else:
                match = _layout(r"(%value%)w", _DOM.value_pattern).fullmatch(normal)
                if not match:
                    raise CronError(f"syntax error in day-of-month field: '{entry}'")
                days.workdays_of_month.add(_DOM.atoi(match[1]))
        elif kind == _ONE:
            days.days_of_month.add(first)
        else:
            days.days_of_month.update(range(first, last + 1, step))
            if kind == _ALL:
                days.dom_restricted = False


def _read_dow(text: str, days: _Days) -> None:
    for kind, first, last, step, entry in _directives(text, _DOW):
        normal = entry.lower()
        if kind == _NONE:
            match = _layout(r"(%value%)l", _DOW.value_pattern).fullmatch(normal)
            if match:
                days.last_days_of_week.add(_DOW.atoi(match[1]))
                continue
            match = _layout(r"(%value%)#([1-5])", _DOW.value_pattern).fullmatch(normal)
            if not match:
                raise CronError(f"syntax error in day-of-week field: '{entry}'")
            days.nth_days_of_week.add((_DOW.atoi(match[2]) - 1) * 7 + _DOW.atoi(match[1]) % 7)
        elif kind == _ONE:
            days.days_of_week.add(first)
        else:
            days.days_of_week.update(range(first, last + 1, step))
            if kind == _ALL:
                days.dow_restricted = False


_WEEK_OFFSETS = ((1, 8, 15, 22, 29), (2, 9, 16, 23, 30), (3, 10, 17, 24, 31), (4, 11, 18, 25), (5, 12, 19, 26),
                 (6, 13, 20, 27), (7, 14, 21, 28))


def _month_length(year: int, month: int) -> int:
    following = days_from_civil(year + month // 12, month % 12 + 1, 1)
    return following - days_from_civil(year, month, 1)


def _weekday_of(year: int, month: int, day: int) -> int:
    return weekday(days_from_civil(year, month, day) * DAY)


def _workday(year: int, month: int, day: int, last: int) -> int:
    """The weekday nearest `day` within the month (cronexpr's workdayOfMonth)."""
    dow = _weekday_of(year, month, day)
    if dow == 6:
        return day - 1 if day > 1 else day + 2
    if dow == 0:
        return day + 1 if day < last else day - 2
    return day


def _days_of(days: _Days, year: int, month: int) -> list[int]:
    last = _month_length(year, month)
    if not days.dom_restricted and not days.dow_restricted:
        return list(range(1, last + 1))
    chosen: set[int] = set()
    if days.dom_restricted:
        if days.last_day:
            chosen.add(last)
        if days.last_workday:
            chosen.add(_workday(year, month, last, last))
        chosen.update(day for day in days.days_of_month if day <= last)
        chosen.update(_workday(year, month, day, last) for day in days.workdays_of_month if day <= last)
    if days.dow_restricted:
        offset = 7 - _weekday_of(year, month, 1)
        for dow in days.days_of_week:
            week = _WEEK_OFFSETS[(offset + dow) % 7]
            chosen.update(week[:4])
            if len(week) > 4 and week[4] <= last:
                chosen.add(week[4])
        for nth in days.nth_days_of_week:
            day = 1 + 7 * (nth // 7) + (offset + nth) % 7
            if day <= last:
                chosen.add(day)
        origin = last - 6  # the month's last seven days start here
        offset = 7 - _weekday_of(year, month, origin)
        for dow in days.last_days_of_week:
            day = origin + (offset + dow) % 7
            if day <= last:
                chosen.add(day)
    return sorted(chosen)


class CronTicker:
    def __init__(self, text: str):
        line = _ALIASES.sub(lambda m: _ALIAS_TEXT[m[0]], text)
        fields = _FIELDS.findall(line)
        if len(fields) < 5:
            raise CronError("missing field(s)")
        fields = fields[:7]
        if len(fields) == 7:
            self.seconds = _values(fields.pop(0), _SECOND)
        else:
            self.seconds = [0]
        self.minutes = _values(fields[0], _MINUTE)
        self.hours = _values(fields[1], _HOUR)
        self.days = _Days()
        _read_dom(fields[2], self.days)
        self.months = _values(fields[3], _MONTH)
        _read_dow(fields[4], self.days)
        self.years = _values(fields[5], _YEAR) if len(fields) > 5 else _YEAR.every_value
        self.text = text

    def next(self, now: int) -> int | None:
        year, month, day, hour, minute, second, _ = civil_from_ns(now)
        if not self._holds(self.years, year):
            return self._next_year(year)
        if not self._holds(self.months, month):
            return self._next_month(year, month)
        days = _days_of(self.days, year, month)
        if not self._holds(days, day):
            return self._next_day(year, month, day, days)
        if not self._holds(self.hours, hour):
            return self._next_hour(year, month, day, hour, days)
        if not self._holds(self.minutes, minute):
            return self._next_minute(year, month, day, hour, minute, days)
        return self._next_second(year, month, day, hour, minute, second, days)

    # Each `_next_x` is cronexpr's: the first time after the given one whose x is a later value
    # of its list (the fields after it at their first values), or the next larger unit's.

    @staticmethod
    def _holds(values: list[int], value: int) -> bool:
        index = bisect.bisect_left(values, value)
        return index < len(values) and values[index] == value

    def _at(self, year, month, day, hour, minute, second) -> int:
        return ((days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * SECOND)

    def _next_year(self, year: int) -> int | None:
        index = bisect.bisect_left(self.years, year + 1)
        if index == len(self.years):
            return None
        return self._first_in_month(self.years[index], self.months[0], first_month_too=True)

    def _next_month(self, year: int, month: int) -> int | None:
        return self._first_in_month(year, month, first_month_too=False)

    def _first_in_month(self, year: int, month: int, first_month_too: bool) -> int | None:
        """The first selected time of `month` (when `first_month_too`) or of a later month with
        a selected day (cronexpr's nextYear and nextMonth, their recursion as a loop)."""
        while True:
            if not first_month_too:
                index = bisect.bisect_left(self.months, month + 1)
                if index == len(self.months):
                    index = bisect.bisect_left(self.years, year + 1)
                    if index == len(self.years):
                        return None
                    year, month = self.years[index], self.months[0]
                else:
                    month = self.months[index]
            first_month_too = False
            days = _days_of(self.days, year, month)
            if days:
                return self._at(year, month, days[0], self.hours[0], self.minutes[0], self.seconds[0])

    def _next_day(self, year: int, month: int, day: int, days: list[int]) -> int | None:
        index = bisect.bisect_left(days, day + 1)
        if index == len(days):
            return self._next_month(year, month)
        return self._at(year, month, days[index], self.hours[0], self.minutes[0], self.seconds[0])

    def _next_hour(self, year, month, day, hour, days) -> int | None:
        index = bisect.bisect_left(self.hours, hour + 1)
        if index == len(self.hours):
            return self._next_day(year, month, day, days)
        return self._at(year, month, day, self.hours[index], self.minutes[0], self.seconds[0])

    def _next_minute(self, year, month, day, hour, minute, days) -> int | None:
        index = bisect.bisect_left(self.minutes, minute + 1)
        if index == len(self.minutes):
            return self._next_hour(year, month, day, hour, days)
        return self._at(year, month, day, hour, self.minutes[index], self.seconds[0])

    def _next_second(self, year, month, day, hour, minute, second, days) -> int | None:
        index = bisect.bisect_left(self.seconds, second + 1)
        if index == len(self.seconds):
            return self._next_minute(year, month, day, hour, minute, days)
        return self._at(year, month, day, hour, minute, self.seconds[index])
