"""The alert node, with Kapacitor's semantics (alert.go):

- Levels are checked from CRITICAL down; a level's reset lambda (`.critReset()`...) keeps the
  current level while it is false. Lambdas are shared by all groups (as Kapacitor's are).
- State per group: a ring of the last `.history(n)` levels (at least 2), flapping detection
  (`.flapping(low, high)`), `.stateChangesOnly([max interval])`, `.noRecoveries()`.
- A new group (its first point, batch or barrier, also after a delete-group message) starts
  from the last event stored for its event id, as Kapacitor's NewGroup does: when the node's
  topics (its own handlers' anonymous topic, its `.topic()`) hold a non-OK event with that id,
  the state starts at that level, triggered at that event's time. An id template that does
  not tell the groups apart thus makes them share one level history.
- An event is produced for every non-OK level and for each recovery (OK after non-OK), unless
  suppressed; it carries id/message/details rendered from the templates, the duration since
  the alert started, the previous level and the point's (or batch's) data.
- Events go to the node's own handlers (Kapacitor's anonymous topic) and to `.topic(name)`;
  `.inhibit(category, tags...)` and `.category(name)` suppress events as Kapacitor does.
- The point or batch that caused an event is passed downstream, with `.levelTag`, `.idTag`,
  `.levelField`, `.idField`, `.messageField`, `.durationField` added.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from tickpy.diagnostics import TickpyError
from tickpy.golang import gojson
from tickpy.golang.gotime import GO_ZERO_TIME_NS, time_sub
from tickpy.runtime.alert_event import LEVELS as LEVEL_NAMES
from tickpy.runtime.alert_event import AlertEvent
from tickpy.runtime.messages import (
    BarrierMessage,
    BatchMessage,
    BatchPoint,
    Dimensions,
    PointMessage,
    display_group,
    group_id,
)
from tickpy.runtime.nodes.base import RuntimeNode, duration_ns, register

OK, INFO, WARNING, CRITICAL = 0, 1, 2, 3
LEVEL_PROPERTIES = ((INFO, "info", "infoReset"), (WARNING, "warn", "warnReset"), (CRITICAL, "crit", "critReset"))

DEFAULT_ID = "{{ .Name }}:{{ .Group }}"
DEFAULT_MESSAGE = "{{ .ID }} is {{ .Level }}"
DEFAULT_DETAILS = "{{ json . }}"
DEFAULT_HISTORY = 21

# The newest state change weighs WEIGHT_DIFF times the oldest; the newest weighs MAX_WEIGHT.
WEIGHT_DIFF = 1.5
MAX_WEIGHT = 1.2
# Go folds MAX_WEIGHT / WEIGHT_DIFF exactly, as untyped constants, before rounding once: 0.8, where
# float division gives 0.7999999999999999 (and a history at exactly the flapping bound flips).
OLDEST_WEIGHT = float(Fraction("1.2") / Fraction("1.5"))


class Inhibitor:
    """Suppresses events of `category` whose tags match `tags` while its alert is not OK."""

    __slots__ = ("category", "tags", "inhibited")

    def __init__(self, category: str, tags: dict[str, str]):
        self.category = category
        self.tags = tags
        self.inhibited = False

    def is_inhibited(self, category: str, tags: dict[str, str]) -> bool:
        if not self.inhibited or category != self.category:
            return False
        for key, value in self.tags.items():
            if tags.get(key, "") != value:
                return False
        return True


class InhibitorLookup:
    """All inhibitors of a run, by category (Kapacitor keeps them in its alert service)."""

    def __init__(self):
        self.by_category: dict[str, list[Inhibitor]] = {}

    def add(self, inhibitor: Inhibitor) -> None:
        self.by_category.setdefault(inhibitor.category, []).append(inhibitor)

    def is_inhibited(self, category: str, tags: dict[str, str]) -> bool:
        for inhibitor in self.by_category.get(category, ()):
            if inhibitor.is_inhibited(category, tags):
                return True
        return False


def inhibitor_lookup(ctx) -> InhibitorLookup:
    lookup = ctx.shared.get("inhibitors")
    if lookup is None:
        lookup = ctx.shared["inhibitors"] = InhibitorLookup()
    return lookup


class AlertState:
    """One group's alert state."""

    __slots__ = ("history", "idx", "flapping", "changed", "first_triggered", "last_triggered",
                 "expired", "inhibitors", "restored_from")

    def __init__(self, history: int, inhibitors: list[Inhibitor]):
        self.history = [OK] * history
        self.idx = 0
        self.flapping = False
        self.changed = False
        # Go's zero time.Time: a state that never triggered has it as its last trigger time.
        self.first_triggered = GO_ZERO_TIME_NS
        self.last_triggered = GO_ZERO_TIME_NS
        self.expired = False
        self.inhibitors = inhibitors
        # (event id, level, time) of the stored event the state started from, if any.
        self.restored_from: tuple[str, int, int] | None = None

    def percent_change(self) -> float:
        history = self.history
        length = len(history)
        changes = 0.0
        weight = OLDEST_WEIGHT
        step = (MAX_WEIGHT - weight) / float(length - 1)
        for i in range(length - 1):
            current = (i + self.idx) % length
            previous = current - 1 if current > 0 else length - 1
            if history[current] != history[previous]:
                changes += weight
            weight += step
        return changes / float(length - 1)

    def triggered(self, time: int) -> None:
        self.last_triggered = time
        previous = self.idx - 1 if self.idx > 0 else len(self.history) - 1
        if self.history[previous] == OK:
            self.first_triggered = time
        inhibited = self.history[self.idx] != OK
        for inhibitor in self.inhibitors:
            inhibitor.inhibited = inhibited

    def duration(self) -> int:
        return time_sub(self.last_triggered, self.first_triggered)


@register("AlertNode")
class AlertNode(RuntimeNode):
    def __init__(self, spec, ctx):
        super().__init__(spec, ctx)
        self.group_state = ("states",)  # forgotten on a delete-group message
        extra = getattr(spec, "extra", None) or {}
        id_template = self.property_value("id", extra.get("id", DEFAULT_ID))
        message_template = self.property_value("message", extra.get("message", DEFAULT_MESSAGE))
        details_template = self.property_value("details", extra.get("details", DEFAULT_DETAILS))
        self.templates = _compile_templates(self, str(id_template), str(message_template), str(details_template))

        # Level predicates, index = level; one evaluator each, shared by all groups.
        self.levels: list[Any] = [None, None, None, None]
        self.resets: list[Any] = [None, None, None, None]
        for level, name, reset_name in LEVEL_PROPERTIES:
            expression = self.property_value(name)
            if expression is None:
                continue
            self.levels[level] = self.compile_lambda(expression).new_evaluator().evaluate
            reset = self.property_value(reset_name)
            if reset is not None:
                self.resets[level] = self.compile_lambda(reset).new_evaluator().evaluate
        descending = [(lvl, self.levels[lvl]) for lvl in (CRITICAL, WARNING, INFO) if self.levels[lvl]]
        # For each current level: the levels tried first (the current one and above), and
        # after a reset check those at or below it (Kapacitor evaluates the current level's
        # lambda twice then, which matters for stateful functions).
        self.levels_from_current = [[(lvl, f) for lvl, f in descending if lvl >= current] for current in range(4)]
        self.levels_at_or_below = [[(lvl, f) for lvl, f in descending if lvl <= current] for current in range(4)]

        history = self.property_value("history", DEFAULT_HISTORY)
        self.history = max(int(history), 2)
        flapping = self.property_args("flapping")
        self.use_flapping = flapping is not None
        if self.use_flapping:
            self.flap_low, self.flap_high = float(flapping[0]), float(flapping[1])
            if self.flap_low > 1 or self.flap_high > 1:
                raise self.script_error("alert flap thresholds are percentages and should be between 0 and 1")
        state_changes = self.spec.last("stateChangesOnly")
        self.state_changes_only = state_changes is not None
        self.state_changes_duration = 0
        if state_changes is not None and state_changes.args:
            self.state_changes_duration = duration_ns(state_changes.args[0])
        self.no_recoveries = self.has("noRecoveries")
        self.all_flag = self.has("all")
        self.level_tag = str(self.property_value("levelTag", "") or "")
        self.level_field = str(self.property_value("levelField", "") or "")
        self.id_tag = str(self.property_value("idTag", "") or "")
        self.id_field = str(self.property_value("idField", "") or "")
        self.message_field = str(self.property_value("messageField", "") or "")
        self.duration_field = str(self.property_value("durationField", "") or "")
        self.augments_tags = bool(self.level_tag or self.id_tag)
        self.augments_fields = bool(self.level_field or self.id_field or self.message_field or self.duration_field)
        self.category = str(self.property_value("category", "") or "")
        self.topic = str(self.property_value("topic", "") or "")
        self.inhibit_specs = [
            (str(call.args[0]), [str(t) for t in call.args[1:]]) for call in spec.all("inhibit") if call.args
        ]
        self.inhibitors = inhibitor_lookup(ctx)
        self.global_handler_kinds: list[str] = []  # handlers added by `global = true` in --config
        self.handlers = _build_handlers(self)
        if self.handlers:
            ctx.alert_service.open_anon_topic(ctx.task_name, self.label)
        # Kapacitor: a global service with `state-changes-only = true` makes every alert node
        # stateChangesOnly, keeping the script's max interval if any.
        self.state_changes_only_from = _forced_state_changes_only(self)
        if self.state_changes_only_from:
            self.state_changes_only = True
        self.states: dict[str, AlertState] = {}
        # The anonymous topic's last level per event id (Kapacitor's previousLevel).
        self.previous_levels: dict[str, str] = {}
        self.counters = {"alerts_triggered": 0, "alerts_inhibited": 0, "oks_triggered": 0,
                         "infos_triggered": 0, "warns_triggered": 0, "crits_triggered": 0,
                         "events_dropped": 0}

    # ------------------------------------------------------------------ levels

    def determine_level(self, fields, tags, time: int, current: int) -> int:
        """Kapacitor's determineLevel: the highest true level at or above the current one wins;
        otherwise the current level's reset lambda (if any) keeps it while false; otherwise
        the highest true level at or below the current one, else OK. Lambda errors are
        reported and the level is skipped."""
        for level, evaluate in self.levels_from_current[current]:
            try:
                if evaluate(fields, tags, time):
                    return level
            except Exception as error:
                self._level_error(level, error, time)
        if current == OK:
            return OK
        reset = self.resets[current]
        if reset is not None:
            try:
                if not reset(fields, tags, time):
                    return current
            except Exception as error:
                self.error(f"error evaluating reset expression for current level {LEVEL_NAMES[current]}: {error}", time)
        for level, evaluate in self.levels_at_or_below[current]:
            try:
                if evaluate(fields, tags, time):
                    return level
            except Exception as error:
                self._level_error(level, error, time)
        return OK

    def _level_error(self, level: int, error: Exception, time: int) -> None:
        self.error(f"error evaluating expression for level {LEVEL_NAMES[level]}: {error}", time)

    # ------------------------------------------------------------------ state

    def _state(self, group: str, group_tags: dict[str, str], name: str, tags: dict[str, str], time: int) -> AlertState:
        """The group's state, made (and restored) when the group is new: `name`, `tags` and
        `time` are those of the message that made it (Kapacitor's NewGroup `first`)."""
        state = self.states.get(group)
        if state is None:
            inhibitors = []
            for category, equal_tags in self.inhibit_specs:
                inhibitor = Inhibitor(category, {t: group_tags.get(t, "") for t in equal_tags})
                self.inhibitors.add(inhibitor)
                inhibitors.append(inhibitor)
            state = self.states[group] = AlertState(self.history, inhibitors)
            self._restore(state, group, name, tags, time)
        return state

    def _restore(self, state: AlertState, group: str, name: str, tags: dict[str, str], time: int) -> None:
        """Kapacitor's restoreEventState: start from the last event stored for the group's id."""
        service = self.ctx.alert_service
        if service is None or not (self.handlers or self.topic):
            return  # no topic holds this node's events
        try:
            event_id = self.templates.event_id(name, self.ctx.task_name, display_group(group), tags)
        except TickpyError:
            return  # the id cannot be rendered: each event of the group reports it
        stored = service.last_event(self.ctx.task_name, self.label, bool(self.handlers), self.topic, event_id)
        if stored is None or stored[0] == "OK":
            return
        level = LEVEL_NAMES.index(stored[0])
        self._add_event(state, time, level)
        state.triggered(stored[1])
        state.restored_from = (event_id, level, stored[1])
        # The topics now hold this level for the id: it is the previous level of its next event.
        self.previous_levels[event_id] = stored[0]

    def _add_event(self, state: AlertState, time: int, level: int) -> None:
        history = state.history
        state.changed = history[state.idx] != level
        state.idx = (state.idx + 1) % len(history)
        history[state.idx] = level
        if self.use_flapping:
            self._update_flapping(state)
        state.expired = (
            not state.changed
            and self.state_changes_duration != 0
            and time_sub(time, state.last_triggered) >= self.state_changes_duration
        )

    def _update_flapping(self, state: AlertState) -> None:
        change = state.percent_change()
        if state.flapping and change < self.flap_low:
            state.flapping = False
        elif not state.flapping and change > self.flap_high:
            state.flapping = True

    # ------------------------------------------------------------------ stream

    def point(self, msg: PointMessage) -> None:
        state = self.states.get(msg.group)
        if state is None:
            # the group's tags, as Kapacitor's GroupInfo
            state = self._state(msg.group, msg.group_tags(), msg.name, msg.tags, msg.time)
        time = msg.time
        fields = msg.fields
        history = state.history
        current = history[state.idx]
        if current == OK:  # determine_level from OK, inlined for the hot path
            level = OK
            tags = msg.tags
            for candidate, evaluate in self.levels_from_current[OK]:
                try:
                    if evaluate(fields, tags, time):
                        level = candidate
                        break
                except Exception as error:
                    self._level_error(candidate, error, time)
        else:
            level = self.determine_level(fields, msg.tags, time, current)
        # _add_event, inlined for the hot path
        changed = state.changed = history[state.idx] != level
        idx = state.idx + 1
        if idx == self.history:
            idx = 0
        state.idx = idx
        history[idx] = level
        if level == OK and not changed:
            if self.use_flapping:
                self._update_flapping(state)
            state.expired = False
            return  # nothing to send: no alert and no recovery
        if self.use_flapping:
            self._update_flapping(state)
        state.expired = (
            not changed
            and self.state_changes_duration != 0
            and time_sub(time, state.last_triggered) >= self.state_changes_duration
        )
        if (self.use_flapping and state.flapping) or (self.state_changes_only and not changed and not state.expired):
            return
        state.triggered(time)
        if self.no_recoveries and level == OK:
            return
        event = self._event(msg.name, msg.group, msg.tags, fields, level, time, state.duration(), msg.to_result())
        if event is None:
            return
        self._handle_event(event)
        out = msg
        if self.augments_tags or self.augments_fields:
            out = msg.copy()
            if self.augments_tags:
                out.tags = self._augment_tags(msg.tags, event)
                out.group = group_id(out.name, out.tags, out.dimensions)
            if self.augments_fields:
                out.fields = self._augment_fields(fields, event)
        self.forward_point(out)

    # ------------------------------------------------------------------ batch

    def batch(self, msg: BatchMessage) -> None:
        state = self._state(msg.group, msg.tags, msg.name, msg.tags, msg.tmax)  # even for an empty batch
        if not msg.points:
            return
        lowest, highest = CRITICAL, OK
        highest_point = None
        current = state.history[state.idx]
        for point in msg.points:
            level = self.determine_level(point.fields, point.tags, point.time, current)
            if level < lowest:
                lowest = level
            if level > highest or highest_point is None:
                highest = level
                highest_point = point
        assert highest_point is not None, "the batch has points"
        level = lowest if self.all_flag else highest
        time = highest_point.time
        if self.all_flag or level == OK:
            time = msg.tmax
        self._add_event(state, time, level)
        if not (
            (state.changed and level == OK)
            or (
                level != OK
                and not (
                    (self.use_flapping and state.flapping)
                    or (self.state_changes_only and not state.changed and not state.expired)
                )
            )
        ):
            return
        state.triggered(time)
        if self.no_recoveries and level == OK:
            return
        event = self._event(
            msg.name, msg.group, msg.tags, highest_point.fields, level, time, state.duration(), msg.to_result()
        )
        if event is None:
            return
        self._handle_event(event)
        out = msg
        if self.augments_tags or self.augments_fields:
            points = []
            for point in msg.points:
                tags = self._augment_tags(point.tags, event) if self.augments_tags else point.tags
                fields = self._augment_fields(point.fields, event) if self.augments_fields else point.fields
                points.append(BatchPoint(point.time, fields, tags))
            batch_tags = self._augment_tags(msg.tags, event) if self.augments_tags else msg.tags
            # A begin-batch message's SetTags makes every tag a dimension (Kapacitor).
            dimensions = msg.dimensions
            if batch_tags is not msg.tags:
                dimensions = Dimensions(msg.dimensions.by_name, tuple(sorted(batch_tags)))
            out = BatchMessage(msg.name, batch_tags, dimensions, msg.tmax, points)
        self.forward_batch(out)

    # ------------------------------------------------------------------ barrier

    def barrier(self, msg: BarrierMessage) -> None:
        # A barrier makes an unknown group too, rendering its id from the barrier's own name
        # ("barrier") and (empty) tags, as Kapacitor's grouped consumer does.
        if msg.group not in self.states:
            self._state(msg.group, msg.tags, "barrier", {}, msg.time)
        self.forward_barrier(msg)

    # ------------------------------------------------------------------ events

    def _augment_tags(self, tags, event: AlertEvent) -> dict[str, str]:
        tags = dict(tags)
        if self.level_tag:
            tags[self.level_tag] = event.level
        if self.id_tag:
            tags[self.id_tag] = event.id
        return tags

    def _augment_fields(self, fields, event: AlertEvent) -> dict[str, Any]:
        fields = dict(fields)
        if self.level_field:
            fields[self.level_field] = event.level
        if self.message_field:
            fields[self.message_field] = event.message
        if self.id_field:
            fields[self.id_field] = event.id
        if self.duration_field:
            fields[self.duration_field] = event.duration_ns
        return fields

    def _event(self, name, group, tags, fields, level, time, duration, result) -> AlertEvent | None:
        shown_group = display_group(group)
        level_name = LEVEL_NAMES[level]
        try:
            event_id = self.templates.event_id(name, self.ctx.task_name, shown_group, tags)
            message, details = self.templates.message_and_details(
                event_id, name, self.ctx.task_name, shown_group, tags, fields, level_name, time, duration
            )
        except TickpyError as error:  # a template that fails at execution: Kapacitor logs and drops
            self.error(str(error), time)
            return None
        return AlertEvent(
            id=event_id,
            message=message,
            details=details,
            time_ns=time,
            duration_ns=duration,
            level=level_name,
            previous_level="OK",
            name=name,
            task_name=self.ctx.task_name,
            group=group,
            tags=tags,
            fields=dict(fields.items()),  # (LazyFields: one copy of the decoded dict)
            recoverable=not self.no_recoveries,
            result=result,
            category=self.category,
            topic=self.topic,
            node=self.label,
        )

    def describe_state(self, show_time) -> list[str]:
        lines = []
        for group, state in self.states.items():
            length = len(state.history)
            oldest_first = [LEVEL_NAMES[state.history[(state.idx + 1 + i) % length]] for i in range(length)]
            runs: list[list] = []  # [level, times] of each run of one level
            for level in oldest_first:
                if runs and runs[-1][0] == level:
                    runs[-1][1] += 1
                else:
                    runs.append([level, 1])
            history = " ".join(level if times == 1 else f"{level}x{times}" for level, times in runs)
            line = (f"group {display_group(group)}: level {LEVEL_NAMES[state.history[state.idx]]}, "
                    f"history (oldest first) {history}")
            if self.use_flapping:
                line += ", flapping" if state.flapping else ", not flapping"
            if state.history[state.idx] != OK:
                line += f", triggered since {show_time(state.first_triggered)}"
            lines.append(line)
        return lines

    def _handle_event(self, event: AlertEvent) -> None:
        if self.inhibitors.is_inhibited(event.category, event.tags):
            self.counters["alerts_inhibited"] += 1
            return
        counters = self.counters
        counters["alerts_triggered"] += 1
        counters[("oks_triggered", "infos_triggered", "warns_triggered", "crits_triggered")[
            LEVEL_NAMES.index(event.level)]] += 1
        # One task's view of its topics: the previous level of this event id. (A named topic
        # shared with other tasks is the alert service's business: it may rewrite the wire.)
        event.previous_level = self.previous_levels.get(event.id, "OK")
        self.previous_levels[event.id] = event.level
        try:
            event.wire = alert_wire(event)
        except gojson.GoJSONError as error:  # a NaN or infinite field: handlers report it
            event.wire_error = f"failed to marshal alert data json: {error}"
        ctx = self.ctx
        ctx.alert_counts[event.level] = ctx.alert_counts.get(event.level, 0) + 1
        if ctx.keep_alerts:
            ctx.alerts.append(event)
        service = self.ctx.alert_service
        if service is None or not (self.handlers or event.topic):
            return
        try:
            # The service runs the node's own handlers (Kapacitor's anonymous topic) and
            # collects the event into `.topic()`, whose handler files then run.
            service.handle(event, self.handlers, node=self.label)
        except Exception as error:
            self.counters["events_dropped"] += 1
            self.error(f"encountered error collecting event {event.id}: {error}", event.time_ns)

    def extra_stats(self) -> dict[str, Any]:
        return dict(self.counters)

    # ------------------------------------------------------------------ observers

    def observe(self, observer) -> None:
        """Hook point: `observer.level_evaluated(level, reset, result, fields, tags, time)` after
        each level (reset: reset) expression is evaluated, `result` being its value or the
        exception it raised (then handled as usual). The evaluators are wrapped here, so an
        unobserved node calls them directly. Observers may read `states`, `counters` and the
        settings read in `__init__`."""
        super().observe(observer)
        wrapped: dict[int, Any] = {}

        def wrap(level: int, reset: bool, evaluate):
            if evaluate is None:
                return None
            if id(evaluate) in wrapped:
                return wrapped[id(evaluate)]

            def observed(fields, tags, time):
                try:
                    value = evaluate(fields, tags, time)
                except Exception as error:
                    observer.level_evaluated(level, reset, error, fields, tags, time)
                    raise
                observer.level_evaluated(level, reset, value, fields, tags, time)
                return value

            wrapped[id(evaluate)] = observed
            return observed

        self.levels_from_current = [[(lvl, wrap(lvl, False, f)) for lvl, f in row] for row in self.levels_from_current]
        self.levels_at_or_below = [[(lvl, wrap(lvl, False, f)) for lvl, f in row] for row in self.levels_at_or_below]
        self.resets = [wrap(lvl, True, f) for lvl, f in enumerate(self.resets)]


def alert_wire(event: AlertEvent) -> bytes:
    """`json.Marshal(alert.Data)`: the bytes every handler sends (without framing). Written
    member by member in alert.Data's order (a failing member fails first, as in Go)."""
    quote = gojson.quote_string
    text = ('{"id":' + quote(event.id) + ',"message":' + quote(event.message) + ',"details":'
            + quote(event.details) + ',"time":' + gojson.marshal_time(event.time_ns) + ',"duration":'
            + gojson.dumps(event.duration_ns) + ',"level":' + quote(event.level) + ',"data":'
            + _result_json(event.result) + ',"previousLevel":' + quote(event.previous_level)
            + ',"recoverable":' + ("true" if event.recoverable else "false") + "}")
    return text.encode("utf-8", errors="surrogateescape")


# The JSON of a one-row result up to its values, per (name, tags, columns): a series' events
# share it. Only rows shaped as point_row and BatchMessage.to_row make them.
_ROW_HEADS: dict[tuple, str] = {}
_ROW_SHAPES = {("name", "tags", "columns", "values"), ("name", "columns", "values"),
               ("tags", "columns", "values"), ("columns", "values")}


def _result_json(result) -> str:
    """gojson.dumps(result), with the constant part of a one-row result kept."""
    if type(result) is gojson.Struct and len(result) == 1:
        series = result.get("series")
        if type(series) is list and len(series) == 1:
            row = series[0]
            if type(row) is gojson.Struct and tuple(row) in _ROW_SHAPES:
                tags = row.get("tags")
                columns = row["columns"]
                if (tags is None or type(tags) is dict) and type(columns) is list:
                    key = (row.get("name"), tuple(tags.items()) if tags is not None else None, tuple(columns))
                    head = _ROW_HEADS.get(key)
                    if head is None:
                        head_row = gojson.Struct(row)
                        del head_row["values"]
                        # '{"series":[{...,"columns":[...]}]}' -> '{"series":[{...,"columns":[...],"values":'
                        head = gojson.dumps(gojson.Struct(series=[head_row]))[:-3] + ',"values":'
                        if len(_ROW_HEADS) >= 4096:
                            _ROW_HEADS.clear()
                        _ROW_HEADS[key] = head
                    return head + gojson.dumps(row["values"]) + "}]}"
    return gojson.dumps(result)


# ---------------------------------------------------------------------- collaborators


def _compile_templates(node: AlertNode, id_text: str, message_text: str, details_text: str):
    # local: the template machinery (~0.1 s) loads only for a task that uses it
    from tickpy.check.alert_templates import compile_alert_templates

    try:
        compiled = compile_alert_templates(id_text, message_text, details_text)
    except TickpyError as error:
        kind = getattr(error, "kind", "")
        call = node.spec.last({"id": "id", "message": "message", "details": "details"}.get(kind, ""))
        span = call.span if call is not None else node.spec.span
        raise node.script_error(str(error), span=span, code="alert-template") from None
    return compiled


def _build_handlers(node: AlertNode) -> list:
    """The node's own handlers (`.tcp()`, `.post()`, `.log()`, ...), then one for each service
    `global = true` in --config of whose kind the node has none, built by the alert service;
    a handler it cannot build is a script error raised before any point is read."""
    specs = node.spec.handlers
    service = node.ctx.alert_service
    if service is None:
        if specs:
            raise node.unsupported(f"alert handler .{specs[0].kind}() without an alert service", span=specs[0].span)
        return []
    handlers = [service.direct_handler(spec, node.ctx.task_name) for spec in specs]
    for spec in service.global_handler_specs(specs, node.spec.span):
        handlers.append(service.direct_handler(spec, node.ctx.task_name))
        node.global_handler_kinds.append(spec.kind)
    return handlers


def _forced_state_changes_only(node: AlertNode) -> list[str]:
    """The --config sections (global with state-changes-only) that make the node stateChangesOnly."""
    service = node.ctx.alert_service
    return service.state_changes_only_sections() if service is not None else []


__all__ = ["AlertNode", "AlertState", "Inhibitor", "InhibitorLookup", "alert_wire"]
