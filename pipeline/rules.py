"""Heat, 舆情 level and alert rules, from configuration (``pipeline/data/rules.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import StartupError

CONDITIONS = {"incident_levels", "rumor_score_at_least", "yuqing_levels", "schemes", "concerns", "min_items"}
LEVEL_ORDER = ("一般", "较大", "重大")


@lru_cache(maxsize=8)
def load(path: str = "") -> dict[str, Any]:
    origin = path or "pipeline/data/rules.yaml"
    try:
        text = Path(path).read_text(encoding="utf-8") if path else \
            resources.files("pipeline").joinpath("data", "rules.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as exc:
        raise StartupError(f"cannot read rules {origin}: {exc}") from None
    if not isinstance(data, dict) or "heat" not in data or not isinstance(data.get("alerts"), list):
        raise StartupError(f"{origin} needs 'heat' and a list of 'alerts'")
    for n, rule in enumerate(data["alerts"], 1):
        unknown = set((rule or {}).get("when", {})) - CONDITIONS
        if not rule.get("name") or unknown:
            raise StartupError(f"{origin}: alert rule {n} needs a name and conditions among "
                               f"{', '.join(sorted(CONDITIONS))}" + (f" (unknown: {', '.join(unknown)})" if unknown else ""))
    return data


def yuqing_level(heat: dict[str, float], config: dict[str, Any]) -> str:
    for level, floors in config["heat"]["levels"].items():
        if any(heat.get(k, 0) >= v for k, v in floors.items()):
            return level
    return "一般"


def fired(event: dict[str, Any], config: dict[str, Any]) -> list[str]:
    """The reasons this event deserves an alert (empty: none)."""
    reasons = []
    incident = event.get("incident") or {}
    for rule in config["alerts"]:
        cond = rule.get("when", {})
        ok = True
        detail = []
        if "incident_levels" in cond:
            ok &= incident.get("level") in cond["incident_levels"]
            detail.append(f"{incident.get('type')} {incident.get('level')}")
        if "rumor_score_at_least" in cond:
            ok &= event.get("rumor_score", 0.0) >= cond["rumor_score_at_least"]
            detail.append(f"谣言分 {event.get('rumor_score', 0):.2f}")
        if "yuqing_levels" in cond:
            ok &= event.get("yuqing_level") in cond["yuqing_levels"]
            detail.append(f"舆情{event.get('yuqing_level')}")
        if "schemes" in cond:
            hit = sorted(set(event.get("schemes", [])) & set(cond["schemes"]))
            ok &= bool(hit)
            detail.append("方案 " + "、".join(hit))
        if "concerns" in cond:
            ok &= event.get("concern") in cond["concerns"]
            detail.append(str(event.get("concern")))
        if "min_items" in cond:
            ok &= event.get("items", 0) >= cond["min_items"]
        if ok:
            reasons.append(f"{rule['name']}：{'，'.join(detail)}" if detail else rule["name"])
    return reasons
