"""Cases: one per event that needs an answer, with its clock, unit, drafts and history.

Two kinds share one model and one id per event (``case-<event>``), so an event
never has two cases:

- ``incident``: the event's grade is 特别重大 or 重大 in the jurisdiction (or an
  operator raised it): release within 5 h, press conference within 24 h, 续报;
- ``response``: an alert of the kind that must be answered within 48 h
  (vital interests, credibility, rumours); it becomes an ``incident`` case if
  the event's grade rises.

Every change goes through :func:`mutate`: read under WATCH, change, advance
the clock, write the case, its next timer, new draft versions and notices in
one MULTI. Concurrent writers (workers, the scheduler, people) retry instead
of overwriting each other, and a step of the clock is recorded in the same
transaction that sends its notice. Times are UTC inside.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

from redis import Redis
from redis.exceptions import WatchError

from pipeline import keys
from pipeline.errors import InputError

from . import clock
from .drafts import draft_for
from .routing import route

MAJOR = ("特别重大", "重大")
LEVELS = ("一般", "较大", "重大", "特别重大")
OPEN = "起草"
CLOSED = clock.CLOSED
NOTICES_KEPT = 5000


def case_id(event_id: str) -> str:
    return "case-" + event_id.removeprefix("ev-")


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _deadlines(kind: str, t0: datetime, cfg: dict[str, Any]) -> dict[str, str]:
    m = cfg["milestones"]
    if kind == "incident":
        return {"release": (t0 + timedelta(hours=m["release_hours"])).isoformat(),
                "press_conference": (t0 + timedelta(hours=m["press_conference_hours"])).isoformat()}
    return {"response": (t0 + timedelta(hours=m["response_hours"])).isoformat()}


class Change:
    """What one mutation writes besides the case: draft versions and notices."""

    def __init__(self) -> None:
        self.versions: list[dict[str, Any]] = []
        self.notices: list[dict[str, Any]] = []


def _changed(raw: bytes | None, change: Callable[[dict[str, Any] | None, Change], dict[str, Any] | None],
             cfg: dict[str, Any], now: datetime) -> tuple[dict[str, Any] | None, Change]:
    """The case after ``change`` and the clock (None: leave it as it is), and what else to write."""
    extra = Change()
    case = change(json.loads(raw) if raw else None, extra)
    if case is None:
        return None, extra
    extra.notices += clock.advance(case, cfg, now)
    case["updated_at"] = now.isoformat()
    if extra.versions:
        case["draft"] = extra.versions[-1]["text"]
        case["draft_version"] = extra.versions[-1]["version"]
        case["draft_by"] = extra.versions[-1]["by"]
    return case, extra


def _write(pipe, cid: str, case: dict[str, Any], extra: Change, cfg: dict[str, Any], now: datetime) -> None:
    """Queue the case, its next timer, new draft versions and notices on a MULTI pipeline."""
    due = clock.next_due(case, cfg, now)
    pipe.set(keys.case(cid), json.dumps(case, ensure_ascii=False))
    pipe.zadd(keys.CASES_ALL, {cid: datetime.fromisoformat(case["opened_at"]).timestamp()})
    if due is None:
        pipe.zrem(keys.CASES_DUE, cid)
    else:
        pipe.zadd(keys.CASES_DUE, {cid: due.timestamp()})
    for version in extra.versions:
        pipe.rpush(keys.case_versions(cid), json.dumps(version, ensure_ascii=False))
    for notice in extra.notices:
        pipe.set(keys.notice(notice["id"]), json.dumps(notice, ensure_ascii=False))
        pipe.lpush(keys.OUTBOX, notice["id"])
        pipe.zadd(keys.NOTICES, {notice["id"]: now.timestamp()})
    if extra.notices:
        pipe.zremrangebyrank(keys.NOTICES, 0, -NOTICES_KEPT - 1)


def mutate(conn: Redis, cid: str, change: Callable[[dict[str, Any] | None, Change], dict[str, Any] | None],
           cfg: dict[str, Any], now: datetime | None = None) -> dict[str, Any] | None:
    """Apply ``change`` to the case atomically; it returns the new case, or None to leave it as it is."""
    now = now or _now()
    key = keys.case(cid)
    with conn.pipeline() as pipe:
        while True:
            try:
                pipe.watch(key)
                raw = pipe.get(key)
                case, extra = _changed(raw, change, cfg, now)
                if case is None:
                    pipe.unwatch()
                    return json.loads(raw) if raw else None
                pipe.multi()
                _write(pipe, cid, case, extra, cfg, now)
                pipe.execute()
                return case
            except WatchError:
                continue


def mutate_many(conn: Redis, changes: dict[str, Callable[[dict[str, Any] | None, Change], dict[str, Any] | None]],
                cfg: dict[str, Any], now: datetime | None = None) -> list[dict[str, Any]]:
    """``mutate`` for several cases in one WATCH/MULTI (three round trips for a worker's whole batch
    instead of three per case); when any of them changed meanwhile, each is done alone instead."""
    now = now or _now()
    cids = list(changes)
    if not cids:
        return []
    with conn.pipeline() as pipe:
        try:
            pipe.watch(*[keys.case(cid) for cid in cids])
            raws = pipe.mget([keys.case(cid) for cid in cids])
            planned = [(cid, *_changed(raw, changes[cid], cfg, now)) for cid, raw in zip(cids, raws)]
            pipe.multi()
            for cid, case, extra in planned:
                if case is not None:
                    _write(pipe, cid, case, extra, cfg, now)
            pipe.execute()
            return [case for _, case, _ in planned if case is not None]
        except WatchError:
            pass
    return [case for case in (mutate(conn, cid, changes[cid], cfg, now) for cid in cids) if case is not None]


def _version(case: dict[str, Any], kind: str, text: str, source: str, by: str, now: datetime) -> dict[str, Any]:
    return {"version": int(case.get("draft_version") or 0) + 1, "kind": kind, "text": text, "source": source,
            "by": by, "at": now.isoformat()}


def _log(case: dict[str, Any], now: datetime, by: str, action: str, detail: str = "") -> None:
    case.setdefault("history", []).append({"at": now.isoformat(), "by": by, "action": action, "detail": detail})


def _facts(event: dict[str, Any]) -> dict[str, Any]:
    incident = event.get("incident") or {}
    return {k: incident.get(k) for k in ("level", "deaths", "injured", "missing", "economic_loss_yuan")}


def event_digest(event: dict[str, Any], with_items: bool) -> str:
    """What of the event a case depends on; a case whose digest is unchanged needs no write. The item
    count only matters after a release (it makes a 续报 due), so copies of a story cost nothing before."""
    fields = {k: event.get(k) for k in ("title", "incident", "region", "domain", "concern", "t0", "sources",
                                        "triggers_response", "level_estimated")}
    fields["rumor"] = round(float(event.get("rumor_score") or 0.0), 3)
    if with_items:
        fields["items"] = event.get("items", 0)
    return json.dumps(fields, ensure_ascii=False, sort_keys=True)


def refresh(old: dict[str, Any] | None, event: dict[str, Any], kind: str, cfg: dict[str, Any], now: datetime,
            templates_dir: str = "", change: Change | None = None) -> dict[str, Any]:
    """The case after the event's latest state: facts, T0 (only earlier), unit, auto draft."""
    change = change or Change()
    case = dict(old or {})
    incident = dict(event.get("incident") or {})
    if case.get("level_override"):
        incident["level"] = case["level_override"]
    kind = "incident" if kind == "incident" or case.get("kind") == "incident" else "response"
    if case.get("level_override"):          # a person's grade wins over the figures
        kind = "incident" if case["level_override"] in MAJOR else "response"
    if old is not None and case.get("kind") != kind:
        case["draft_kind"] = None if case.get("draft_source", "auto") == "auto" else case.get("draft_kind")
        case["clock_from"] = now.isoformat()     # acknowledgement is owed afresh for the new kind
        case["acked_at"] = None
        _log(case, now, "系统", "kind", f"定级为{incident.get('level')}，" +
             ("转为突发事件五小时处置" if kind == "incident" else "转为48小时回应"))
    t0 = datetime.fromisoformat(event.get("t0") or now.isoformat()).astimezone(timezone.utc)
    if case.get("t0"):
        t0 = min(t0, datetime.fromisoformat(case["t0"]))   # T0 only moves earlier as facts arrive
    if old is not None and _facts(event) != case.get("facts") and case.get("facts") is not None:
        before, after = case["facts"], _facts(event)
        diff = "，".join(f"{k} {before.get(k)}→{after.get(k)}" for k in after if before.get(k) != after.get(k))
        _log(case, now, "系统", "facts", diff)
        if case.get("releases"):
            case["grown_since_release"] = True
    if old is not None and event.get("items", 0) > case.get("items", 0) and case.get("releases"):
        case["grown_since_release"] = True
    unit, involved = route(event, cfg)
    case.update({
        "id": case_id(event["id"]), "event_id": event["id"], "kind": kind, "title": event.get("title", ""),
        "type": incident.get("type"), "level": incident.get("level"), "level_estimated": event.get("level_estimated", False),
        "t0": t0.isoformat(), "deadlines": _deadlines(kind, t0, cfg), "items": event.get("items", 0),
        "facts": _facts(event), "incident": incident, "region": event.get("region"), "domain": event.get("domain"),
        "concern": event.get("concern"), "rumor_score": event.get("rumor_score", 0.0),
        "sources": event.get("sources", []), "units_involved": involved,
        "is_rumor": event.get("rumor_score", 0.0) >= cfg["response_cases"]["rumor_score_at_least"],
    })
    case["event_digest"] = event_digest(event, bool(case.get("releases")))
    if old is None:
        case.update({"status": OPEN, "unit": unit, "unit_by": "系统", "first_release_at": None,
                     "press_conference_at": None, "opened_at": now.isoformat(), "acked_at": None,
                     "releases": [], "draft_kind": None, "draft_source": "auto", "draft_version": 0})
        _log(case, now, "系统", "open", f"{incident.get('level') or case.get('concern')}，责任单位{unit}")
        change.notices.append(_opened_notice(case, cfg, now))
    elif case.get("unit_by") == "系统":
        case["unit"] = unit
    if case["status"] == OPEN and case.get("draft_source", "auto") == "auto":
        draft_kind = case.get("draft_kind") or initial_kind(case)
        text = draft_for(draft_kind, case, event, now, templates_dir)
        if text != case.get("draft"):
            change.versions.append(_version(case, draft_kind, text, "auto", "系统", now))
            case["draft_kind"] = draft_kind
    return case


def initial_kind(case: dict[str, Any]) -> str:
    if case["kind"] == "incident":
        return "incident"
    return "rebuttal" if case.get("concern") == "不实信息" or case.get("is_rumor") else "response"


def _opened_notice(case: dict[str, Any], cfg: dict[str, Any], now: datetime) -> dict[str, Any]:
    urgent = case.get("level") in cfg["notifications"]["urgent_levels"]
    what = f"{case.get('level')}{case.get('type') or '突发事件'}" if case["kind"] == "incident" else "需回应的舆情"
    deadline = case["deadlines"].get("release") or case["deadlines"]["response"]
    subject = f"【新案例·{what}】{case.get('title', '')[:40]}"
    body = f"{subject}\n\n案例：{case['id']}\n责任单位：{case['unit']}\n时限：{deadline}\n请及时确认并组织起草。"
    return {"id": f"{case['id']}:open", "case_id": case["id"], "kind": "open", "roles": ["值班员"],
            "subject": subject, "body": body, "urgent": urgent, "created_at": now.isoformat()}


class Responder:
    """The pipeline's hook: opens and refreshes cases as events grow. Built once per worker."""

    def __init__(self, cfg: dict[str, Any] | None = None, templates_dir: str = "") -> None:
        from .config import load

        self.cfg = cfg or load()
        self.templates_dir = templates_dir

    @classmethod
    def from_settings(cls, settings) -> "Responder":
        from .config import load, resolve_path

        return cls(load(resolve_path(settings)), settings.templates_dir)

    def wants_response_case(self, event: dict[str, Any], alerted: bool) -> bool:
        rc = self.cfg["response_cases"]
        return alerted and (event.get("concern") in rc["concerns"]
                            or event.get("rumor_score", 0.0) >= rc["rumor_score_at_least"])

    def on_events(self, conn: Redis, events: list[tuple[dict[str, Any], bool]], now: datetime) -> list[dict]:
        """Each (event, alerted) pair: open or refresh its case when one is due or already exists."""
        ids = [case_id(e["id"]) for e, _ in events]
        current = conn.mget([keys.case(i) for i in ids]) if ids else []
        changes = {}
        for n, (event, alerted) in enumerate(events):
            incident = bool(event.get("triggers_response"))
            old = json.loads(current[n]) if current[n] else None
            if old is None and not (incident or self.wants_response_case(event, alerted)):
                continue
            if old is not None and old.get("event_digest") == event_digest(event, bool(old.get("releases"))) \
                    and (old.get("kind") == "incident" or not incident):
                continue                     # nothing the case depends on has changed
            kind = "incident" if incident else "response"

            def change(old, extra, event=event, kind=kind):
                return refresh(old, event, kind, self.cfg, now, self.templates_dir, extra)

            changes[ids[n]] = change
        return mutate_many(conn, changes, self.cfg, now)


def get(conn: Redis, cid: str) -> dict[str, Any]:
    raw = conn.get(keys.case(cid))
    if raw is None:
        raise InputError(f"no case {cid}; `yuqing cases` lists them")
    return json.loads(raw)


def with_clock(case: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The case as shown: ``overdue`` when its first deadline passed without a release."""
    deadline = datetime.fromisoformat(case["deadlines"].get("release") or case["deadlines"]["response"])
    return {**case, "overdue": case.get("first_release_at") is None and case.get("status") != CLOSED
            and now > deadline}


def list_cases(conn: Redis, clock_fn: Callable[[], datetime] = _now, kind: str | None = "incident",
               clock: Callable[[], datetime] | None = None) -> list[dict[str, Any]]:
    """Cases newest first; ``kind`` None for both kinds."""
    now = (clock or clock_fn)()
    ids = [i.decode() for i in conn.zrevrange(keys.CASES_ALL, 0, -1)]
    raws = conn.mget([keys.case(i) for i in ids]) if ids else []
    cases = [json.loads(r) for r in raws if r is not None]
    return [with_clock(c, now) for c in cases if kind is None or c.get("kind", "incident") == kind]


def versions(conn: Redis, cid: str) -> list[dict[str, Any]]:
    return [json.loads(v) for v in conn.lrange(keys.case_versions(cid), 0, -1)]


def tick(conn: Redis, cfg: dict[str, Any], now: datetime | None = None) -> int:
    """Advance every case whose next timer is due; returns how many were advanced."""
    now = now or _now()
    due = [c.decode() for c in conn.zrangebyscore(keys.CASES_DUE, "-inf", now.timestamp())]
    for cid in due:
        mutate(conn, cid, lambda old, extra: old, cfg, now)
    return len(due)
