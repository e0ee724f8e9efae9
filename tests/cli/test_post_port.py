"""An out-of-range port in a .post() URL, an httpPost URL or a post handler file is refused
before any point is read (QA #10), as a bad .tcp() address is: Go's url.Parse takes any
digits and its dialer then fails every request with "invalid port"."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CliResult, run_cli

POINTS = "cpu v=1 0\ncpu v=2 1000000000\n"


def run(tmp_path: Path, script: str, *args) -> CliResult:
    (tmp_path / "t.tick").write_text(script + "\n")
    (tmp_path / "p.lp").write_text(POINTS)
    return run_cli("run", "t.tick", "p.lp", *args, cwd=tmp_path)


@pytest.mark.parametrize("url, port", [("http://127.0.0.1:99999/x", "99999"), ("http://[::1]:70000/x", "70000"),
                                       ("http://127.0.0.1:0/x", "0")])
def test_alert_post_with_a_bad_port_is_refused_before_the_run(tmp_path, url, port):
    result = run(tmp_path, f"stream|from().measurement('cpu')|alert().crit(lambda: TRUE).post('{url}')")
    assert result.returncode == 2
    assert result.stderr.startswith("t.tick:1:")
    assert f"invalid port '{port}'" in result.stderr
    assert "points read" not in result.stderr and "ValueError" not in result.stderr


def test_http_post_node_with_a_bad_port_is_refused_before_the_run(tmp_path):
    result = run(tmp_path, "stream|from().measurement('cpu')|httpPost('http://127.0.0.1:99999/x')")
    assert result.returncode == 2
    assert "invalid port '99999'" in result.stderr and "internal error" not in result.stderr


def test_post_handler_file_with_a_bad_port_fails_the_check(tmp_path, cli):
    (tmp_path / "h.yaml").write_text("id: h\ntopic: cpu\nkind: post\noptions:\n  url: http://127.0.0.1:99999/x\n")
    result = cli("handlers", "check", "h.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "h.yaml:5:" in result.stdout and "invalid port '99999'" in result.stdout
