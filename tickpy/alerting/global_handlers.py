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

from dataclasses import dataclass
from typing import Any, Iterable

from tickpy.check.pipeline import HandlerSpec
from tickpy.syntax.ast import Span


@dataclass(frozen=True, slots=True)
class GlobalKind:
    kind: str  # the service kind and its --config section
    handler: str  # the alert node property that adds a handler of this kind
    state_changes_key: str | None  # the setting its StateChangesOnly() reads; None: not consulted
    workspaces: bool = False  # a [[kind]] list whose default workspace is the one consulted


# In the order Kapacitor appends the global handlers (after the node's own handlers here: each
# handler delivers on its own thread, in Kapacitor as in tickpy, so only their set matters).
GLOBAL_KINDS: tuple[GlobalKind, ...] = (
    GlobalKind("smtp", "email", "state-changes-only"),
    GlobalKind("victorops", "victorOps", None),
    GlobalKind("pagerduty", "pagerDuty", None),
    GlobalKind("pagerduty2", "pagerDuty2", None),
    GlobalKind("slack", "slack", "state-changes-only", workspaces=True),
    GlobalKind("telegram", "telegram", "state-changes-only"),
    GlobalKind("hipchat", "hipChat", "state-changes-only"),
    GlobalKind("opsgenie", "opsGenie", None),
    GlobalKind("opsgenie2", "opsGenie2", None),
    GlobalKind("teams", "teams", "state-changes-only"),
    GlobalKind("discord", "discord", "global", workspaces=True),
    GlobalKind("servicenow", "serviceNow", "state-changes-only"),
    GlobalKind("bigpanda", "bigPanda", "state-changes-only"),
    GlobalKind("zenoss", "zenoss", "state-changes-only"),
)


def service_section(sections: dict[str, Any], entry: GlobalKind) -> dict[str, Any]:
    """The section Global()/StateChangesOnly() read: [kind], or for a [[kind]] list the default
    workspace (the only one; else the last with an empty workspace or with `default = true`)."""
    section = sections.get(entry.kind)
    if isinstance(section, list):
        tables = [table for table in section if isinstance(table, dict)]
        if len(tables) == 1:
            return tables[0]
        if not entry.workspaces:
            return {}
        chosen: dict[str, Any] = {}
        for table in tables:
            workspace = table.get("workspace", "")
            if workspace == "" or (table.get("default") is True and workspace != ""):
                chosen = table
        return chosen
    return section if isinstance(section, dict) else {}


def _is_global(sections: dict[str, Any], entry: GlobalKind) -> bool:
    return service_section(sections, entry).get("global") is True


def global_handler_specs(sections: dict[str, Any], own_handlers: Iterable[HandlerSpec],
                         span: Span | None = None) -> list[HandlerSpec]:
    """Handlers to add to an alert node whose own handlers are `own_handlers`: one with empty
    options for each global service of which the node has no handler."""
    own = {spec.kind for spec in own_handlers}
    return [HandlerSpec(entry.handler, [], [], span or Span.unknown())
            for entry in GLOBAL_KINDS if entry.handler not in own and _is_global(sections, entry)]


def state_changes_only_sections(sections: dict[str, Any]) -> list[str]:
    """The services whose config makes every alert node stateChangesOnly ([] when none)."""
    found = []
    for entry in GLOBAL_KINDS:
        if entry.state_changes_key is None or not _is_global(sections, entry):
            continue
        if service_section(sections, entry).get(entry.state_changes_key) is True:
            found.append(entry.kind)
    return found


__all__ = ["GLOBAL_KINDS", "GlobalKind", "global_handler_specs", "service_section", "state_changes_only_sections"]
