"""The concern head: which 舆情 collection priority an item falls under.

No public labelled set exists for these seven labels, so the head is a rule
cascade over the other heads and configured keywords (``data/concern.yaml``):
a rumour → 不实信息, an incident → 突发事件与灾害, then keyword rules.
Labelling guidelines: docs in classifiers/CONCERN_GUIDELINES.md.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    text = resources.files("classifiers").joinpath("data", "concern.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def decide(text: str, is_rumor: bool, is_incident: bool) -> dict[str, Any]:
    """The label and the rule (with matched terms) that chose it."""
    for rule in config()["rules"]:
        head = rule.get("from_head")
        if head == "rumor" and is_rumor:
            return {"label": rule["label"], "because": ["rumor head"]}
        if head == "incident" and is_incident:
            return {"label": rule["label"], "because": ["incident head"]}
        if head:
            continue
        hits = [k for k in rule["keywords"] if k in text]
        if len(hits) >= rule.get("min_hits", 1):
            return {"label": rule["label"], "because": hits[:5]}
    return {"label": "其他", "because": []}
