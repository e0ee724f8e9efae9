"""The real kapacitor CLI (1.5.7) against `tickpy serve`: scripts written for Kapacitor work
unchanged. The CLI is not part of tickpy: give its path in TICKPY_KAPACITOR_CLI.

Commands run: define (new, update of an enabled task, from a template with -vars),
define-template, define-topic-handler, enable, disable, reload, list tasks|templates|topics|
topic-handlers, show, show-template, show-topic, show-topic-handler, delete tasks|templates|
topics|topic-handlers, stats general, stats ingress, vars; and list recordings, which tickpy serve refuses."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.serve.conftest import SAMPLES, seed_script

CLI = os.environ.get("TICKPY_KAPACITOR_CLI")
pytestmark = pytest.mark.skipif(not CLI or not os.access(CLI, os.X_OK),
                                reason="set TICKPY_KAPACITOR_CLI to a kapacitor 1.5.7 CLI binary to run these")

def kapacitor(serve, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([CLI, "-url", serve.url, *args], capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, f"kapacitor {' '.join(args)}: {result.stdout}{result.stderr}"
    return result


def test_tasks_through_the_kapacitor_cli(serve, tcp_listener, tmp_path):
    script = tmp_path / "seed.tick"
    script.write_text(seed_script(tcp_listener.port))
    kapacitor(serve, "define", "seed", "-tick", str(script), "-dbrp", "telegraf.autogen")
    assert "seed" in kapacitor(serve, "list", "tasks").stdout
    kapacitor(serve, "enable", "seed")
    listed = kapacitor(serve, "list", "tasks").stdout.splitlines()[1].split()
    assert listed[:4] == ["seed", "stream", "enabled", "true"]
    serve.write("cpu,host=a usage_idle=5 1700000000000000000\n")
    serve.wait_processed("seed", 1)
    shown = kapacitor(serve, "show", "seed").stdout
    assert 'alert2 [alerts_inhibited="0" alerts_triggered="1" crits_triggered="1"' in shown
    assert "Status: enabled" in shown
    # define on an enabled task updates and restarts it, as Kapacitor's CLI does
    script.write_text(seed_script(tcp_listener.port).replace("< 10", "< 20"))
    kapacitor(serve, "define", "seed", "-tick", str(script))
    kapacitor(serve, "reload", "seed")
    assert "< 20" in kapacitor(serve, "show", "seed").stdout
    kapacitor(serve, "disable", "seed")
    assert "Executing: false" in kapacitor(serve, "show", "seed").stdout
    kapacitor(serve, "delete", "tasks", "seed")
    assert kapacitor(serve, "list", "tasks").stdout.splitlines()[1:] == []
    failed = kapacitor(serve, "show", "seed", check=False)
    assert failed.returncode != 0 and "no task exists" in failed.stdout + failed.stderr


def test_templates_through_the_kapacitor_cli(serve, tmp_path):
    template = tmp_path / "idle.tick"
    template.write_text("var threshold float\nstream\n    |from()\n        .measurement('cpu')\n    |alert()\n"
                        "        .crit(lambda: \"usage_idle\" < threshold)\n")
    kapacitor(serve, "define-template", "idle", "-tick", str(template))
    assert "idle" in kapacitor(serve, "list", "templates").stdout
    assert "var threshold float" in kapacitor(serve, "show-template", "idle").stdout
    variables = tmp_path / "vars.json"
    variables.write_text(json.dumps({"threshold": {"type": "float", "value": 15}}))
    kapacitor(serve, "define", "from-template", "-template", "idle", "-vars", str(variables),
              "-dbrp", "telegraf.autogen")
    assert "Template: idle" in kapacitor(serve, "show", "from-template").stdout
    kapacitor(serve, "delete", "tasks", "from-template")
    kapacitor(serve, "delete", "templates", "idle")
    assert kapacitor(serve, "list", "templates").stdout.splitlines()[1:] == []


def test_the_seed_flow_with_define_topic_handler(serve, tcp_listener, tmp_path):
    handler = tmp_path / "tcp_cpu_handler.yaml"
    handler.write_text((SAMPLES / "tcp_cpu_handler.yaml").read_text().replace("127.0.0.1:7777",
                                                                              f"127.0.0.1:{tcp_listener.port}"))
    kapacitor(serve, "define-topic-handler", str(handler))
    assert kapacitor(serve, "list", "topic-handlers").stdout.split()[3:6] == ["cpu", "tcp-cpu-alert", "tcp"]
    shown = kapacitor(serve, "show-topic-handler", "cpu", "tcp-cpu-alert").stdout
    assert f'"address":"127.0.0.1:{tcp_listener.port}"' in shown
    script = tmp_path / "seed.tick"
    script.write_text(seed_script(9).replace(".tcp('127.0.0.1:9')", ".topic('cpu')"))
    kapacitor(serve, "define", "seed", "-tick", str(script), "-dbrp", "telegraf.autogen")
    kapacitor(serve, "enable", "seed")
    serve.write((SAMPLES / "cpu.lp").read_text())
    payloads = tcp_listener.wait_for(5)
    assert [json.loads(p)["level"] for p in payloads] == ["CRITICAL", "CRITICAL", "OK", "CRITICAL", "OK"]
    topics = kapacitor(serve, "list", "topics").stdout
    assert "cpu" in topics and "OK" in topics
    assert "Collected: 5" in kapacitor(serve, "show-topic", "cpu").stdout
    kapacitor(serve, "delete", "topic-handlers", "cpu", "tcp-cpu-alert")
    assert kapacitor(serve, "list", "topic-handlers").stdout.split()[3:] == []
    kapacitor(serve, "delete", "topics", "cpu")
    assert "cpu " not in kapacitor(serve, "list", "topics").stdout


def test_stats_and_vars_through_the_kapacitor_cli(serve):
    assert "Tasks:" in kapacitor(serve, "stats", "general").stdout
    serve.write("cpu,host=a usage_idle=5 1\ncpu,host=b usage_idle=5 1\nmem,host=a used=1 1\n")
    ingress = [line.split() for line in kapacitor(serve, "stats", "ingress").stdout.splitlines()[1:]]
    assert ingress == [["telegraf", "autogen", "cpu", "2"], ["telegraf", "autogen", "mem", "1"]]
    assert json.loads(kapacitor(serve, "vars").stdout)["num_tasks"] == 0
    unsupported = kapacitor(serve, "list", "recordings", check=False)
    assert unsupported.returncode != 0
    assert "is not implemented by tickpy serve" in unsupported.stdout + unsupported.stderr
