"""Incident-type rules: the law's definitions where the training reports teach the wrong type.

The incident head learns its types from 366 CEC reports whose only 社会安全事件 are terror attacks,
many of them bombings; it types a factory explosion as 社会安全事件 and a knife attack on a bus as
事故灾难. A few configured rules (``data/type_rules.yaml``) correct that after the head has typed a
detected incident, and say which terms made them fire.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from pipeline.errors import StartupError

from . import schemes

INCIDENT_TYPES = ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")


@dataclass(frozen=True)
class TypeRule:
    scheme: schemes.Scheme
    type: str
    replaces: tuple[str, ...]

    def applies(self, text: str, model_type: str) -> dict[str, list[str]] | None:
        if model_type == self.type or (self.replaces and model_type not in self.replaces):
            return None
        return self.scheme.match(text)


def parse(data: Any, origin: str) -> list[TypeRule]:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise StartupError(f"{origin} must hold a list under 'rules'")
    out = []
    for n, raw in enumerate(data["rules"], 1):
        where = f"{origin}: rule {n}"
        if not isinstance(raw, dict):
            raise StartupError(f"{where} must be a mapping")
        rule = dict(raw)
        kind, replaces = rule.pop("type", None), rule.pop("replaces", None) or []
        for value in (kind, *replaces):
            if value not in INCIDENT_TYPES:
                raise StartupError(f"{where} ({raw.get('name')}): {value!r} is not an incident type; "
                                   f"use one of {', '.join(INCIDENT_TYPES)}")
        if "region" in rule:
            raise StartupError(f"{where} ({raw.get('name')}): type rules take subject, event and exclude only")
        (scheme,) = schemes.parse({"schemes": [rule]}, where)
        out.append(TypeRule(scheme, kind, tuple(replaces)))
    return out


@lru_cache(maxsize=1)
def rules() -> tuple[TypeRule, ...]:
    origin = "classifiers/data/type_rules.yaml"
    text = resources.files("classifiers").joinpath("data", "type_rules.yaml").read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise StartupError(f"{origin} is not valid YAML: {str(exc).splitlines()[0]}") from None
    return tuple(parse(data, origin))


def decide(text: str, model_type: str, configured: tuple[TypeRule, ...] | None = None) -> tuple[str, dict | None]:
    """The incident type, and the rule that changed the head's type (None when none did)."""
    for rule in rules() if configured is None else configured:
        matched = rule.applies(text, model_type)
        if matched is not None:
            return rule.type, {"rule": rule.scheme.name, "model": model_type, "matched": matched}
    return model_type, None
