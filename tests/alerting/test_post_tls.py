"""`post` to an HTTPS endpoint: a real TLS server on 127.0.0.1 with a self-signed certificate."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess

import pytest

from tests.alerting.events import make_event
from tests.alerting.servers import HTTPSink
from tickpy.alerting.service import AlertService


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """(cert, key) paths of a fresh self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture
def https_server(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = HTTPSink(tls=context)
    yield server
    server.close()


def post_handler_file(tmp_path, url, skip_verification):
    path = tmp_path / "post.yaml"
    path.write_text(f"id: secure\ntopic: cpu\nkind: post\noptions:\n  url: {url}/alerts\n"
                    f"  skip-ssl-verification: {str(skip_verification).lower()}\n")
    return path


def run_service(tmp_path, handler_file, **kwargs):
    lines = []
    service = AlertService(handler_files=[str(handler_file)], report=lines.append, backoff_s=0.01, **kwargs)
    service.load()
    event = make_event(topic="cpu")
    service.handle(event, [])
    return event, service.close(), lines


def test_https_post_with_skip_ssl_verification_delivers_the_alert_json(tmp_path, https_server):
    event, summary, _ = run_service(tmp_path, post_handler_file(tmp_path, https_server.url, True))
    [(path, headers, body)] = https_server.wait_for(1)
    assert https_server.url.startswith("https://")
    assert path == "/alerts" and body == event.wire + b"\n"
    assert headers["Content-Type"] == "application/json"
    assert summary.delivered == 1 and summary.ok


def test_https_post_to_an_untrusted_certificate_is_dead_lettered_once_with_the_reason(tmp_path, https_server):
    dead = tmp_path / "dead.jsonl"
    event, summary, lines = run_service(tmp_path, post_handler_file(tmp_path, https_server.url, False),
                                        dead_letter=str(dead))
    [record] = [json.loads(line) for line in dead.read_text().splitlines()]
    assert record["payload"].encode() == event.wire + b"\n"
    assert "certificate not trusted" in record["error"] and "SSL_CERT_FILE" in record["error"]
    assert record["attempts"] == 1  # a certificate problem is not retried
    assert https_server.requests == []
    assert summary.failed == 1 and not summary.ok
    assert any("certificate not trusted" in line for line in lines)


def test_cli_post_trusts_a_certificate_named_by_ssl_cert_file(tmp_path, https_server, certificate, cli):
    script = tmp_path / "secure.tick"
    script.write_text(f"stream\n    |from()\n        .measurement('cpu')\n    |alert()\n        .crit(lambda: TRUE)\n"
                      f"        .post('{https_server.url}/alerts')\n")
    result = cli("run", script, stdin="cpu value=1 1000000000\n", env={"SSL_CERT_FILE": str(certificate[0])})
    assert result.returncode == 0, result.stderr
    [(path, _, body)] = https_server.wait_for(1)
    alert = json.loads(body)
    assert path == "/alerts" and alert["level"] == "CRITICAL" and alert["id"] == "cpu:nil"  # {{ .Name }}:{{ .Group }}
