"""The response configuration (``responders/data/response.yaml``): milestones, reminders,
escalation, routing, notification and review rules, all editable without code."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from pipeline.errors import StartupError

REQUIRED = {
    "milestones": ("release_hours", "press_conference_hours", "response_hours", "followup_hours"),
    "reminders": ("release_hours", "press_conference_hours", "response_hours"),
    "escalation": ("ack_minutes", "chain", "step_minutes", "repeat_minutes"),
    "response_cases": ("concerns", "rumor_score_at_least"),
    "notifications": ("quiet_hours", "urgent_levels", "max_attempts"),
}


def shipped_text() -> str:
    return resources.files("responders").joinpath("data", "response.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def load(path: str = "") -> dict[str, Any]:
    """The configuration at ``path`` (empty: the shipped one), checked so mistakes fail at start."""
    origin = path or "responders/data/response.yaml"
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8") if path else shipped_text())
    except (OSError, yaml.YAMLError) as exc:
        raise StartupError(f"cannot read response configuration {origin}: {exc}") from None
    if not isinstance(data, dict):
        raise StartupError(f"{origin} must be a mapping of sections")
    for section, fields in REQUIRED.items():
        missing = [f for f in fields if f not in (data.get(section) or {})]
        if missing:
            raise StartupError(f"{origin}: section '{section}' needs {', '.join(missing)}")
    if not data["escalation"]["chain"]:
        raise StartupError(f"{origin}: escalation.chain needs at least one role, e.g. [分管领导, 主要领导]")
    quiet = str(data["notifications"]["quiet_hours"] or "")
    if quiet and not _quiet_ok(quiet):
        raise StartupError(f"{origin}: notifications.quiet_hours must look like \"22:00-07:00\" or be empty")
    for n, rule in enumerate(data.get("units") or [], 1):
        if not isinstance(rule, dict) or not rule.get("unit") or not rule.get("places"):
            raise StartupError(f"{origin}: units entry {n} needs 'unit' and a list of 'places'")
    data.setdefault("contacts", {})
    data.setdefault("default_unit", "信息处")
    data.setdefault("lead_unit", "")
    data.setdefault("secrecy_terms", [])
    data.setdefault("public_names", [])
    return data


def _quiet_ok(text: str) -> bool:
    try:
        quiet_window(text)
    except ValueError:
        return False
    return True


def quiet_window(text: str) -> tuple[int, int]:
    """Minutes after midnight of the start and end of quiet hours ("22:00-07:00")."""
    start, end = text.split("-")
    return tuple(int(h) * 60 + int(m) for h, m in (p.strip().split(":") for p in (start, end)))  # type: ignore[return-value]


def resolve_path(settings) -> str:
    """The operator's file: the setting, else ``<var>/response.yaml`` when present, else shipped."""
    if settings.response_file:
        return str(Path(settings.response_file).expanduser())
    local = settings.var_dir / "response.yaml"
    return str(local) if local.is_file() else ""
