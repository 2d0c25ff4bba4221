"""The concern head: which 舆情 collection priority an item falls under.

No public labelled set exists for these seven labels, so the head is a rule
cascade over the other heads and configured keywords (``data/concern.yaml``):
a rumour → 不实信息, an incident → 突发事件与灾害, then keyword rules.
Labelling guidelines: docs in classifiers/CONCERN_GUIDELINES.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=1)
def config() -> dict[str, Any]:
    text = resources.files("classifiers").joinpath("data", "concern.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def _any_keyword() -> list[re.Pattern | None]:
    """Per rule, one pattern that finds whether any of its keywords occurs: most items match no
    keyword of most rules, and one regex search costs less than a substring test per keyword."""
    return [re.compile("|".join(map(re.escape, rule["keywords"]))) if rule.get("keywords") else None
            for rule in config()["rules"]]


def decide(text: str, is_rumor: bool, is_incident: bool) -> dict[str, Any]:
    """The label and the rule (with matched terms) that chose it."""
    for rule, any_keyword in zip(config()["rules"], _any_keyword()):
        head = rule.get("from_head")
        if head == "rumor" and is_rumor:
            return {"label": rule["label"], "because": ["rumor head"]}
        if head == "incident" and is_incident:
            return {"label": rule["label"], "because": ["incident head"]}
        if head:
            continue
        if any_keyword is not None and rule.get("min_hits", 1) >= 1 and not any_keyword.search(text):
            continue                     # no keyword at all: the rule cannot fire
        hits = [k for k in rule["keywords"] if k in text]
        if len(hits) >= rule.get("min_hits", 1):
            return {"label": rule["label"], "because": hits[:5]}
    return {"label": "其他", "because": []}
