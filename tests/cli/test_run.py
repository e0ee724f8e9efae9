"""`tickpy run`, with real listeners on 127.0.0.1 (and a real process where a signal stops it)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.alerting.servers import TCPSink
from tests.conftest import CliResult, run_cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
TICKPY = [str(Path(sys.executable).parent / "tickpy")]  # the installed console script


def tickpy(*args, stdin: bytes | None = None) -> CliResult:
    return run_cli(*args, stdin=stdin, text=False)


@pytest.fixture
def sink():
    listener = TCPSink()
    yield listener
    listener.close()


def closed_port_address() -> str:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"127.0.0.1:{port}"


def rfc3339(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def sample_points() -> list[dict]:
    """The cpu points of samples/cpu.lp, parsed here independently of tickpy."""
    points = []
    for line in (SAMPLES / "cpu.lp").read_text().splitlines():
        if not line.startswith("cpu,"):
            continue
        series, fields, stamp = line.split(" ")
        tags = dict(item.split("=") for item in series.split(",")[1:])
        values = {k: float(v) for k, v in (item.split("=") for item in fields.split(","))}
        points.append({"tags": tags, "fields": values, "time": int(stamp)})
    return points


def expected_seed_events() -> list[dict]:
    """Kapacitor's alert semantics applied by hand to the sample: one group (no groupBy), an
    event for every CRITICAL point and for each recovery; duration since the alert began."""
    events, level, first = [], "OK", None
    for point in sample_points():
        new = "CRITICAL" if point["fields"]["usage_idle"] < 10 else "OK"
        if new == "OK" and level == "OK":
            continue
        if level == "OK":
            first = point["time"]
        events.append({"level": new, "previousLevel": level, "time": point["time"],
                       "duration": point["time"] - first, "tags": point["tags"], "fields": point["fields"]})
        level = new
    return events


def test_seed_sample_sends_kapacitors_bytes_over_tcp(sink, tmp_path):
    script = tmp_path / "tcp-cpu-alert.tick"
    script.write_text((SAMPLES / "tcp-cpu-alert.tick").read_text().replace("127.0.0.1:7777", sink.address))
    done = tickpy("run", script, SAMPLES / "cpu.lp")
    assert done.returncode == 0, done.stderr.decode()
    expected = expected_seed_events()
    received = sink.wait_for(len(expected))
    assert len(received) == len(expected) == 5
    for raw, want in zip(received, expected):
        assert raw.endswith(b"}\n\n")  # JSON, then a blank line; one connection per event
        data = json.loads(raw)
        assert list(data) == ["id", "message", "details", "time", "duration", "level", "data",
                              "previousLevel", "recoverable"]
        assert data["id"] == "cpu:nil"
        assert data["message"] == "Hey, check your CPU"
        assert data["time"] == rfc3339(want["time"] // 10**9)
        assert data["duration"] == want["duration"]
        assert (data["level"], data["previousLevel"], data["recoverable"]) == (want["level"], want["previousLevel"], True)
        columns = ["time", *sorted(want["fields"])]
        assert data["data"] == {"series": [{"name": "cpu", "tags": want["tags"], "columns": columns,
                                            "values": [[data["time"], *[want["fields"][c] for c in columns[1:]]]]}]}
        # Go's encoding/json: compact, HTML characters escaped, integral floats without ".0"
        assert b": " not in raw and b".0," not in raw and b"<" not in raw
    summary = done.stderr.decode()
    assert "16 points read" in summary and "5 alerts (3 CRITICAL, 2 OK)" in summary


def test_topic_flow_with_a_handler_file(sink, tmp_path):
    handler = tmp_path / "tcp_cpu_handler.yaml"
    handler.write_text((SAMPLES / "tcp_cpu_handler.yaml").read_text().replace("127.0.0.1:7777", sink.address))
    done = tickpy("run", SAMPLES / "cpu_alert.tick", SAMPLES / "cpu.lp", "--handlers", handler)
    assert done.returncode == 0, done.stderr.decode()
    expected = expected_seed_events()
    received = sink.wait_for(len(expected))
    assert [json.loads(r)["level"] for r in received] == [e["level"] for e in expected]
    assert [json.loads(r)["previousLevel"] for r in received] == [e["previousLevel"] for e in expected]


def test_unreachable_endpoint_is_reported_and_the_run_goes_on(tmp_path):
    address = closed_port_address()
    script = tmp_path / "unreachable.tick"
    script.write_text((SAMPLES / "tcp-cpu-alert.tick").read_text().replace("127.0.0.1:7777", address))
    done = tickpy("run", script, SAMPLES / "cpu.lp")
    stderr = done.stderr.decode()
    assert done.returncode == 1
    assert address in stderr and "cpu:nil" in stderr
    assert "16 points read" in stderr  # every point was still read
    assert "5 alert deliveries failed" in stderr


def test_malformed_lines_are_reported_skipped_and_counted(sink, tmp_path):
    script = tmp_path / "tcp-cpu-alert.tick"
    script.write_text((SAMPLES / "tcp-cpu-alert.tick").read_text().replace("127.0.0.1:7777", sink.address))
    lines = (SAMPLES / "cpu.lp").read_text().splitlines()
    bad = tmp_path / "bad.lp"
    bad.write_text("\n".join([*lines[:4], "cpu,host=x usage_idle= 1", *lines[4:], "not a point", ""]))
    done = tickpy("run", script, bad)
    stderr = done.stderr.decode()
    assert done.returncode == 1
    assert f"{bad}:5: " in stderr and f"{bad}:{len(lines) + 2}: " in stderr
    assert "2 input lines rejected" in stderr
    assert len(sink.wait_for(5)) == 5  # the good points still made their alerts


def test_points_from_stdin_and_precision(sink, tmp_path):
    script = tmp_path / "s.tick"
    script.write_text(
        "stream\n  |from()\n    .measurement('m')\n  |alert()\n    .crit(lambda: \"v\" > 1)\n"
        f"    .tcp('{sink.address}')\n"
    )
    done = tickpy("run", script, "--precision", "s", stdin=b"m v=2 1700000000\nm v=0 1700000010\n")
    assert done.returncode == 0, done.stderr.decode()
    received = sink.wait_for(2)
    assert [json.loads(r)["time"] for r in received] == [rfc3339(1700000000), rfc3339(1700000010)]


def test_script_error_is_a_rendered_diagnostic_with_exit_2(tmp_path):
    script = tmp_path / "broken.tick"
    script.write_text("stream\n  |from()\n    .measurement('cpu')\n  |alert()\n    .crit(lambda: \"x\" > )\n")
    done = tickpy("run", script, stdin=b"")
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert f"{script}:5:" in stderr and "^" in stderr
    assert "Traceback" not in stderr


def test_unsupported_node_is_named_before_any_point_is_read(tmp_path):
    script = tmp_path / "flux.tick"
    script.write_text("batch\n  |queryFlux('from(bucket: \"b\")')\n    .period(1m)\n    .every(1m)\n")
    done = tickpy("run", script, stdin=b"this line would be malformed\n")
    assert done.returncode == 2
    stderr = done.stderr.decode()
    assert "not supported by tickpy run yet" in stderr
    assert "malformed" not in stderr and "unable to parse" not in stderr


def test_httpout_dir_influxdb_out_task_and_dbrp(tmp_path):
    script = tmp_path / "out.tick"
    script.write_text(
        "dbrp \"db\".\"rp\"\n"
        "stream\n  |from()\n    .database('other')\n    .measurement('m')\n  |httpOut('ignored')\n"
        "stream\n  |from()\n    .database('telegraf')\n    .measurement('m')\n    .groupBy('host')\n"
        "  |eval(lambda: \"v\" * 2.0)\n    .as('double')\n"
        "  |httpOut('doubled')\n  |influxDBOut()\n    .measurement('m2')\n    .precision('s')\n"
    )
    out_dir = tmp_path / "httpout"
    lines_file = tmp_path / "lines.lp"
    points = b"m,host=a v=1.5 1000000000\nm,host=b v=2 2000000000\nm,host=a v=4 3000000000\n"
    done = tickpy("run", script, "-", "--dbrp", "telegraf.autogen", "--httpout-dir", out_dir,
                  "--influxdb-out", lines_file, stdin=points)
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads((out_dir / "ignored.json").read_text()) == {"series": None}
    assert (out_dir / "doubled.json").read_text() == (
        '{"series":[{"name":"m","tags":{"host":"a"},"columns":["time","double"],'
        '"values":[["1970-01-01T00:00:03Z",8]]},'
        '{"name":"m","tags":{"host":"b"},"columns":["time","double"],"values":[["1970-01-01T00:00:02Z",4]]}]}'
    )
    assert lines_file.read_text().splitlines() == ["m2,host=a double=3 1", "m2,host=b double=4 2",
                                                   "m2,host=a double=8 3"]
    assert done.stdout == b""


def test_log_and_exec_handlers_write_json_lines(tmp_path):
    log = tmp_path / "alerts.log"
    captured = tmp_path / "exec.out"
    writer = tmp_path / "writer.py"
    writer.write_text(f"import sys\nopen({str(captured)!r}, 'ab').write(sys.stdin.buffer.read())\n")
    script = tmp_path / "handlers.tick"
    script.write_text(
        "stream\n  |from()\n    .measurement('m')\n  |alert()\n    .id('{{ .TaskName }}/{{ index .Tags \"host\" }}')\n"
        "    .warn(lambda: \"v\" > 1)\n    .stateChangesOnly()\n"
        f"    .log('{log}')\n      .mode(0640)\n    .exec('{sys.executable}', '{writer}')\n"
    )
    done = tickpy("run", script, "--task", "mytask",
                  stdin=b"m,host=a v=2 1\nm,host=a v=3 2\nm,host=a v=0 3\n")
    assert done.returncode == 0, done.stderr.decode()
    log_lines = log.read_bytes().splitlines(keepends=True)
    assert [json.loads(line)["level"] for line in log_lines] == ["WARNING", "OK"]  # state changes only
    assert all(line.endswith(b"}\n") for line in log_lines)
    assert [json.loads(line)["id"] for line in log_lines] == ["mytask/a", "mytask/a"]
    assert oct(os.stat(log).st_mode & 0o777) == "0o640"
    assert captured.read_bytes() == log.read_bytes()


def test_sigint_stops_reading_and_exits_130(sink, tmp_path):
    script = tmp_path / "s.tick"
    script.write_text(
        "stream\n  |from()\n  |alert()\n    .crit(lambda: \"v\" > 1)\n" f"    .tcp('{sink.address}')\n"
    )
    process = subprocess.Popen([*TICKPY, "run", str(script)], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdin.write(b"m v=2 1\n")
    process.stdin.flush()
    assert len(sink.wait_for(1, timeout=20)) == 1  # the run is going: stdin stays open
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert b"stopped by SIGINT" in stderr and b"1 points read" in stderr


def test_demo_prints_each_alert_received_over_tcp():
    done = tickpy("demo")
    assert done.returncode == 0, done.stderr.decode()
    text = done.stdout.decode()
    assert text.count("received ") >= 5 and "5 received over TCP" in text


def test_demo_embeds_the_samples_unchanged():
    from tickpy.cli.demo import SAMPLE_POINTS, SAMPLE_SCRIPT

    assert SAMPLE_SCRIPT == (SAMPLES / "tcp-cpu-alert.tick").read_text()
    assert SAMPLE_POINTS == (SAMPLES / "cpu.lp").read_text()


def test_config_httppost_endpoint_with_headers(tmp_path):
    import http.server

    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        config = tmp_path / "kapacitor.conf"
        config.write_text(
            "[[httppost]]\n  endpoint = \"ops\"\n"
            f"  url = \"http://127.0.0.1:{server.server_address[1]}/alerts\"\n"
            "  headers = { Authorization = \"Bearer t0k3n\" }\n"
        )
        script = tmp_path / "post.tick"
        script.write_text("stream\n  |from()\n  |alert()\n    .crit(lambda: \"v\" > 1)\n    .post()\n      .endpoint('ops')\n")
        done = tickpy("run", script, "--config", config, stdin=b"m v=2 1\n")
        assert done.returncode == 0, done.stderr.decode()
    finally:
        server.shutdown()
        server.server_close()
    assert len(received) == 1
    path, headers, body = received[0]
    assert path == "/alerts" and headers["Authorization"] == "Bearer t0k3n"
    assert headers["Content-Type"] == "application/json"
    assert body.endswith(b"}\n") and json.loads(body)["level"] == "CRITICAL"


def test_srpl_input_keeps_only_the_tasks_dbrp(sink, tmp_path):
    script = tmp_path / "s.tick"
    script.write_text("dbrp \"db\".\"rp\"\nstream\n  |from()\n  |alert()\n    .crit(lambda: \"v\" > 1)\n"
                      f"    .tcp('{sink.address}')\n")
    recording = tmp_path / "in.srpl"
    recording.write_text("db\nrp\nm v=2 1\nother\nrp\nm v=3 2\ndb\nrp\nm v=4 3\n")
    done = tickpy("run", script, recording, "--input-format", "srpl")
    assert done.returncode == 0, done.stderr.decode()
    assert [json.loads(r)["data"]["series"][0]["values"][0][1] for r in sink.wait_for(2)] == [2, 4]
    assert "3 points read (1 for other dbrps, ignored)" in done.stderr.decode()


def test_flush_closes_the_open_window_at_the_end(tmp_path):
    script = tmp_path / "w.tick"
    script.write_text("stream\n  |from()\n  |window()\n    .period(10s)\n    .every(10s)\n  |count('v')\n"
                      "  |httpOut('n')\n")
    points = b"m v=1 0\nm v=1 1000000000\nm v=1 2000000000\n"
    kapacitor_like = tickpy("run", script, "--httpout-dir", tmp_path / "a", stdin=points)
    flushed = tickpy("run", script, "--flush", "--httpout-dir", tmp_path / "b", stdin=points)
    assert kapacitor_like.returncode == flushed.returncode == 0
    assert json.loads((tmp_path / "a" / "n.json").read_text()) == {"series": None}
    assert json.loads((tmp_path / "b" / "n.json").read_text())["series"][0]["values"][0][1] == 3


def test_node_errors_are_logged_like_kapacitor_at_most_ten_per_node(tmp_path):
    script = tmp_path / "err.tick"
    script.write_text("stream\n  |from()\n  |where(lambda: \"nope\" > 1)\n")
    done = tickpy("run", script, stdin="".join(f"m v={i} {i}\n" for i in range(30)).encode())
    lines = done.stderr.decode().splitlines()
    logged = [line for line in lines if line.startswith("lvl=error task=err node=where2 err=")]
    assert len(logged) == 10 and "missing value" in logged[0]
    assert "30 node errors" in lines[-1]
    assert done.returncode == 1  # the task ran, dropping points on errors as Kapacitor does; none was lost silently
