"""Agents for the UDF tests: the minimal agent beside this file, and Kapacitor's own Python agent
library and examples (udf/agent/py, udf/agent/examples, the Python 3 version at HEAD), read from
the Kapacitor clone named by TICKPY_KAPACITOR_SRC into a temporary folder at test time."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import pytest

HERE = pathlib.Path(__file__).parent
MINIMAL_AGENT = HERE / "agents" / "minimal_agent.py"
KAPACITOR_FILES = [
    "udf/agent/py/kapacitor/__init__.py",
    "udf/agent/py/kapacitor/udf/__init__.py",
    "udf/agent/py/kapacitor/udf/agent.py",
    "udf/agent/py/kapacitor/udf/udf_pb2.py",
    "udf/agent/examples/moving_avg/moving_avg.py",
    "udf/agent/examples/outliers/outliers.py",
    "udf/agent/examples/mirror/mirror.py",
]


def toml_string(text: str) -> str:
    return json.dumps(str(text))  # a JSON string is a TOML basic string


def agent_section(name: str, args: list[str], timeout: str = "10s", env: dict | None = None,
                  prog: str = sys.executable) -> str:
    lines = [f"[udf.functions.{name}]", f"prog = {toml_string(prog)}",
             "args = [" + ", ".join(toml_string(a) for a in args) + "]", f"timeout = {toml_string(timeout)}"]
    if env:
        lines.append("env = { " + ", ".join(f"{k} = {toml_string(v)}" for k, v in env.items()) + " }")
    return "\n".join(lines) + "\n"


def minimal_agent_section(name: str, *args: str, timeout: str = "10s", env: dict | None = None) -> str:
    return agent_section(name, ["-u", str(MINIMAL_AGENT), *args], timeout=timeout, env=env)


@pytest.fixture(scope="session")
def kapacitor_agents(tmp_path_factory) -> pathlib.Path:
    """A folder with Kapacitor's `kapacitor.udf` package and its example agents (flat)."""
    source = os.environ.get("TICKPY_KAPACITOR_SRC", "")
    if not source or not pathlib.Path(source).exists():
        pytest.skip("TICKPY_KAPACITOR_SRC is not set to a Kapacitor git directory: Kapacitor's agent library and "
                    "example agents are read from it")
    try:
        import google.protobuf  # noqa: F401  (Kapacitor's agent library needs it, tickpy does not)
    except ImportError:
        pytest.skip("the protobuf package is not installed: Kapacitor's Python agent library needs it "
                    "(pip install -e '.[test]')")
    folder = tmp_path_factory.mktemp("kapacitor-agents")
    for path in KAPACITOR_FILES:
        text = subprocess.run(["git", "-C", source, "show", f"HEAD:{path}"], check=True, capture_output=True).stdout
        target = folder / (path.split("udf/agent/py/")[1] if "/py/" in path else pathlib.Path(path).name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text)
    return folder


def kapacitor_agent_section(name: str, folder: pathlib.Path, example: str, timeout: str = "10s") -> str:
    return agent_section(name, ["-u", str(folder / example)], timeout=timeout, env={"PYTHONPATH": str(folder)})
