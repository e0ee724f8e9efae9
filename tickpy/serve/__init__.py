"""`tickpy serve`: tickpy where Kapacitor sits, a long-running service that InfluxDB clients and
Telegraf write to and that the kapacitor CLI manages.

    config.py   the settings (command line over kapacitor.conf)
    ingest.py   write bodies: gzip, precision, limits, InfluxDB's error texts
    tasks.py    task definitions and the runner thread of each enabled task (bounded queue)
    core.py     the state: tasks, templates, topic handlers, the shared alert service, counters
    store.py    the data directory (sqlite3)
    shapes.py   Kapacitor 1.5.7's JSON
    http.py     the HTTP endpoints
    loaddir.py  Kapacitor's load directory
    server.py   the process: listeners, signals
"""

from tickpy.serve.config import ConfigProblem, ServeConfig
from tickpy.serve.config import load as load_config
from tickpy.serve.server import serve

__all__ = ["ConfigProblem", "ServeConfig", "load_config", "serve"]
