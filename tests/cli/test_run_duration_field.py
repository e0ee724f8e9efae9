"""A field holding a duration (from an eval of a duration lambda) reaches templates as a Go
time.Duration (printed "5s") and JSON as integer nanoseconds, as Go marshals time.Duration."""

import json


def test_duration_field_in_alert_templates_json_and_httpout(tmp_path, cli):
    log = tmp_path / "alerts.log"
    script = tmp_path / "dur.tick"
    script.write_text(
        "stream\n  |from()\n    .measurement('cpu')\n"
        "  |eval(lambda: 5s, lambda: \"v\" * 2.0)\n    .as('d', 'v2')\n  |httpOut('o')\n"
        "  |alert()\n    .crit(lambda: TRUE)\n    .message('{{ index .Fields \"d\" }}')\n"
        f"    .log('{log}')\n"
    )
    points = tmp_path / "in.lp"
    points.write_text("cpu v=1 1000000000\n")
    out = tmp_path / "out"
    run = cli("run", script, points, "--httpout-dir", out)
    assert run.returncode == 0, run.stderr
    alert = json.loads(log.read_text())
    assert alert["message"] == "5s"
    assert alert["data"]["series"][0]["values"] == [["1970-01-01T00:00:01Z", 5000000000, 2]]
    assert '\\u0026#34;d\\u0026#34;:5000000000' in log.read_text()  # details: {{ json . }}
    result = json.loads((out / "o.json").read_text())
    assert result["series"][0]["values"] == [["1970-01-01T00:00:01Z", 5000000000, 2]]
