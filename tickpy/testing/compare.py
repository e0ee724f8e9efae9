"""Expectations of a test case against what the run produced, as a list of Mismatches.

`expect:` keys (each optional; a case checks only what it names):

    alerts:       the complete, ordered list of alert events; each item names any subset of
                  level, id, message, details, time, duration, previousLevel, tags, fields,
                  name, task, group, topic, category, recoverable. `[]`: no alerts.
                  time: RFC3339, Unix ns, or a duration from `start` (`20s`); duration: `10s` or ns.
                  tags/fields: only the keys named are checked.
    no_alerts:    true: the same as `alerts: []`.
    counts:       events per level {CRITICAL: 2, OK: 1} (also crit/warn/info/ok); levels not
                  named must have none.
    handlers:     target key -> the complete list of alerts it received, each a
                  subset of the alert JSON (id, message, details, time, duration, level,
                  previousLevel, recoverable, data) plus tags/fields of its first row, and
                  `headers` (post) or `request` (captured services). Targets not named must
                  have received nothing. Target keys are "<kind> <target as written>":
                  `tcp 127.0.0.1:7777`, `post http://hooks.example/x`, `log /var/log/a.log`,
                  `exec /bin/page --now`; external services by kind and handler id:
                  `slack cpu_alert.slack`. Every target is a private recorder on 127.0.0.1.
    topics:       topic name -> the complete, ordered list of events the task's alert nodes
                  published to it (`.topic('cpu')`), items as in `alerts`. Topics not named
                  are not checked; what each of its handlers received is `handlers`.
    httpOut:      endpoint name -> its result ({series: [...]}); mappings compare by the keys
                  given, lists element by element.
    httpPost:     URL -> the complete list of results httpPost nodes posted there
                  ({series: [...]} each; recorded, the URL is never contacted).
    influxDBOut:  the lines influxDBOut wrote, in order (a list or a block of text).

Numbers compare by value (5 equals 5.0); booleans are not numbers.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from dataclasses import dataclass
from typing import Any

from tickpy.golang.gotime import format_go_duration, format_time_rfc3339nano
from tickpy.runtime.alert_event import LEVELS
from tickpy.testing.times import TimeFormatError, format_offset, parse_duration_ns, parse_time_ns

__all__ = ["Mismatch", "check_expectations", "event_fields", "delivery_fields", "EVENT_KEYS", "LEVEL_ALIASES"]

EVENT_KEYS = ("level", "id", "message", "details", "time", "duration", "previousLevel", "tags", "fields", "name",
              "task", "group", "topic", "category", "recoverable")
LEVEL_ALIASES = {"ok": "OK", "info": "INFO", "warn": "WARNING", "warning": "WARNING", "crit": "CRITICAL",
                 "critical": "CRITICAL"}
_KU_COUNTERS = {"ok": "oks_triggered", "warn": "warns_triggered", "crit": "crits_triggered"}


@dataclass(slots=True)
class Mismatch:
    where: str  # alerts[2], counts, handlers["tcp 127.0.0.1:7777"][0], httpOut.cpu, influxDBOut[3]
    field: str  # level, fields.usage_idle, series[0].values[1][2]; "" for the whole item
    expected: Any = None
    got: Any = None
    label: str = ""  # what the item is: "CRITICAL cpu:nil at 20s (host=server02)"
    note: str = ""  # free text instead of expected/got

    def render(self) -> str:
        head = self.where + (f" ({self.label})" if self.label else "")
        if self.field:
            head += f": {self.field}"
        if self.note:
            return f"{head}: {self.note}"
        got = show(self.got)
        if self.got is _MISSING and self.field.startswith(("tags.", "fields.")):
            got = "no such tag" if self.field.startswith("tags.") else "no such field"
        return f"{head}: expected {show(self.expected)}, got {got}"

    def as_dict(self) -> dict:
        data: dict[str, Any] = {"where": self.where, "field": self.field, "label": self.label}
        if self.note:
            data["note"] = self.note
        else:
            data["expected"] = self.expected
            data["got"] = None if self.got is _MISSING else self.got
            if self.got is _MISSING:
                data["note"] = "missing"
        return data


def show(value: Any) -> str:
    if value is _MISSING:
        return "nothing"
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


_MISSING = object()


def counted(number: int, singular: str, plural: str = "") -> str:
    """`1 event`, `2 events`."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


# --------------------------------------------------------------------------- observed data


def _time_text(ns: int, start_ns: int, relative: bool) -> str:
    return format_offset(ns, start_ns) if relative else format_time_rfc3339nano(ns)


def event_fields(event, start_ns: int = 0, relative: bool = False) -> dict:
    """An AlertEvent as the keys an expectation names (times formatted for the file)."""
    return {
        "level": event.level, "id": event.id, "message": event.message, "details": event.details,
        "time": _time_text(event.time_ns, start_ns, relative), "duration": format_go_duration(event.duration_ns),
        "previousLevel": event.previous_level, "tags": dict(event.tags), "fields": dict(event.fields),
        "name": event.name, "task": event.task_name, "group": event.group, "topic": event.topic,
        "category": event.category, "recoverable": event.recoverable,
    }


def delivery_fields(delivery) -> dict:
    """A delivery's alert JSON plus tags/fields of its first row, headers/request when any."""
    data = delivery.as_dict()
    try:
        series = data["data"]["series"][0]
        row = series.get("values", [[]])[0]
        columns = series.get("columns", [])
        data.setdefault("tags", dict(series.get("tags") or {}))
        data.setdefault("fields", {c: v for c, v in zip(columns, row) if c != "time"})
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    return data


def _event_label(event, start_ns: int, relative: bool) -> str:
    tags = ",".join(f"{k}={v}" for k, v in sorted(event.tags.items()))
    return f"{event.level} {event.id} at {_time_text(event.time_ns, start_ns, relative)}" + (f", {tags}" if tags else "")


def _delivery_label(data: dict, start_ns: int, relative: bool) -> str:
    if not isinstance(data, dict) or "level" not in data:
        return ""
    when = data.get("time", "")
    try:
        when = _time_text(parse_time_ns(when), start_ns, relative)
    except TimeFormatError:
        pass
    return f"{data.get('level')} {data.get('id', '')} at {when}"


# --------------------------------------------------------------------------- matching


_NOT_FINITE = {"NaN": lambda value: value != value, "+Inf": lambda value: value == math.inf,
               "-Inf": lambda value: value == -math.inf}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def match_value(expected, got, where: str, path: str, label: str = "") -> list[Mismatch]:
    """Mappings by the keys expected names, lists element by element, numbers by value."""
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [Mismatch(where, path, expected, got, label)]
        out = []
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in got:
                out.append(Mismatch(where, sub, value, _MISSING, label))
            else:
                out.extend(match_value(value, got[key], where, sub, label))
        return out
    if isinstance(expected, list):
        if not isinstance(got, list):
            return [Mismatch(where, path, expected, got, label)]
        out = []
        if len(expected) != len(got):
            out.append(Mismatch(where, path, label=label,
                                note=f"expected {counted(len(expected), 'item')}, got {len(got)}: {show(got)}"))
            return out
        for index, (item, actual) in enumerate(zip(expected, got)):
            out.extend(match_value(item, actual, where, f"{path}[{index}]", label))
        return out
    if _is_number(expected) and _is_number(got):
        if expected == got or (expected != expected and got != got):  # NaN (stddev of one value) matches NaN
            return []
        return [Mismatch(where, path, expected, got, label)]
    if isinstance(expected, str) and expected in _NOT_FINITE and isinstance(got, float):
        # Go's spelling, as log lines and reports write these values
        return [] if _NOT_FINITE[expected](got) else [Mismatch(where, path, expected, got, label)]
    if isinstance(expected, _dt.date) and isinstance(got, str):
        # an unquoted RFC3339 time in YAML is a timestamp: compare it as a time
        try:
            if parse_time_ns(expected) == parse_time_ns(got):
                return []
        except TimeFormatError:
            pass
        return [Mismatch(where, path, format_time_rfc3339nano(parse_time_ns(expected)), got, label)]
    if expected == got and type(expected) is type(got):
        return []
    return [Mismatch(where, path, expected, got, label)]


def _match_time_like(key: str, expected, got_ns: int, where: str, label: str, start_ns: int,
                     relative: bool) -> list[Mismatch]:
    try:
        wanted = parse_time_ns(expected, start_ns) if key == "time" else parse_duration_ns(expected)
    except TimeFormatError as error:
        return [Mismatch(where, key, label=label, note=f"cannot read the expected value: {error}")]
    if wanted == got_ns:
        return []
    got = _time_text(got_ns, start_ns, relative) if key == "time" else format_go_duration(got_ns)
    return [Mismatch(where, key, expected, got, label)]


def _match_event(expected: dict, event, where: str, start_ns: int, relative: bool) -> list[Mismatch]:
    label = _event_label(event, start_ns, relative)
    if not isinstance(expected, dict):
        return [Mismatch(where, "", label=label, note="an expected event is a mapping of fields (level: ..., id: ...)")]
    observed = event_fields(event, start_ns, relative)
    out: list[Mismatch] = []
    for key, value in expected.items():
        if key not in EVENT_KEYS:
            out.append(Mismatch(where, str(key), label=label, note=f"unknown event field (known: {', '.join(EVENT_KEYS)})"))
        elif key == "time":
            out.extend(_match_time_like(key, value, event.time_ns, where, label, start_ns, relative))
        elif key == "duration":
            out.extend(_match_time_like(key, value, event.duration_ns, where, label, start_ns, relative))
        elif key == "level" or key == "previousLevel":
            wanted = LEVEL_ALIASES.get(str(value).lower(), value)
            if wanted != observed[key]:
                out.append(Mismatch(where, key, value, observed[key], label))
        else:
            out.extend(match_value(value, observed[key], where, key, label))
    return out


def _match_delivery(expected, data, where: str, start_ns: int, relative: bool) -> list[Mismatch]:
    label = _delivery_label(data, start_ns, relative)
    if not isinstance(expected, dict) or not isinstance(data, dict):
        return match_value(expected, data, where, "", label)
    out: list[Mismatch] = []
    for key, value in expected.items():
        if key in ("time", "duration") and key in data:
            try:
                got_ns = parse_time_ns(data[key]) if key == "time" else int(data[key])
            except (TimeFormatError, TypeError, ValueError):
                out.extend(match_value(value, data[key], where, key, label))
                continue
            out.extend(_match_time_like(key, value, got_ns, where, label, start_ns, relative))
        elif key in ("level", "previousLevel"):
            wanted = LEVEL_ALIASES.get(str(value).lower(), value)
            if wanted != data.get(key):
                out.append(Mismatch(where, key, value, data.get(key, _MISSING), label))
        elif key not in data:
            out.append(Mismatch(where, key, value, _MISSING, label))
        else:
            out.extend(match_value(value, data[key], where, key, label))
    return out


_ALIGN_LIMIT = 250_000  # expected x observed comparisons; beyond it, compare position by position


def _named_leaves(value) -> int:
    """How many values an expectation names (`{level: OK, tags: {host: a, dc: x}}`: 3)."""
    if isinstance(value, dict) and value:
        return sum(_named_leaves(item) for item in value.values())
    return 1


def align(expected: list, observed: list, mismatches) -> list[tuple[int | None, int | None, list]]:
    """Pairs (expected index, observed index, mismatches) that line the two lists up, in order.
    The alignment with the most full matches wins; among those, the one that pairs the most
    items, and then the one whose pairs agree on the most named values (a partial pair is
    reported field by field, which says more than "missing" plus "unexpected"). Ties go to the
    earliest pairing, so equal-length lists with equally good candidates pair by position.
    What is left over is missing (observed None) or extra (expected None)."""
    n, m = len(expected), len(observed)
    if n * m > _ALIGN_LIMIT:
        pairs = [(i, i, mismatches(i, i)) for i in range(min(n, m))]
        return pairs + [(i, None, []) for i in range(m, n)] + [(None, j, []) for j in range(n, m)]
    diffs = [[mismatches(i, j) for j in range(m)] for i in range(n)]
    # Integer weights keep ties exact: a full match outweighs any number of partial pairs, a
    # partial pair outweighs any two partial pairs' difference in agreement (101..200 each).
    full_weight = 201 * (min(n, m) + 1)
    weights = []
    for i in range(n):
        leaves = _named_leaves(expected[i])
        row = []
        for j in range(m):
            if not diffs[i][j]:
                row.append(full_weight)
            else:
                agreement = max(0.0, 1.0 - len(diffs[i][j]) / leaves)
                row.append(101 + min(99, int(agreement * 100)))
        weights.append(row)
    # best[i][j]: the best total weight aligning expected[i:] with observed[j:]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        below, here, row = best[i + 1], best[i], weights[i]
        for j in range(m - 1, -1, -1):
            here[j] = max(below[j + 1] + row[j], below[j], here[j + 1])
    out: list[tuple[int | None, int | None, list]] = []
    i = j = 0
    while i < n and j < m:
        if best[i][j] == best[i + 1][j + 1] + weights[i][j]:
            out.append((i, j, diffs[i][j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((i, None, []))
            i += 1
        else:
            out.append((None, j, []))
            j += 1
    out.extend((gi, None, []) for gi in range(i, n))
    out.extend((None, gj, []) for gj in range(j, m))
    return out


def _check_alerts(expected, run, start_ns: int, relative: bool) -> list[Mismatch]:
    return _check_events(expected, run.alerts, "alerts", start_ns, relative)


def _check_topics(expected, run, start_ns: int, relative: bool) -> list[Mismatch]:
    if not isinstance(expected, dict):
        return [Mismatch("topics", "", note="expect.topics maps a topic name to the list of its events")]
    out: list[Mismatch] = []
    published = {event.topic for event in run.alerts if event.topic}
    for topic, wanted in expected.items():
        events = [event for event in run.alerts if event.topic == str(topic)]
        if not events and wanted and str(topic) not in published:
            known = ", ".join(repr(name) for name in sorted(published)) or "none"
            out.append(Mismatch(f"topics[{str(topic)!r}]", "", note=f"no alert node published to this topic "
                                                                      f"(topics published to: {known})"))
            continue
        out.extend(_check_events(wanted if wanted is not None else [], events, f"topics[{str(topic)!r}]",
                                 start_ns, relative))
    return out


def _check_events(expected, events, where: str, start_ns: int, relative: bool) -> list[Mismatch]:
    if not isinstance(expected, list):
        return [Mismatch(where, "", note=f"expect.{where} must be a list of events ([] for none)")]
    out: list[Mismatch] = []
    if len(events) != len(expected):
        out.append(Mismatch(where, "", note=f"expected {counted(len(expected), 'event')}, got {len(events)}"))

    def compare(i: int, j: int) -> list[Mismatch]:
        return _match_event(expected[i], events[j], f"{where}[{i}]", start_ns, relative)

    for i, j, found in align(expected, events, compare):
        if i is not None and j is not None:
            out.extend(found)
        elif j is not None:
            label = f"event #{j} of the run: {_event_label(events[j], start_ns, relative)}"
            out.append(Mismatch(where, "", label=label, note="unexpected event (not in the expected list)"))
        elif i is not None:
            out.append(Mismatch(f"{where}[{i}]", "", note=f"expected event {show(expected[i])}, got no such event"))
    return out


def _check_counts(expected, run) -> list[Mismatch]:
    if not isinstance(expected, dict):
        return [Mismatch("counts", "", note="expect.counts maps levels to numbers: {CRITICAL: 2, OK: 1}")]
    wanted: dict[str, int] = {}
    out: list[Mismatch] = []
    for key, value in expected.items():
        level = LEVEL_ALIASES.get(str(key).lower(), str(key).upper())
        if level not in LEVELS:
            out.append(Mismatch("counts", str(key), note="unknown level (OK, INFO, WARNING, CRITICAL)"))
            continue
        wanted[level] = wanted.get(level, 0) + int(value or 0)
    got = run.counts()
    for level in LEVELS:
        if wanted.get(level, 0) != got.get(level, 0):
            out.append(Mismatch("counts", level, wanted.get(level, 0), got.get(level, 0)))
    return out


def _check_triggered(expected: dict, run) -> list[Mismatch]:
    """kapacitor-unit's check: the alert nodes' ok/warn/crit counters."""
    got = run.triggered()
    out = []
    for key, counter in _KU_COUNTERS.items():
        if int(expected.get(key, 0)) != got.get(counter, 0):
            out.append(Mismatch("expects", key, int(expected.get(key, 0)), got.get(counter, 0)))
    if out:
        summary = ", ".join(f"{k}: {got.get(c, 0)}" for k, c in _KU_COUNTERS.items())
        out.append(Mismatch("expects", "", note=f"alerts triggered ({summary})"))
    return out


def _check_handlers(expected, run, start_ns: int, relative: bool) -> list[Mismatch]:
    if not isinstance(expected, dict):
        return [Mismatch("handlers", "", note="expect.handlers maps a target (e.g. 'tcp 127.0.0.1:7777') to a list")]
    out: list[Mismatch] = []
    received = run.deliveries
    for key, wanted in expected.items():
        got = [delivery_fields(d) for d in received.get(key, [])]
        where = f"handlers[{key!r}]"
        if wanted is None:
            wanted = []
        if not isinstance(wanted, list):
            out.append(Mismatch(where, "", note="a list of the alerts the target received"))
            continue
        if len(wanted) != len(got):
            expected_count = counted(len(wanted), "delivery", "deliveries")
            out.append(Mismatch(where, "", note=f"expected {expected_count}, got {len(got)}"))

        def compare(i: int, j: int, wanted=wanted, got=got, where=where) -> list[Mismatch]:
            return _match_delivery(wanted[i], got[j], f"{where}[{i}]", start_ns, relative)

        for i, j, found in align(wanted, got, compare):
            if i is not None and j is not None:
                out.extend(found)
            elif j is not None:
                label = f"delivery #{j}: {_delivery_label(got[j], start_ns, relative)}"
                out.append(Mismatch(where, "", label=label, note="unexpected delivery"))
            elif i is not None:
                out.append(Mismatch(f"{where}[{i}]", "", note=f"expected {show(wanted[i])}, got no such delivery"))
    for key, deliveries in received.items():
        if key not in expected:
            known = ", ".join(repr(k) for k in received)
            out.append(Mismatch(f"handlers[{key!r}]", "", note=f"received {counted(len(deliveries), 'alert')} but the "
                                                               f"test does not name this target (targets: {known})"))
    return out


def _check_httpout(expected, run) -> list[Mismatch]:
    if not isinstance(expected, dict):
        return [Mismatch("httpOut", "", note="expect.httpOut maps an endpoint name to its result")]
    out: list[Mismatch] = []
    for name, wanted in expected.items():
        if name not in run.httpout:
            known = ", ".join(sorted(run.httpout)) or "none"
            out.append(Mismatch(f"httpOut.{name}", "", note=f"no httpOut node named {name!r} (endpoints: {known})"))
            continue
        out.extend(match_value(wanted, run.httpout[name], f"httpOut.{name}", ""))
    return out


def _check_http_posts(expected, run) -> list[Mismatch]:
    if not isinstance(expected, dict):
        return [Mismatch("httpPost", "", note="expect.httpPost maps a URL to the list of results posted there")]
    out: list[Mismatch] = []
    for url, wanted in expected.items():
        got = [d.alert for d in run.http_posts.get(url, [])]
        out.extend(match_value(wanted if wanted is not None else [], got, f"httpPost[{url!r}]", ""))
    for url, posted in run.http_posts.items():
        if url not in expected:
            out.append(Mismatch(f"httpPost[{url!r}]", "", note=f"received {counted(len(posted), 'post')} but the test "
                                                                "does not name this URL"))
    return out


def _check_influxdb(expected, run) -> list[Mismatch]:
    if isinstance(expected, str):
        expected = [line for line in expected.splitlines() if line.strip()]
    if not isinstance(expected, list):
        return [Mismatch("influxDBOut", "", note="expect.influxDBOut is a list of lines or a block of text")]
    got = run.influxdb_lines
    out = []
    for index, (wanted, line) in enumerate(zip(expected, got)):
        if str(wanted) != line:
            out.append(Mismatch(f"influxDBOut[{index}]", "", str(wanted), line))
    if len(expected) != len(got):
        out.insert(0, Mismatch("influxDBOut", "", note=f"expected {counted(len(expected), 'line')}, got {len(got)}"))
        for index in range(len(expected), len(got)):
            out.append(Mismatch(f"influxDBOut[{index}]", "", note=f"unexpected line {show(got[index])}"))
        for index in range(len(got), len(expected)):
            out.append(Mismatch(f"influxDBOut[{index}]", "", note=f"expected line {show(expected[index])}, got none"))
    return out


def check_expectations(expect: dict, run, start_ns: int = 0, relative: bool = False) -> list[Mismatch]:
    """Every difference between `expect` and the run (empty: the case passes)."""
    out: list[Mismatch] = []
    if "alerts" in expect:
        out.extend(_check_alerts(expect["alerts"] if expect["alerts"] is not None else [], run, start_ns, relative))
    if expect.get("no_alerts"):
        out.extend(_check_alerts([], run, start_ns, relative))
    if "counts" in expect:
        out.extend(_check_counts(expect["counts"] or {}, run))
    if "triggered" in expect:
        out.extend(_check_triggered(expect["triggered"], run))
    if "topics" in expect:
        out.extend(_check_topics(expect["topics"] or {}, run, start_ns, relative))
    if "handlers" in expect:
        out.extend(_check_handlers(expect["handlers"] or {}, run, start_ns, relative))
    if "httpOut" in expect:
        out.extend(_check_httpout(expect["httpOut"] or {}, run))
    if "httpPost" in expect:
        out.extend(_check_http_posts(expect["httpPost"] or {}, run))
    if "influxDBOut" in expect:
        out.extend(_check_influxdb(expect["influxDBOut"] or [], run))
    return out
