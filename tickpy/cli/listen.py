"""`tickpy listen ADDRESS`: a TCP sink that shows every alert a `.tcp()` handler (or a `tcp`
handler file) sends, so you can watch the other end of `tickpy run`.

Kapacitor's tcp handler opens a connection per event and writes the alert JSON followed by a
blank line. By default each alert is printed as one readable line (time, level, id, message);
`--raw` writes the exact bytes received; `--json` one compact JSON line per alert.
"""

from __future__ import annotations

import json
import signal
import socket
import sys
import threading

import click

from tickpy.alerting.addresses import split_host_port
from tickpy.cli.guard import color_wanted, stdout_closed
from tickpy.golang.gohttp import port_number

LEVEL_COLORS = {"OK": "\x1b[32m", "INFO": "\x1b[36m", "WARNING": "\x1b[33m", "CRITICAL": "\x1b[31m"}


def split_alerts(data: bytes) -> list[bytes]:
    """The alert documents in what one connection sent (JSON texts separated by blank lines)."""
    return [part.strip() for part in data.split(b"\n\n") if part.strip()]


def readable(document: bytes, color: bool = False) -> str:
    try:
        alert = json.loads(document)
    except ValueError:
        return f"(not JSON) {document.decode('utf-8', 'replace')}"
    if not isinstance(alert, dict):
        return f"(unexpected JSON) {document.decode('utf-8', 'replace')}"
    level = str(alert.get("level", "?"))
    shown_level = f"{LEVEL_COLORS.get(level, '')}{level:<8}\x1b[0m" if color else f"{level:<8}"
    previous = alert.get("previousLevel")
    change = f" (was {previous})" if previous and previous != level else ""
    return f"{alert.get('time', '?')}  {shown_level} {alert.get('id', '?')}{change}: {alert.get('message', '')}"


def _parse_address(address: str) -> tuple[str, int]:
    """(host, port) of host:port, :port or a bare port; ValueError naming the problem."""
    if address.isdigit() or address.startswith(":"):
        host, port_text = "127.0.0.1", address.removeprefix(":")
    elif address.endswith(":0"):  # any free port (split_host_port refuses port 0 for targets)
        host, port_text = address[:-2], "0"
    else:
        return split_host_port(address)
    port = port_number(port_text)
    if port is None or port > 65535:
        raise ValueError(f"address {address}: invalid port {port_text!r} (0 to 65535; 0 picks a free one)")
    return host, port


@click.command("listen")
@click.argument("address", default="127.0.0.1:9100")
@click.option("--raw", is_flag=True, help="Write the exact bytes received, nothing else.")
@click.option("--json", "as_json", is_flag=True, help="One compact JSON line per alert.")
@click.option("--count", type=click.IntRange(min=0), default=0, metavar="N",
              help="Exit after N alerts (default 0: run until Ctrl-C or SIGTERM).")
def command(address: str, raw: bool, as_json: bool, count: int) -> None:
    """Listen on ADDRESS (host:port, :port or a port; port 0 picks a free one) for alerts from
    tcp handlers and print them."""
    try:
        host, port = _parse_address(address)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint="ADDRESS") from None
    try:
        server = socket.create_server((host, port), reuse_port=False)
    except (OSError, OverflowError) as err:
        click.echo(f"tickpy listen: cannot listen on {host}:{port}: {getattr(err, 'strerror', None) or err}",
                   err=True)
        sys.exit(1)
    bound_host, bound_port = server.getsockname()[:2]
    click.echo(f"tickpy listen: listening on {bound_host}:{bound_port} (Ctrl-C to stop)", err=True)
    color = not raw and not as_json and color_wanted(sys.stdout)
    out = sys.stdout.buffer
    lock = threading.Lock()
    received = [0]
    done = threading.Event()
    stdout_gone = threading.Event()

    def serve(conn: socket.socket) -> None:
        chunks = []
        with conn:
            conn.settimeout(5)  # a sender that holds its connection open only delays the next ones
            try:
                while True:
                    data = conn.recv(65536)
                    if not data:
                        break
                    chunks.append(data)
            except OSError:
                pass
        data = b"".join(chunks)
        documents = split_alerts(data)
        with lock:
            try:
                if raw:
                    out.write(data)
                for document in documents:
                    if as_json:
                        try:
                            line = json.dumps(json.loads(document), separators=(",", ":"), ensure_ascii=False)
                        except ValueError:
                            line = document.decode("utf-8", "replace")
                        out.write(line.encode() + b"\n")
                    elif not raw:
                        out.write(readable(document, color).encode() + b"\n")
                out.flush()
            except BrokenPipeError:  # the reader left (`tickpy listen | head -1`): stop quietly
                stdout_gone.set()
                done.set()
                return
            received[0] += len(documents)
            if count and received[0] >= count:
                done.set()

    def accept() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            serve(conn)  # one at a time: alerts are printed in the order they connected

    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=accept, daemon=True).start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        click.echo(f"\ntickpy listen: {received[0]} alert(s) received", err=True)
        server.close()
        sys.exit(130)
    server.close()
    if stdout_gone.is_set():
        sys.exit(stdout_closed())
    click.echo(f"tickpy listen: {received[0]} alert(s) received", err=True)
