"""Template tasks in test files: one template, each case its own vars (as `kapacitor define
-template T -vars V` makes one task per vars file)."""

from __future__ import annotations

import json
import textwrap

from tickpy.testing import run_test_file

TEMPLATE = """\
var measurement string
var crit = 90.0
stream
    |from()
        .measurement(measurement)
    |alert()
        .crit(lambda: "usage" > crit)
"""

TESTS = """\
script: cpu_template.tick
points: |
  cpu usage=95 0s
  cpu usage=85 10s
  mem usage=99 20s
tests:
  - name: the template's default threshold
    vars: {measurement: {type: string, value: cpu}}
    expect:
      alerts:
        - {level: CRITICAL, time: 0s}
        - {level: OK, time: 10s}
  - name: a lower threshold from a vars file
    vars: cpu_80.json
    expect:
      alerts:
        - {level: CRITICAL, time: 0s}
        - {level: CRITICAL, time: 10s}
  - name: the same template on another measurement
    vars: {measurement: {type: string, value: mem}}
    expect:
      alerts:
        - {level: CRITICAL, time: 20s}
  - name: a var without a value is an error
    vars: {}
    expect: {no_alerts: true}
"""


def test_one_template_several_vars(tmp_path):
    (tmp_path / "cpu_template.tick").write_text(TEMPLATE)
    (tmp_path / "cpu_80.json").write_text(json.dumps({
        "measurement": {"type": "string", "value": "cpu"}, "crit": {"type": "float", "value": 80}}))
    path = tmp_path / "cpu_template.tickpy.yaml"
    path.write_text(textwrap.dedent(TESTS))
    results = run_test_file(str(path))
    assert [r.status for r in results] == ["passed", "passed", "passed", "error"], \
        [m.render() for r in results for m in r.mismatches]
    assert 'template variable "measurement" has no value' in results[3].error
    assert "hint: give it in the test's vars: {measurement: {type: ..., value: ...}}" in results[3].error
