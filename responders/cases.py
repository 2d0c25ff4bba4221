"""Incident cases: one per event that reaches 特别重大 or 重大 (in scope), with the five-hour clock.

A case is opened by the pipeline when an event's alert says it triggers a
response, and refreshed as the event grows (figures, draft, T0 if an earlier
occurrence time becomes known). Times are UTC inside; the draft and the
dashboard show Asia/Shanghai. ``overdue`` is computed when read, against the
injected clock.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources
from typing import Any, Callable

import yaml
from redis import Redis

from pipeline import keys

from .drafts import incident_context, render

STATUS_OPEN = "起草"


@lru_cache(maxsize=1)
def milestones() -> dict[str, Any]:
    return yaml.safe_load(resources.files("responders").joinpath("data", "milestones.yaml").read_text(encoding="utf-8"))


def case_id(event_id: str) -> str:
    return "case-" + event_id.removeprefix("ev-")


def responsible_unit(event: dict[str, Any], config: dict[str, Any]) -> str:
    place = ((event.get("region") or {}).get("place") or "") + " " + (event.get("title") or "")
    for rule in config.get("units") or []:
        if any(p in place for p in rule.get("places", [])):
            return rule["unit"]
    return config.get("default_unit", "信息处")


def _deadlines(t0: datetime, config: dict[str, Any]) -> dict[str, str]:
    return {"release": (t0 + timedelta(hours=config["release_hours"])).isoformat(),
            "press_conference": (t0 + timedelta(hours=config["press_conference_hours"])).isoformat()}


def upsert(conn: Redis, event: dict[str, Any], now: datetime, templates_dir: str = "") -> dict[str, Any]:
    """Open the event's case, or refresh it; at most one case per event, whoever calls."""
    config = milestones()
    cid = case_id(event["id"])
    old_raw = conn.get(keys.case(cid))
    old = json.loads(old_raw) if old_raw else {}
    t0 = datetime.fromisoformat(event.get("t0") or now.isoformat()).astimezone(timezone.utc)
    if old.get("t0"):
        t0 = min(t0, datetime.fromisoformat(old["t0"]))  # T0 only moves earlier as facts arrive
    incident = event.get("incident") or {}
    case = {
        "id": cid, "event_id": event["id"], "title": event.get("title", ""), "type": incident.get("type"),
        "level": incident.get("level"), "t0": t0.isoformat(), "deadlines": _deadlines(t0, config),
        "status": old.get("status", STATUS_OPEN), "unit": old.get("unit") or responsible_unit(event, config),
        "first_release_at": old.get("first_release_at"), "opened_at": old.get("opened_at") or now.isoformat(),
        "updated_at": now.isoformat(), "incident": incident, "region": event.get("region"),
    }
    case["draft"] = render("incident", incident_context(case, event, now), templates_dir)
    with conn.pipeline() as pipe:
        pipe.set(keys.case(cid), json.dumps(case, ensure_ascii=False))
        pipe.zadd(keys.CASES_ALL, {cid: now.timestamp()}, nx=True)
        pipe.execute()
    return case


def with_clock(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The case as shown: ``overdue`` when the release deadline passed without a first release."""
    release = datetime.fromisoformat(case["deadlines"]["release"])
    return {**case, "overdue": case.get("first_release_at") is None and now > release}


def list_cases(conn: Redis, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> list[dict]:
    ids = [i.decode() for i in conn.zrevrange(keys.CASES_ALL, 0, -1)]
    raws = conn.mget([keys.case(i) for i in ids]) if ids else []
    now = clock()
    return [with_clock(json.loads(r), now) for r in raws if r is not None]
