"""Kapacitor's `global = true` and `state-changes-only = true` service settings (alert.go,
newAlertNode; each service's Global() and StateChangesOnly()).

- A service whose config section says `global = true` gets a handler on every alert node that
  has none of its kind, built with empty options (the section's defaults apply). `enabled` is
  not consulted here: a disabled service's handler is added and then sends nothing.
- A service whose section says `global = true` and `state-changes-only = true` makes every alert
  node stateChangesOnly (without a max interval unless the script gave one), even a node with
  its own handler of that kind. Discord's StateChangesOnly() reads its `global` setting, so a
  global discord alone does it.
- Multi-workspace services ([[slack]], [[discord]]) read the default workspace's section.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tickpy.alerting.config import AlertConfig
from tickpy.check.pipeline import HandlerSpec
from tickpy.syntax.ast import Span


@dataclass(frozen=True, slots=True)
class GlobalKind:
    kind: str  # the service kind and its --config section
    handler: str  # the alert node property that adds a handler of this kind
    state_changes_key: str | None  # the setting its StateChangesOnly() reads; None: not consulted


# In the order Kapacitor appends the global handlers (after the node's own handlers here: each
# handler delivers on its own thread, in Kapacitor as in tickpy, so only their set matters).
GLOBAL_KINDS: tuple[GlobalKind, ...] = (
    GlobalKind("smtp", "email", "state-changes-only"),
    GlobalKind("victorops", "victorOps", None),
    GlobalKind("pagerduty", "pagerDuty", None),
    GlobalKind("pagerduty2", "pagerDuty2", None),
    GlobalKind("slack", "slack", "state-changes-only"),
    GlobalKind("telegram", "telegram", "state-changes-only"),
    GlobalKind("hipchat", "hipChat", "state-changes-only"),
    GlobalKind("opsgenie", "opsGenie", None),
    GlobalKind("opsgenie2", "opsGenie2", None),
    GlobalKind("teams", "teams", "state-changes-only"),
    GlobalKind("discord", "discord", "global"),
    GlobalKind("servicenow", "serviceNow", "state-changes-only"),
    GlobalKind("bigpanda", "bigPanda", "state-changes-only"),
    GlobalKind("zenoss", "zenoss", "state-changes-only"),
)


def _is_global(config: AlertConfig, entry: GlobalKind) -> bool:
    # The default workspace's section for [[slack]]/[[discord]] (the config check makes sure
    # there is one), as Global() reads it.
    return config.service_settings(entry.kind).get("global") is True


def global_handler_specs(config: AlertConfig, own_handlers: Iterable[HandlerSpec],
                         span: Span | None = None) -> list[HandlerSpec]:
    """Handlers to add to an alert node whose own handlers are `own_handlers`: one with empty
    options for each global service of which the node has no handler."""
    own = {spec.kind for spec in own_handlers}
    return [HandlerSpec(entry.handler, [], [], span or Span.unknown())
            for entry in GLOBAL_KINDS if entry.handler not in own and _is_global(config, entry)]


def state_changes_only_sections(config: AlertConfig) -> list[str]:
    """The services whose config makes every alert node stateChangesOnly ([] when none)."""
    found = []
    for entry in GLOBAL_KINDS:
        if entry.state_changes_key is None or not _is_global(config, entry):
            continue
        if config.service_settings(entry.kind).get(entry.state_changes_key) is True:
            found.append(entry.kind)
    return found


__all__ = ["GLOBAL_KINDS", "GlobalKind", "global_handler_specs", "state_changes_only_sections"]
