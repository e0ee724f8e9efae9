"""`tickpy serve`: a long-running Kapacitor-compatible service (tickpy.serve does the work)."""

from __future__ import annotations

import sys

import click

HELP = """Serve as Kapacitor does: InfluxDB 1.x clients and Telegraf write line protocol to
POST /write (and /kapacitor/v1/write), the kapacitor CLI manages tasks, templates, topics and
topic handlers through Kapacitor 1.5.7's HTTP API (kapacitor -url http://127.0.0.1:9092 ...), and
every enabled stream task runs on the points written to its dbrps, delivering its alerts as
`tickpy run` does.

\b
Reads kapacitor.conf's [http] (bind-address, auth-enabled with [[http.users]]
username and password, shared-secret for bearer JWTs, max-body-size,
max-line-size, max-connections), [[udp]] listeners, [load] (enabled, dir),
[storage] (dir, the data directory) and default-retention-policy, plus the
alert services tickpy run reads.
The first line on standard output is `tickpy serve: listening on http://HOST:PORT` (port 0
picks a free one).

\b
A write is answered only once its points are queued for every task that reads its database
and retention policy; a task whose queue is full makes the write answer 503 with Retry-After
(nothing of it is queued). Tasks, templates, topic handlers and topic states are kept in
--data-dir (sqlite); without it nothing survives the process. SIGHUP reloads --load-dir;
SIGTERM stops taking writes, lets each task process what it has queued, delivers the queued
alerts (5 s, then they are dead-lettered) and exits 0.

\b
Defining a task is running code (.exec()): a --bind beyond loopback is refused unless
authentication is configured (exit status 2)."""


@click.command("serve", help=HELP)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Kapacitor TOML configuration (kapacitor.conf).")
@click.option("--bind", metavar="HOST:PORT", help="Where to listen (default: [http] bind-address, else "
                                                  "127.0.0.1:9092).")
@click.option("--load-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Kapacitor's load directory: tasks/, templates/ (with vars files in tasks/) and handlers/.")
@click.option("--data-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Where definitions and topic states are kept (created if needed).")
@click.option("--token-file", type=click.Path(dir_okay=False), metavar="FILE",
              help="A file holding a bearer token that requests may give (Authorization: Bearer TOKEN).")
@click.option("--queue-points", type=click.IntRange(min=1), metavar="N",
              help="Points each task may have waiting before writes answer 503 (default 200000).")
def command(config_path, bind, load_dir, data_dir, token_file, queue_points) -> None:
    from tickpy.serve import ConfigProblem, load_config, serve  # deferred: start-up (`tickpy --help`)

    try:
        config = load_config(config_path, bind=bind, load_dir=load_dir, data_dir=data_dir, token_file=token_file)
    except ConfigProblem as error:
        click.echo(f"tickpy serve: {error}", err=True)
        sys.exit(2)
    if queue_points:
        config.queue_points = queue_points
    sys.exit(serve(config))
