"""httpPost URL templates (Kapacitor's TestStream_HttpPost_URL_Template): the URL is a Go
template executed over each posted row: `.Name`, `.Tags` (all the point's tags), `.Values`."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from tickpy.api import run_task
from tickpy.diagnostics import TickpyError
from tickpy.runtime.lineprotocol import read_points


@pytest.fixture
def server():
    paths = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the stdlib's name
            self.rfile.read(int(self.headers["Content-Length"]))
            paths.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.paths = paths
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


# Kapacitor's test: points of serverA (cpu a, b, b, c, c, a) and one of serverB, grouped by host
DATA = "\n".join([
    "cpu,type=idle,host=serverA,cpu=a value=97.1 0",
    "cpu,type=idle,host=serverB,cpu=a value=90.0 500000000",
    "cpu,type=idle,host=serverA,cpu=b value=92.6 1000000000",
    "cpu,type=idle,host=serverA,cpu=b value=95.6 2000000000",
    "cpu,type=idle,host=serverA,cpu=c value=93.1 3000000000",
    "cpu,type=idle,host=serverA,cpu=c value=92.6 4000000000",
    "cpu,type=idle,host=serverA,cpu=a value=95.8 5000000000",
]) + "\n"


def test_url_is_rendered_per_point_with_its_name_and_all_its_tags(server):
    script = (
        "stream|from().measurement('cpu').where(lambda: \"host\" == 'serverA').groupBy('host')\n"
        f"|httpPost('{server.url}/{{{{ .Name }}}}/?host={{{{ index .Tags \"host\"}}}}&cpu={{{{ index .Tags \"cpu\" }}}}')\n"
        "|httpOut('out')\n"
    )
    result = run_task(script, read_points(DATA), path="p.tick")
    assert not result.node_errors
    assert server.paths == [f"/cpu/?host=serverA&cpu={cpu}" for cpu in "abbcca"]


def test_values_give_the_row_cells_by_column_and_time_is_a_go_time(server):
    script = (
        "stream|from().measurement('cpu').where(lambda: \"host\" == 'serverB')\n"
        f"|httpPost('{server.url}/v?at={{{{ (index .Values 0).time.UnixNano }}}}&v={{{{ index (index .Values 0) \"value\" }}}}')\n"
    )
    run_task(script, read_points(DATA), path="p.tick")
    assert server.paths == ["/v?at=500000000&v=90"]


def test_batch_rows_see_the_group_tags(server):
    script = (
        "stream|from().measurement('cpu').groupBy('host')|window().period(10s).every(10s)\n"
        f"|httpPost('{server.url}/{{{{ index .Tags \"host\" }}}}/{{{{ len .Values }}}}')\n"
    )
    run_task(script, read_points(DATA + "cpu,type=idle,host=serverA,cpu=a value=1 20000000000\n"
                                 "cpu,type=idle,host=serverB,cpu=a value=1 20000000000\n"), path="p.tick")
    assert sorted(server.paths) == ["/serverA/6", "/serverB/1"]


def test_a_template_that_fails_to_execute_is_a_node_error_and_code_zero(server):
    script = (
        "stream|from().measurement('cpu').where(lambda: \"host\" == 'serverB')\n"
        f"|httpPost('{server.url}/{{{{ .Missing }}}}').codeField('code')|httpOut('out')\n"
    )
    result = run_task(script, read_points(DATA), path="p.tick")
    assert server.paths == []
    assert result.node_errors and "failed to execute url template" in result.node_errors[0].message
    row = json.loads(result.httpout_json("out"))["series"][0]
    assert row["values"][0][row["columns"].index("code")] == 0


def test_a_template_that_does_not_parse_is_refused_before_the_run(server):
    script = f"stream|from()|httpPost('{server.url}/{{{{ .Name ')\n"
    with pytest.raises(TickpyError) as caught:
        run_task(script, read_points(DATA), path="p.tick")
    assert "url templating" in str(caught.value)
