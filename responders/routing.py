"""Who answers an event (属地管理、分级负责、谁主管谁负责), from the ``units`` of the configuration."""

from __future__ import annotations

from typing import Any


def route(event: dict[str, Any], cfg: dict[str, Any]) -> tuple[str, list[str]]:
    """The answering unit and every unit involved.

    A unit is involved when one of its place words appears in the event's
    place or title and, if it lists domains, the event's domain is among them.
    One involved unit answers; several → the lead body (``lead_unit``) answers
    for them; none → ``default_unit``.
    """
    where = " ".join(filter(None, [(event.get("region") or {}).get("place"), event.get("title")]))
    involved = []
    for rule in cfg.get("units") or []:
        domains = rule.get("domains") or []
        if any(p in where for p in rule["places"]) and (not domains or event.get("domain") in domains):
            if rule["unit"] not in involved:
                involved.append(rule["unit"])
    if len(involved) == 1:
        return involved[0], involved
    if len(involved) > 1:
        return cfg.get("lead_unit") or involved[0], involved
    return cfg.get("default_unit") or "信息处", involved
