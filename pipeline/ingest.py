"""The ingest job's work: a batch of items → classify → store → events → heat → alert.

Every write is idempotent (sets, upserts keyed by item, event and alert id;
counts derived from set sizes), so a batch redone after a worker died, or
run twice, changes nothing: no item is lost, no alert is doubled.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from typing import Any, Callable

import redis
from redis import Redis

from classifiers.tokenizer import tokenize

from . import events, keys, rules
from .items import normalise
from .jobs_store import store_items

SEVERITY = {None: 0, "一般": 1, "较大": 2, "重大": 3, "特别重大": 4}


def event_key(event_id: str) -> str:
    return f"{keys.PREFIX}:event:{event_id}"


def event_items_key(event_id: str) -> str:
    return f"{keys.PREFIX}:event:{event_id}:items"


def event_volume_key(event_id: str) -> str:
    return f"{keys.PREFIX}:event:{event_id}:volume"


EVENTS_BY_TIME = f"{keys.PREFIX}:events:by_time"
METRICS = f"{keys.PREFIX}:metrics"


def _ts(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


def _merge(event: dict[str, Any] | None, item: dict[str, Any], result: dict[str, Any], now: float) -> dict[str, Any]:
    """Fold one new item into the event summary (worst incident, highest rumour score, …)."""
    event = dict(event or {})
    first = event.get("first_seen") is None
    event.setdefault("first_seen", _iso(now))
    event["last_seen"] = _iso(now)
    engagement = sum(v or 0 for v in (item.get("engagement") or {}).values())
    event["engagement"] = event.get("engagement", 0) + engagement
    event["sources"] = sorted(set(event.get("sources", [])) | ({item["source"]} if item.get("source") else set()))
    event["schemes"] = sorted(set(event.get("schemes", [])) | {s["name"] for s in result.get("schemes", [])})
    event["rumor_score"] = max(event.get("rumor_score", 0.0), result["rumor"]["score"])
    incident = result["incident"]
    if first or SEVERITY[incident.get("level")] > SEVERITY[(event.get("incident") or {}).get("level")] or (
            incident.get("level") and incident.get("level") == (event.get("incident") or {}).get("level")
            and (incident.get("deaths") or 0) > ((event.get("incident") or {}).get("deaths") or 0)):
        event["incident"] = incident
        event["title"] = item.get("title") or item.get("text", "")[:60]
        event["representative"] = item["id"]
        event["concern"] = result["concern"]
        event["domain"] = result["domain"]
        event["region"] = result["region"]
    event["triggers_response"] = bool(event.get("triggers_response")) or result["triggers_response"]
    published = [t for t in (_ts(item.get("published_at")), _ts(event.get("earliest_published_at"))) if t]
    if published:
        event["earliest_published_at"] = _iso(min(published))
    occurred = (event.get("incident") or {}).get("occurred_at")
    event["t0"] = occurred or event.get("earliest_published_at") or event["first_seen"]
    return event


def heat(conn: Redis, event_id: str, event: dict[str, Any], now: float, config: dict[str, Any]) -> dict[str, Any]:
    window, baseline = config["heat"]["window_s"], config["heat"]["baseline_s"]
    volume = event_volume_key(event_id)
    recent = conn.zcount(volume, now - window, "+inf")
    before = conn.zcount(volume, now - window - baseline, f"({now - window}")
    per_window = before / max(1.0, baseline / window)
    return {"items": event["items"], "recent": recent, "baseline_per_window": round(per_window, 3),
            "spike": round((recent + 1) / (per_window + 1), 2), "engagement": event.get("engagement", 0)}


def alert_id(event_id: str) -> str:
    return "al-" + event_id.removeprefix("ev-")


def _alert_doc(event_id: str, event: dict[str, Any], reasons: list[str], old: dict[str, Any] | None,
               now: float) -> dict[str, Any]:
    incident = event.get("incident") or {}
    return {
        "id": alert_id(event_id), "event_id": event_id, "title": event.get("title", ""),
        "concern": event.get("concern"), "level": incident.get("level") or event.get("yuqing_level"),
        "reasons": reasons, "created_at": (old or {}).get("created_at") or _iso(now), "updated_at": _iso(now),
        "items": event["items"], "yuqing_level": event.get("yuqing_level"), "incident": incident,
        "triggers_response": event.get("triggers_response", False), "t0": event.get("t0"),
        "sources": event.get("sources", []), "region": event.get("region"),
    }


def update_event(conn: Redis, event_id: str, item: dict[str, Any], result: dict[str, Any], now: float,
                 config: dict[str, Any]) -> dict[str, Any] | None:
    """Add the item to its event and upsert the event's one alert, in one optimistic transaction."""
    ekey, ikey, vkey = event_key(event_id), event_items_key(event_id), event_volume_key(event_id)
    when = _ts(item.get("published_at")) or now
    with conn.pipeline() as pipe:
        while True:
            try:
                pipe.watch(ekey)
                if pipe.sismember(ikey, item["id"]):
                    pipe.unwatch()
                    return None  # already folded in: a redone batch changes nothing
                raw = pipe.get(ekey)
                event = _merge(json.loads(raw) if raw else None, item, result, now)
                event["id"] = event_id
                event["items"] = pipe.scard(ikey) + 1
                pipe.multi()
                pipe.sadd(ikey, item["id"])
                pipe.zadd(vkey, {item["id"]: when})
                pipe.set(ekey, json.dumps(event, ensure_ascii=False))
                pipe.zadd(EVENTS_BY_TIME, {event_id: now})
                pipe.execute()
                break
            except redis.WatchError:
                continue
    event["heat"] = heat(conn, event_id, event, now, config)
    event["yuqing_level"] = rules.yuqing_level(event["heat"], config)
    reasons = rules.fired(event, config)
    conn.set(ekey, json.dumps(event, ensure_ascii=False))  # heat and level are derived; last writer is fine
    if not reasons:
        return None
    aid = alert_id(event_id)
    old_raw = conn.get(keys.alert(aid))
    doc = _alert_doc(event_id, event, reasons, json.loads(old_raw) if old_raw else None, now)
    with conn.pipeline() as pipe:
        pipe.set(keys.alert(aid), json.dumps(doc, ensure_ascii=False))
        pipe.zadd(keys.ALERTS_OPEN, {aid: _ts(doc["created_at"])}, nx=True)
        pipe.execute()
    return doc


def process_batch(conn: Redis, raw_items: list[dict[str, Any]], classifier, config: dict[str, Any] | None = None,
                  clock: Callable[[], float] = time.time,
                  on_alert: Callable[[dict[str, Any]], None] | None = None) -> dict[str, int]:
    started = clock()
    config = config or rules.load()
    items = [normalise(raw) for raw in raw_items]
    results = classifier.classify(items)
    t_classified = clock()
    stored = store_items(conn, items, results)
    counts = {"items": len(items), "stored": stored["stored"], "unchanged": stored["unchanged"], "alerts": 0}
    now = clock()
    for item, result in zip(items, results):
        tokens = tokenize(f"{item['title']}。{item['text']}"[:3000])
        fingerprint = events.simhash(tokens)
        event_id = events.assign(conn, item["id"], item["content_hash"], fingerprint, len(tokens))
        doc = update_event(conn, event_id, item, result, now, config)
        if doc is not None:
            counts["alerts"] += 1
            if on_alert is not None:
                on_alert(doc)
    done = clock()
    with conn.pipeline(transaction=False) as pipe:
        pipe.hincrby(METRICS, "items_processed", len(items))
        pipe.hincrby(METRICS, "batches_processed", 1)
        pipe.hincrbyfloat(METRICS, "seconds_classify", t_classified - started)
        pipe.hincrbyfloat(METRICS, "seconds_events", done - now)
        pipe.hincrbyfloat(METRICS, "seconds_total", done - started)
        pipe.execute()
    return counts
