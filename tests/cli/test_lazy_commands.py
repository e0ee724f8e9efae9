"""`tickpy` imports a command's module only when that command runs, and what that command does not
use stays unimported; `tickpy --help` still lists every command as if all were loaded."""

from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import tickpy.cli
from tickpy.cli import COMMANDS, main

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI_FOLDER = pathlib.Path(tickpy.cli.__file__).parent


def command_modules() -> dict[str, click.Command]:
    """Every module of tickpy/cli that defines a command (a click command named `command`)."""
    found = {}
    for path in sorted(CLI_FOLDER.glob("*.py")):
        if path.stem != "__init__":
            command = getattr(importlib.import_module(f"tickpy.cli.{path.stem}"), "command", None)
            if isinstance(command, click.Command):
                found[path.stem] = command
    return found


def test_every_command_module_is_a_command_of_its_own_name():
    modules = command_modules()
    assert sorted(modules) == sorted(COMMANDS)
    assert {name: command.name for name, command in modules.items()} == {name: name for name in modules}


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands_section = result.output.split("\nCommands:\n")[1]
    assert [line.split()[0] for line in commands_section.splitlines()] == sorted(command_modules())


@pytest.mark.parametrize("width", [40, 80, 200])
def test_help_lists_commands_as_click_does_with_every_command_loaded(width):
    context = click.Context(main, info_name="tickpy", terminal_width=width, max_content_width=width)
    lazy = context.make_formatter()
    main.format_commands(context, lazy)
    loaded = context.make_formatter()
    click.Group.format_commands(main, context, loaded)  # click's own: asks each loaded command
    assert lazy.getvalue() == loaded.getvalue()
    assert lazy.getvalue().count("\n") == len(COMMANDS) + 1


def test_each_command_runs_through_the_group():
    for name in COMMANDS:
        result = CliRunner().invoke(main, [name, "--help"], prog_name="tickpy")
        assert result.exit_code == 0, (name, result.output)
        assert result.output.startswith(f"Usage: tickpy {name} ")


def modules_after(code: str, tmp_path: pathlib.Path) -> set[str]:
    """The modules a fresh interpreter has imported after running `code` (exiting or not)."""
    listing = tmp_path / "modules.txt"
    script = (f"import sys\ntry:\n    {code}\nexcept SystemExit:\n    pass\n"
              f"open({str(listing)!r}, 'w').write(' '.join(sys.modules))")
    subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, timeout=120, check=True)
    return set(listing.read_text().split())


def tickpy_modules(modules: set[str]) -> set[str]:
    return {name for name in modules if name == "tickpy" or name.startswith("tickpy.")}


def test_importing_the_cli_imports_no_command(tmp_path):
    assert tickpy_modules(modules_after("import tickpy.cli", tmp_path)) == {"tickpy", "tickpy.cli"}


def test_help_imports_no_command(tmp_path):
    loaded = modules_after("import tickpy.cli; tickpy.cli.main(['--help'])", tmp_path)
    assert tickpy_modules(loaded) == {"tickpy", "tickpy.cli"}


# Needed only by some scripts or options: handler and configuration files, http/exec handlers,
# regexes; Lark only when the grammar is newer than its shipped table.
NOT_ON_THE_COMMON_PATH = {"lark", "yaml", "tomllib", "http.client", "ssl", "subprocess", "re2", "hashlib"}


@pytest.mark.parametrize("argv", [
    ["validate", "samples/cpu_alert.tick"],
    ["fmt", "samples/cpu_alert.tick"],
    ["run", "samples/cpu_alert.tick", "samples/cpu.lp"],
])
def test_a_command_imports_only_what_it_needs(argv, tmp_path):
    loaded = modules_after(f"import tickpy.cli; tickpy.cli.main({argv!r})", tmp_path)
    assert f"tickpy.cli.{argv[0]}" in loaded
    assert loaded & NOT_ON_THE_COMMON_PATH == set()
    other_commands = {f"tickpy.cli.{name}" for name in COMMANDS} - {f"tickpy.cli.{argv[0]}", "tickpy.cli.run"}
    assert loaded & other_commands == set()
