"""Go's time package for UTC times, and influxql's duration syntax.

Times are Unix nanoseconds (ints that may leave int64 for years 1 and 9999, which Go can
represent); durations are int64 nanoseconds. Kapacitor runs in UTC, so every function here is
the UTC case of Go's: no locations, no daylight saving.

InfluxQL's durations (`influxql.ParseDuration`/`FormatDuration`: "90s", "1h30m", "10u") are
TICKscript's duration literals; they live here beside Go's own (`time.ParseDuration`,
`Duration.String`: "1m30s") so that the two syntaxes are easy to tell apart.
"""

from __future__ import annotations

import re

from tickpy.golang.gotypes import INT64_MAX, INT64_MIN, int64_div, int64_rem, wrap_int64

NANOSECOND = 1
MICROSECOND = 1000 * NANOSECOND
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

# Go's zero time.Time (0001-01-01T00:00:00Z) in Unix nanoseconds. Time.Truncate and Time.Round
# count multiples of a duration from there, not from the Unix epoch.
GO_ZERO_TIME_NS = -62135596800 * SECOND

MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")
DAY_NAMES = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"


# --- time.Duration -----------------------------------------------------------------------------


def _fraction_digits(value: int, precision: int) -> tuple[str, int]:
    """Go's fmtFrac: ".ddd" of value / 10**precision without trailing zeros, and the whole part."""
    whole, fraction = divmod(value, 10**precision)
    if fraction == 0:
        return "", whole
    return "." + str(fraction).rjust(precision, "0").rstrip("0"), whole


def format_go_duration(nanoseconds: int) -> str:
    """Go's time.Duration.String(): "1h30m0s", "1.5s", "2µs", "0s"."""
    if nanoseconds == 0:
        return "0s"
    negative = nanoseconds < 0
    magnitude = -nanoseconds if negative else nanoseconds
    if magnitude < SECOND:
        if magnitude < MICROSECOND:
            text = f"{magnitude}ns"
        elif magnitude < MILLISECOND:
            fraction, whole = _fraction_digits(magnitude, 3)
            text = f"{whole}{fraction}µs"
        else:
            fraction, whole = _fraction_digits(magnitude, 6)
            text = f"{whole}{fraction}ms"
    else:
        fraction, seconds = _fraction_digits(magnitude, 9)
        text = f"{seconds % 60}{fraction}s"
        minutes = seconds // 60
        if minutes > 0:
            text = f"{minutes % 60}m" + text
            hours = minutes // 60
            if hours > 0:
                text = f"{hours}h" + text
    return ("-" if negative else "") + text


def duration_round(d: int, m: int) -> int:
    """Go's Duration.Round(m): halfway values round away from zero; saturates at the int64 bounds."""
    if m <= 0:
        return d
    r = int64_rem(d, m)
    if d < 0:
        r = -r
        if r + r < m:
            return d + r
        rounded = d - m + r
        return rounded if rounded < d else INT64_MIN
    if r + r < m:
        return d - r
    rounded = d + m - r
    return rounded if rounded > d else INT64_MAX


def duration_truncate(d: int, m: int) -> int:
    """Go's Duration.Truncate(m): toward zero."""
    if m <= 0:
        return d
    return d - int64_rem(d, m)


_GO_UNITS = {"ns": NANOSECOND, "us": MICROSECOND, "µs": MICROSECOND, "μs": MICROSECOND, "ms": MILLISECOND,
             "s": SECOND, "m": MINUTE, "h": HOUR}  # µ is U+00B5, μ U+03BC: Go takes both


def _time_quote(text: str) -> str:
    """The time package's own quote() for its error texts: bytes outside printable ASCII as \\xXX."""
    out = ['"']
    for char in text:
        if char < " " or char >= "\x80":
            out.extend(f"\\x{byte:02x}" for byte in char.encode("utf-8", "surrogateescape"))
        else:
            out.append("\\" + char if char in '"\\' else char)
    out.append('"')
    return "".join(out)


def _leading_digits(text: str, start: int) -> int:
    end = start
    while end < len(text) and "0" <= text[end] <= "9":
        end += 1
    return end


def parse_go_duration(text: str) -> int:
    """Go's time.ParseDuration: "1m30s", "-1.5h", "300ms", "0"; ValueError with Go's text.

    A fraction is added as Go adds it, through float64 (float(f) * (unit / scale)), so that a
    long fraction truncates at the same nanosecond.
    """
    invalid = ValueError("time: invalid duration " + _time_quote(text))
    rest = text
    negative = False
    if rest[:1] in ("-", "+"):
        negative = rest[0] == "-"
        rest = rest[1:]
    if rest == "0":
        return 0
    if not rest:
        raise invalid
    total = 0
    position = 0
    while position < len(rest):
        if not (rest[position] == "." or "0" <= rest[position] <= "9"):
            raise invalid
        end = _leading_digits(rest, position)
        digits = rest[position:end].lstrip("0")
        if len(digits) > 19:  # past 1<<63 (and past what int() reads: 4,300 digits)
            raise invalid
        whole = int(digits or "0")
        if whole > 1 << 63:
            raise invalid
        had_whole = end > position
        position = end
        fraction, scale, had_fraction = 0, 1.0, False
        if position < len(rest) and rest[position] == ".":
            end = _leading_digits(rest, position + 1)
            had_fraction = end > position + 1
            # leadingFraction: digits past what an int64 holds are ignored
            for digit in rest[position + 1 : end]:
                if fraction > INT64_MAX // 10 or fraction * 10 + ord(digit) - 48 > 1 << 63:
                    break
                fraction = fraction * 10 + ord(digit) - 48
                scale *= 10
            position = end
        if not had_whole and not had_fraction:
            raise invalid
        unit_end = position
        while unit_end < len(rest) and not (rest[unit_end] == "." or "0" <= rest[unit_end] <= "9"):
            unit_end += 1
        if unit_end == position:
            raise ValueError("time: missing unit in duration " + _time_quote(text))
        unit_text = rest[position:unit_end]
        position = unit_end
        unit = _GO_UNITS.get(unit_text)
        if unit is None:
            raise ValueError(f"time: unknown unit {_time_quote(unit_text)} in duration {_time_quote(text)}")
        if whole > (1 << 63) // unit:
            raise invalid
        whole *= unit
        if fraction > 0:
            whole += int(float(fraction) * (float(unit) / scale))
            if whole > 1 << 63:
                raise invalid
        total += whole
        if total > 1 << 63:
            raise invalid
    if negative:
        return -total
    if total > INT64_MAX:
        raise invalid
    return total


# --- influxql durations ------------------------------------------------------------------------

_INFLUX_FORMAT_UNITS = ((WEEK, "w"), (DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s"), (MILLISECOND, "ms"),
                        (MICROSECOND, "u"))
_INFLUX_SINGLE_LETTER_UNITS = {"u": MICROSECOND, "µ": MICROSECOND, "m": MINUTE, "s": SECOND, "h": HOUR, "d": DAY,
                               "w": WEEK}


class DurationOverflowError(ValueError):
    """influxql.ParseDuration's "overflowed duration 15251w: choose a smaller duration or INF"."""


def format_influx_duration(nanoseconds: int) -> str:
    """influxql.FormatDuration: the largest unit that divides the duration exactly ("90s", "2h")."""
    if nanoseconds == 0:
        return "0s"
    for unit, suffix in _INFLUX_FORMAT_UNITS:
        if int64_rem(nanoseconds, unit) == 0:
            return f"{int64_div(nanoseconds, unit)}{suffix}"
    return f"{nanoseconds}ns"


def parse_influx_duration(text: str) -> int:
    """influxql.ParseDuration: "1h30m", "-5s", "10u"; ValueError("invalid duration") when invalid,
    DurationOverflowError when the total leaves int64.

    As in Go, each term is added in wrapping int64 arithmetic and overflow is only noticed at the
    end, as a negative total without a leading "-"; the message names the last term.
    """
    if len(text) < 2:
        raise ValueError("invalid duration")
    position = 0
    negative = text[0] == "-"
    if negative:
        position = 1
    total = 0
    measure = 0
    unit = ""
    while position < len(text):
        start = position
        position = _leading_digits(text, position)
        if position >= len(text) or position == start:
            raise ValueError("invalid duration")
        digits = text[start:position].lstrip("0")
        if len(digits) > 19:  # past int64 (and past what int() reads: 4,300 digits)
            raise ValueError("invalid duration")
        measure = int(digits or "0")
        if measure > INT64_MAX:
            raise ValueError("invalid duration")
        unit = text[position]
        if unit in "nm" and text[position + 1 : position + 2] == "s":
            unit += "s"
            factor = NANOSECOND if unit == "ns" else MILLISECOND
            position += 2
        elif unit in _INFLUX_SINGLE_LETTER_UNITS:
            factor = _INFLUX_SINGLE_LETTER_UNITS[unit]
            position += 1
        else:
            raise ValueError("invalid duration")
        total = wrap_int64(total + measure * factor)
    if total < 0 and not negative:
        raise DurationOverflowError(f"overflowed duration {measure}{unit}: choose a smaller duration or INF")
    return wrap_int64(-total) if negative else total


# --- dates -------------------------------------------------------------------------------------


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (what time.Date counts; Howard
    Hinnant's algorithm). The month may be 1..12 only; the day may run past the month's end."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def civil_from_ns(ns: int) -> tuple[int, int, int, int, int, int, int]:
    """Go's Time.Date() and Time.Clock() in UTC, and Time.Nanosecond():
    (year, month, day, hour, minute, second, nanosecond) of Unix nanoseconds."""
    seconds, nanos = divmod(ns, SECOND)
    days, second_of_day = divmod(seconds, 86400)
    z = days + 719468
    era = z // 146097
    day_of_era = z - era * 146097
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096) // 365
    year = year_of_era + era * 400
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    month_index = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * month_index + 2) // 5 + 1
    month = month_index + 3 if month_index < 10 else month_index - 9
    if month <= 2:
        year += 1
    hour, rest = divmod(second_of_day, 3600)
    minute, second = divmod(rest, 60)
    return year, month, day, hour, minute, second, nanos


def weekday(ns: int) -> int:
    """Go's Time.Weekday(): 0 is Sunday."""
    return (ns // DAY + 4) % 7  # 1970-01-01 was a Thursday


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def year_day(ns: int) -> int:
    """Go's Time.YearDay(): 1..366."""
    year, month, day = civil_from_ns(ns)[:3]
    return _DAYS_BEFORE_MONTH[month - 1] + (1 if month > 2 and _is_leap(year) else 0) + day


def add_date(ns: int, years: int, months: int, days: int) -> int:
    """Go's Time.AddDate: the month and day overflow into the next ones, as time.Date normalises."""
    year, month, day, hour, minute, second, nanos = civil_from_ns(ns)
    total_months = (month - 1) + months
    year += years + total_months // 12
    month = total_months % 12 + 1
    day_number = days_from_civil(year, month, 1) + (day - 1) + days
    return (day_number * 86400 + hour * 3600 + minute * 60 + second) * SECOND + nanos


# --- time.Time methods ---------------------------------------------------------------------------


def seconds_since_year_one(ns: int) -> tuple[int, int]:
    """Go's Time.sec() and Time.nsec(): how a time.Time holds a time internally (and writes it
    in MarshalBinary), seconds since 0001-01-01 and the nanoseconds within the second."""
    return divmod(ns - GO_ZERO_TIME_NS, SECOND)


def time_truncate(ns: int, step: int) -> int:
    """Go's Time.Truncate(step): down to a multiple of step since year 1; step <= 0: unchanged."""
    if step <= 0:
        return ns
    return ns - (ns - GO_ZERO_TIME_NS) % step


def time_round(ns: int, step: int) -> int:
    """Go's Time.Round(step): the nearest multiple of step since year 1, halfway values up;
    step <= 0: unchanged."""
    if step <= 0:
        return ns
    remainder = (ns - GO_ZERO_TIME_NS) % step
    if remainder + remainder < step:
        return ns - remainder
    return ns + (step - remainder)


def time_sub(later: int, earlier: int) -> int:
    """Go's Time.Sub: the Duration between two times, saturated at the int64 bounds."""
    return max(min(later - earlier, INT64_MAX), INT64_MIN)


# --- formatting ----------------------------------------------------------------------------------


def _fraction(nanos: int) -> str:
    """".999999999" of a layout: the nanoseconds without trailing zeros, nothing for none."""
    if not nanos:
        return ""
    return "." + f"{nanos:09d}".rstrip("0")


def _year(year: int) -> str:
    return f"{year:04d}" if year >= 0 else "-" + f"{-year:04d}"


def format_time_rfc3339nano(ns: int) -> str:
    """Go's Time.Format(time.RFC3339Nano) in UTC: 2024-03-01T13:45:30.5Z (the common layout,
    without `format_time`'s layout walk)."""
    year, month, day, hour, minute, second, nanos = civil_from_ns(ns)
    return f"{_year(year)}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{_fraction(nanos)}Z"


def format_time_go_string(ns: int) -> str:
    """Go's Time.String() of a UTC time: 2024-03-01 13:45:30.5 +0000 UTC."""
    year, month, day, hour, minute, second, nanos = civil_from_ns(ns)
    return f"{_year(year)}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}{_fraction(nanos)} +0000 UTC"


def format_time_go_syntax(ns: int) -> str:
    """Go's Time.GoString() of a UTC time: time.Date(2024, time.March, 1, 13, 45, 30, 0, time.UTC)."""
    year, month, day, hour, minute, second, nanos = civil_from_ns(ns)
    return f"time.Date({year}, time.{MONTH_NAMES[month - 1]}, {day}, {hour}, {minute}, {second}, {nanos}, time.UTC)"


def _next_std_chunk(layout: str, i: int):
    """(chunk, length) of the layout element starting at i (Go's nextStdChunk), or None."""
    c = layout[i]
    rest = layout[i:]
    if c == "J":
        if rest.startswith("Jan"):
            if rest.startswith("January"):
                return ("January", 7)
            if not _starts_lower(layout, i + 3):
                return ("Jan", 3)
    elif c == "M":
        if rest.startswith("Mon"):
            if rest.startswith("Monday"):
                return ("Monday", 6)
            if not _starts_lower(layout, i + 3):
                return ("Mon", 3)
        if rest.startswith("MST"):
            return ("MST", 3)
    elif c == "0":
        if len(rest) >= 2 and "1" <= rest[1] <= "6":
            return (rest[:2], 2)
        if rest.startswith("002"):
            return ("002", 3)
    elif c == "1":
        if rest.startswith("15"):
            return ("15", 2)
        return ("1", 1)
    elif c == "2":
        if rest.startswith("2006"):
            return ("2006", 4)
        return ("2", 1)
    elif c == "_":
        if rest.startswith("_2"):
            if rest.startswith("_2006"):
                return None  # "_" literal then 2006
            return ("_2", 2)
        if rest.startswith("__2"):
            return ("__2", 3)
    elif c in "345":
        return (c, 1)
    elif c == "P":
        if rest.startswith("PM"):
            return ("PM", 2)
    elif c == "p":
        if rest.startswith("pm"):
            return ("pm", 2)
    elif c == "-":
        for std in ("-07:00:00", "-070000", "-07:00", "-0700", "-07"):
            if rest.startswith(std):
                return (std, len(std))
    elif c == "Z":
        for std in ("Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07"):
            if rest.startswith(std):
                return (std, len(std))
    elif c in ".,":
        if len(rest) >= 2 and rest[1] in "09":
            ch = rest[1]
            j = 1
            while j < len(rest) and rest[j] == ch:
                j += 1
            if not (j < len(rest) and rest[j].isdigit()):
                kind = "frac0" if ch == "0" else "frac9"
                return ((kind, c, j - 1), j)
    return None


def _starts_lower(layout: str, i: int) -> bool:
    return i < len(layout) and "a" <= layout[i] <= "z"


def format_time(ns: int, layout: str) -> str:
    """Go's Time.Format(layout) for a UTC time."""
    y, mo, d, h, mi, s, nanos = civil_from_ns(ns)
    out = []
    i = 0
    while i < len(layout):
        # "_2006" is "_" followed by the year
        if layout.startswith("_2006", i):
            out.append("_")
            i += 1
            continue
        found = _next_std_chunk(layout, i)
        if found is None:
            out.append(layout[i])
            i += 1
            continue
        chunk, length = found
        i += length
        if isinstance(chunk, tuple):
            kind, sep, digits = chunk
            frac = f"{nanos:09d}"[:digits] if digits <= 9 else f"{nanos:09d}" + "0" * (digits - 9)
            if kind == "frac9":
                frac = frac.rstrip("0")
                if frac:
                    out.append(sep + frac)
            else:
                out.append(sep + frac)
            continue
        if chunk == "2006":
            out.append(_year(y))
        elif chunk == "06":
            out.append(f"{y % 100:02d}")
        elif chunk == "January":
            out.append(MONTH_NAMES[mo - 1])
        elif chunk == "Jan":
            out.append(MONTH_NAMES[mo - 1][:3])
        elif chunk == "1":
            out.append(str(mo))
        elif chunk == "01":
            out.append(f"{mo:02d}")
        elif chunk == "Monday":
            out.append(DAY_NAMES[weekday(ns)])
        elif chunk == "Mon":
            out.append(DAY_NAMES[weekday(ns)][:3])
        elif chunk == "2":
            out.append(str(d))
        elif chunk == "_2":
            out.append(f"{d:2d}")
        elif chunk == "02":
            out.append(f"{d:02d}")
        elif chunk == "__2":
            out.append(f"{year_day(ns):3d}")
        elif chunk == "002":
            out.append(f"{year_day(ns):03d}")
        elif chunk == "15":
            out.append(f"{h:02d}")
        elif chunk == "3":
            out.append(str(h % 12 or 12))
        elif chunk == "03":
            out.append(f"{h % 12 or 12:02d}")
        elif chunk == "4":
            out.append(str(mi))
        elif chunk == "04":
            out.append(f"{mi:02d}")
        elif chunk == "5":
            out.append(str(s))
        elif chunk == "05":
            out.append(f"{s:02d}")
        elif chunk == "PM":
            out.append("PM" if h >= 12 else "AM")
        elif chunk == "pm":
            out.append("pm" if h >= 12 else "am")
        elif chunk == "MST":
            out.append("UTC")
        elif chunk.startswith("Z"):
            out.append("Z")
        elif chunk.startswith("-"):
            out.append({"-070000": "+000000", "-07:00:00": "+00:00:00", "-0700": "+0000",
                        "-07:00": "+00:00", "-07": "+00"}[chunk])
    return "".join(out)


# --- parsing -------------------------------------------------------------------------------------

_RFC3339_TEXT = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:(Z)|([+-])(\d\d):(\d\d))")


def parse_time_rfc3339(text: str) -> int:
    """Go's time.Parse(time.RFC3339, text) (which takes fractional seconds too), and so
    Time.UnmarshalJSON: Unix nanoseconds; ValueError with Go's message otherwise."""
    match = _RFC3339_TEXT.fullmatch(text)
    if match is None:
        raise ValueError(f'parsing time "{text}" as "{RFC3339}": cannot parse "{text}" as "{RFC3339}"')
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction, zulu, sign, zone_hours, zone_minutes = match.groups()[6:]
    limits = ((month, 1, 12, "month"), (hour, 0, 23, "hour"), (minute, 0, 59, "minute"), (second, 0, 59, "second"))
    for value, low, high, what in limits:
        if not low <= value <= high:
            raise ValueError(f'parsing time "{text}": {what} out of range')
    days_in_month = (31, 29 if _is_leap(year) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days_in_month:
        raise ValueError(f'parsing time "{text}": day out of range')
    ns = ((days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * SECOND
          + int((fraction or "0").ljust(9, "0")))
    if zulu is None:
        offset = (int(zone_hours) * 3600 + int(zone_minutes) * 60) * SECOND
        ns -= offset if sign == "+" else -offset
    return ns
