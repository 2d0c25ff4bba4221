"""The ingest job's work: a batch of items → classify → store → events → heat → alert.

Every write is idempotent (sets, upserts keyed by item, event and alert id;
counts derived from set sizes), so a batch redone after a worker died, or
run twice, changes nothing: no item is lost, no alert is doubled.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable

from redis import Redis

from classifiers.tokenizer import tokenize

from . import events, keys, rules
from .items import normalise
from .jobs_store import store_items

SEVERITY = {None: 0, "一般": 1, "较大": 2, "重大": 3, "特别重大": 4}


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
        event["level_estimated"] = bool(((result.get("explain") or {}).get("severity") or {}).get("estimated"))
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


# Compare-and-set of an event document, with its item set, volume and index, in one atomic step:
# KEYS event, items, volume, events_by_time, alert; ARGV expected doc ("" = none), new doc, now, event
# id, start of the recent window, start of the baseline, then item id / score pairs. Returns 0 when the
# document changed meanwhile, else {1, items in the recent window, items in the baseline, alert or ""}
# (what the heat and the alert need next, without another round trip).
_CAS_BY_ID = """
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
for i = 7, #ARGV, 2 do
  redis.call('SADD', KEYS[2], ARGV[i])
  redis.call('ZADD', KEYS[3], ARGV[i + 1], ARGV[i])
end
return {1, redis.call('ZCOUNT', KEYS[3], ARGV[5], '+inf'),
        redis.call('ZCOUNT', KEYS[3], ARGV[6], '(' .. ARGV[5]),
        redis.call('GET', KEYS[5]) or ''}
"""
_SET_IF = """
if (redis.call('GET', KEYS[1]) or '') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
"""


def _heat(event: dict[str, Any], recent: int, before: int, config: dict[str, Any]) -> None:
    window, baseline = config["heat"]["window_s"], config["heat"]["baseline_s"]
    per_window = before / max(1.0, baseline / window)
    event["heat"] = {"items": event["items"], "recent": recent, "baseline_per_window": round(per_window, 3),
                     "spike": round((recent + 1) / (per_window + 1), 2), "engagement": event.get("engagement", 0)}
    event["yuqing_level"] = rules.yuqing_level(event["heat"], config)


def update_events(conn: Redis, grouped: dict[str, list[tuple[dict, dict]]], now: float,
                  config: dict[str, Any], responder=None) -> list[dict[str, Any]]:
    """Fold each event's new items in, then upsert its one alert. Round trips per batch, not per item.

    A new event's heat is known from its own items, so it is written in the same step; an existing
    event's heat is read back after the write and stored only over the document it came from.
    """
    cas = conn.register_script(_CAS_BY_ID)
    set_if = conn.register_script(_SET_IF)
    window, baseline = config["heat"]["window_s"], config["heat"]["baseline_s"]
    todo = dict(grouped)
    written: dict[str, tuple[str, dict[str, Any], bool]] = {}
    after: dict[str, list] = {}          # event id → the CAS script's reply
    for _attempt in range(10):
        if not todo:
            break
        ids = list(todo)
        with conn.pipeline(transaction=False) as pipe:
            for event_id in ids:
                pipe.get(keys.event(event_id))
                pipe.smismember(keys.event_items(event_id), [item["id"] for item, _ in todo[event_id]])
            reads = pipe.execute()
        plans = []
        for n, event_id in enumerate(ids):
            raw, member = reads[2 * n], reads[2 * n + 1]
            fresh = [(item, result) for (item, result), seen in zip(todo[event_id], member) if not seen]
            if not fresh:
                del todo[event_id]
                continue
            event = json.loads(raw) if raw else None
            count = (event or {}).get("items", 0)
            for item, result in fresh:
                event = _merge(event, item, result, now)
            event["id"] = event_id
            event["items"] = count + len(fresh)
            times = [_ts(item.get("published_at")) or now for item, _ in fresh]
            if raw is None:
                _heat(event, sum(t >= now - window for t in times),
                      sum(now - window - baseline <= t < now - window for t in times), config)
            doc = json.dumps(event, ensure_ascii=False)
            pairs = [x for (item, _), t in zip(fresh, times) for x in (item["id"], t)]
            plans.append((event_id, raw.decode() if raw else "", doc, event, pairs))
        with conn.pipeline(transaction=False) as pipe:
            for event_id, old, doc, _, pairs in plans:
                cas(keys=[keys.event(event_id), keys.event_items(event_id), keys.event_volume(event_id),
                          keys.EVENTS_BY_TIME, keys.alert(alert_id(event_id))],
                    args=[old, doc, now, event_id, now - window, now - window - baseline, *pairs], client=pipe)
            outcomes = pipe.execute()
        for (event_id, old, doc, event, _), outcome in zip(plans, outcomes):
            if outcome:
                written[event_id] = (doc, event, old == "")
                after[event_id] = outcome
                del todo[event_id]
    old_alerts = {}
    for event_id, (doc, event, new) in written.items():
        _, recent, before, alert = after[event_id]
        if not new:
            _heat(event, recent, before, config)
        old_alerts[event_id] = json.loads(alert) if alert else None
    alerts = []
    alerted = set()
    with conn.pipeline(transaction=False) as pipe:
        for event_id, (doc, event, new) in written.items():
            if not new:
                set_if(keys=[keys.event(event_id)], args=[doc, json.dumps(event, ensure_ascii=False)], client=pipe)
            reasons = rules.fired(event, config)
            if reasons:
                alerts.append(_alert_doc(event_id, event, reasons, old_alerts.get(event_id), now))
                alerted.add(event_id)
        if alerts:       # one MSET and one ZADD NX for the batch's alerts
            pipe.mset({keys.alert(a["id"]): json.dumps(a, ensure_ascii=False) for a in alerts})
            pipe.zadd(keys.ALERTS_OPEN, {a["id"]: _ts(a["created_at"]) for a in alerts}, nx=True)
        pipe.execute()
    # The responder hook: 特别重大/重大 in scope → an incident case (five-hour clock); an alert that
    # needs an answer → a 48-hour response case; an event with a case → its case refreshed.
    if responder is not None:
        responder.on_events(conn, [(event, event_id in alerted) for event_id, (_, event, _) in written.items()],
                            datetime.fromtimestamp(now, timezone.utc))
    return alerts


@lru_cache(maxsize=1)
def default_responder():
    from responders.cases import Responder

    return Responder()


def process_batch(conn: Redis, raw_items: list[dict[str, Any]], classifier, config: dict[str, Any] | None = None,
                  clock: Callable[[], float] = time.time,
                  on_alert: Callable[[dict[str, Any]], None] | None = None, responder=None) -> dict[str, int]:
    """One batch through the whole pipeline; ``responder`` (default: the shipped configuration) opens cases."""
    started = clock()
    if responder is None:
        responder = default_responder()
    config = config or rules.load()
    items = [normalise(raw) for raw in raw_items]
    results = classifier.classify(items)
    t_classified = clock()
    stored = store_items(conn, items, results)
    counts = {"items": len(items), "stored": stored["stored"], "unchanged": stored["unchanged"], "alerts": 0}
    now = clock()
    tokens = [tokenize(f"{item['title']}。{item['text']}"[:3000]) for item in items]
    entries = [(item["id"], item["content_hash"], fingerprint, len(t))
               for item, t, fingerprint in zip(items, tokens, events.simhash_batch(tokens))]
    grouped: dict[str, list[tuple[dict, dict]]] = {}
    event_ids = events.join_incidents(conn, events.assign_batch(conn, entries), results)
    for event_id, item, result in zip(event_ids, items, results):
        grouped.setdefault(event_id, []).append((item, result))
    for doc in update_events(conn, grouped, now, config, responder):
        counts["alerts"] += 1
        if on_alert is not None:
            on_alert(doc)
    done = clock()
    latencies = [round(done - float(i["enqueued_at"]), 4) for i in items
                 if isinstance(i.get("enqueued_at"), (int, float))]
    with conn.pipeline(transaction=False) as pipe:
        if latencies:
            pipe.lpush(keys.LATENCY, *latencies)
            pipe.ltrim(keys.LATENCY, 0, 9999)
        pipe.hincrby(keys.METRICS, "items_processed", len(items))
        pipe.hincrby(keys.METRICS, "batches_processed", 1)
        pipe.hincrbyfloat(keys.METRICS, "seconds_classify", t_classified - started)
        pipe.hincrbyfloat(keys.METRICS, "seconds_events", done - now)
        pipe.hincrbyfloat(keys.METRICS, "seconds_total", done - started)
        pipe.execute()
    return counts
