"""The alert queue: open alerts with their events and cases, filtered, sorted by grade and time left."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from redis import Redis

from pipeline import keys
from responders.cases import case_id, with_clock

GRADE_RANK = {"特别重大": 5, "重大": 4, "较大": 3, "一般": 2, None: 0}
FILTERS = ("concern", "domain", "source", "grade", "scheme")


def rows(conn: Redis, now: datetime, filters: dict[str, str] | None = None) -> list[dict[str, Any]]:
    filters = {k: v for k, v in (filters or {}).items() if k in FILTERS and v}
    ids = [i.decode() for i in conn.zrevrange(keys.ALERTS_OPEN, 0, 499)]
    if not ids:
        return []
    alerts = [json.loads(r) for r in conn.mget([keys.alert(i) for i in ids]) if r]
    events = conn.mget([keys.event(a["event_id"]) for a in alerts])
    cases = conn.mget([keys.case(case_id(a["event_id"])) for a in alerts])
    out = []
    for alert, ev_raw, case_raw in zip(alerts, events, cases):
        event = json.loads(ev_raw) if ev_raw else {}
        case = with_clock(json.loads(case_raw), now) if case_raw else None
        grade = (case or {}).get("level") or alert.get("level")
        deadline = None
        if case and not case.get("first_release_at") and case["status"] != "已关闭":
            deadline = case["deadlines"].get("release") or case["deadlines"].get("response")
        row = {"alert": alert, "event": event, "case": case, "grade": grade, "deadline": deadline,
               "left_s": (datetime.fromisoformat(deadline) - now).total_seconds() if deadline else None,
               "domain": event.get("domain"), "sources": event.get("sources") or alert.get("sources") or [],
               "schemes": event.get("schemes") or []}
        if _keep(row, filters):
            out.append(row)
    out.sort(key=lambda r: (-GRADE_RANK.get(r["grade"], 1), r["left_s"] if r["left_s"] is not None else float("inf"),
                            r["alert"]["created_at"]), reverse=False)
    return out


def _keep(row: dict[str, Any], f: dict[str, str]) -> bool:
    return ((not f.get("concern") or row["alert"].get("concern") == f["concern"])
            and (not f.get("domain") or row["domain"] == f["domain"])
            and (not f.get("source") or f["source"] in row["sources"])
            and (not f.get("grade") or row["grade"] == f["grade"])
            and (not f.get("scheme") or f["scheme"] in row["schemes"]))


def choices(all_rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Values offered in each filter, from what is in the queue."""
    return {
        "concern": sorted({r["alert"].get("concern") for r in all_rows if r["alert"].get("concern")}),
        "domain": sorted({r["domain"] for r in all_rows if r["domain"]}),
        "source": sorted({s for r in all_rows for s in r["sources"]}),
        "grade": [g for g in ("特别重大", "重大", "较大", "一般") if any(r["grade"] == g for r in all_rows)],
        "scheme": sorted({s for r in all_rows for s in r["schemes"]}),
    }
