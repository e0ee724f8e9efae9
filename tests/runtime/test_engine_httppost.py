"""httpPost with a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from tickpy.api import run_task
from tickpy.runtime.lineprotocol import read_points


@pytest.fixture
def server():
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers.items()), body))
            status = 500 if b'"fail"' in body else 200
            self.send_response(status)
            reply = b"broken" if status == 500 else b""
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.received = received
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_posts_each_point_as_result_json_and_adds_the_status_code(server):
    url = f"http://127.0.0.1:{server.server_address[1]}/in"
    script = (
        f"stream|from().measurement('m')|httpPost('{url}').header('x-token', 'abc').codeField('code')"
        ".captureResponse()|httpOut('out')\n"
    )
    result = run_task(script, read_points('m,h=a v=1 0\nm,h=a s="fail" 1000000000\n'), path="p.tick")
    assert [path for path, _, _ in server.received] == ["/in", "/in"]
    path, headers, body = server.received[0]
    assert headers["X-Token"] == "abc" and headers["Content-Type"] == "application/json"
    assert body == (b'{"series":[{"name":"m","tags":{"h":"a"},"columns":["time","v"],'
                    b'"values":[["1970-01-01T00:00:00Z",1]]}]}\n')
    assert json.loads(result.httpout_json("out"))["series"][0]["values"][0][1:] == [500, "fail"]
    assert any("500" in e.message and "broken" in e.message for e in result.node_errors)


def test_unreachable_url_gives_code_zero_and_an_error():
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    script = f"stream|from()|httpPost('http://127.0.0.1:{port}/').codeField('code')|httpOut('out')\n"
    result = run_task(script, read_points("m v=1 0\n"), path="p.tick")
    assert json.loads(result.httpout_json("out"))["series"][0]["values"][0][1] == 0
    assert result.node_errors and "failed to POST data" in result.node_errors[0].message
