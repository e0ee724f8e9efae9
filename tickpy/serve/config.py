"""The settings of `tickpy serve`: the command line over kapacitor.conf's [http], [[udp]], [load],
[storage] and `default-retention-policy`, as Kapacitor reads them."""

from __future__ import annotations

import ipaddress
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BIND = "127.0.0.1:9092"
# Bounds on what the network may make the server hold (InfluxDB has max-body-size 25 MB).
DEFAULT_MAX_BODY_BYTES = 25_000_000
DEFAULT_MAX_LINE_BYTES = 64 * 1024
# Points one task may have waiting; a write that does not fit answers 503.
DEFAULT_QUEUE_POINTS = 200_000
DEFAULT_MAX_CONNECTIONS = 256


class ConfigProblem(Exception):
    """A setting the server cannot start with; the message says which and why."""


@dataclass(slots=True)
class UDPListener:
    bind: str
    database: str
    retention_policy: str
    precision: str = "ns"


@dataclass(slots=True)
class ServeConfig:
    bind: str = DEFAULT_BIND
    load_dir: str | None = None
    data_dir: str | None = None
    default_retention_policy: str = ""
    auth_enabled: bool = False
    users: dict[str, str] = field(default_factory=dict)  # basic-auth user -> password
    token: str | None = None  # a bearer token (from --token-file)
    shared_secret: str = ""  # [http] shared-secret: bearer JWTs signed with it name a user
    udp: list[UDPListener] = field(default_factory=list)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    queue_points: int = DEFAULT_QUEUE_POINTS
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    # The whole configuration, for the alert service ([[httppost]], service sections).
    raw: dict = field(default_factory=dict)
    config_path: str | None = None

    @property
    def host_port(self) -> tuple[str, int]:
        return split_address(self.bind)

    @property
    def needs_auth(self) -> bool:
        host, _ = self.host_port
        return not is_loopback(host)

    @property
    def has_credentials(self) -> bool:
        return bool(self.token) or (self.auth_enabled and bool(self.users))


def split_address(text: str) -> tuple[str, int]:
    """("host", port) from "host:port", ":port" (every interface, as Kapacitor's ":9092") or "[v6]:port"."""
    host, colon, port = text.rpartition(":")
    if not colon or not port.isdigit() or int(port) > 65535:
        raise ConfigProblem(f"invalid bind address {text!r}: expected HOST:PORT")
    host = host.strip("[]")
    return (host or "0.0.0.0"), int(port)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load(config_path: str | None, *, bind: str | None, load_dir: str | None, data_dir: str | None,
         token_file: str | None = None) -> ServeConfig:
    """The settings: the command line wins over the configuration file."""
    raw: dict = {}
    if config_path:
        try:
            raw = tomllib.loads(Path(config_path).read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigProblem(f"cannot read {config_path}: {error.strerror or error}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigProblem(f"{config_path}: invalid TOML: {error}") from None
    config = ServeConfig(raw=raw, config_path=config_path)
    http = _table(raw, "http")
    load_section = _table(raw, "load")
    storage = _table(raw, "storage")
    config.bind = bind or _string(http, "bind-address", "http") or DEFAULT_BIND
    if config.bind.startswith(":"):  # Kapacitor's default ":9092" means every interface
        config.bind = "0.0.0.0" + config.bind
    split_address(config.bind)
    config.default_retention_policy = _string(raw, "default-retention-policy", "") or ""
    config.auth_enabled = bool(http.get("auth-enabled", False))
    config.shared_secret = _string(http, "shared-secret", "http") or ""
    users = http.get("users", [])
    if not isinstance(users, list):
        raise ConfigProblem("[[http.users]] must be a list of tables with username and password")
    for entry in users:
        name, password = entry.get("username"), entry.get("password")
        if not isinstance(name, str) or not isinstance(password, str) or not name:
            raise ConfigProblem("each [[http.users]] needs a username and a password (strings)")
        config.users[name] = password
    for key, attribute in (("max-body-size", "max_body_bytes"), ("max-line-size", "max_line_bytes"),
                           ("max-connections", "max_connections")):
        value = http.get(key)
        if value is not None:
            if not isinstance(value, int) or value <= 0:
                raise ConfigProblem(f"[http] {key} must be a positive integer")
            setattr(config, attribute, value)
    if load_dir:
        config.load_dir = load_dir
    elif load_section.get("enabled", False):
        config.load_dir = _string(load_section, "dir", "load") or None
    config.data_dir = data_dir or _string(storage, "dir", "storage") or None
    if token_file:
        try:
            config.token = Path(token_file).read_text(encoding="utf-8").strip() or None
        except OSError as error:
            raise ConfigProblem(f"cannot read --token-file {token_file}: {error.strerror or error}") from None
        if config.token is None:
            raise ConfigProblem(f"--token-file {token_file} is empty")
    for entry in raw.get("udp", []) if isinstance(raw.get("udp"), list) else []:
        if not entry.get("enabled", False):
            continue
        address = _string(entry, "bind-address", "udp")
        database = _string(entry, "database", "udp")
        if not address or not database:
            raise ConfigProblem("an enabled [[udp]] listener needs bind-address and database")
        address = "0.0.0.0" + address if address.startswith(":") else address  # as Kapacitor: every interface
        split_address(address)
        config.udp.append(UDPListener(address, database,
                                      _string(entry, "retention-policy", "udp") or "",
                                      _string(entry, "precision", "udp") or "ns"))
    return config


def _table(raw: dict, name: str) -> dict:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise ConfigProblem(f"[{name}] must be a table")
    return value


def _string(table: dict, key: str, section: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigProblem(f"[{section}] {key} must be a string" if section else f"{key} must be a string")
    return value
