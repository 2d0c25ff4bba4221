"""Storing items and their classification, with the indexes the dashboard reads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from redis import Redis

from . import keys


def concern_index(concern: str) -> str:
    return f"{keys.PREFIX}:timeline:concern:{concern}"


def domain_index(domain: str) -> str:
    return f"{keys.PREFIX}:timeline:domain:{domain}"


def _score(item: dict[str, Any]) -> float:
    when = item.get("published_at") or item.get("fetched_at")
    if when:
        try:
            return datetime.fromisoformat(when).timestamp()
        except (TypeError, ValueError):
            pass
    return datetime.now(timezone.utc).timestamp()


def store_items(conn: Redis, items: list[dict[str, Any]], results: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Store items by id (with their classification); an unchanged item is left as it is.

    One MSET for the records and one ZADD per index for the whole batch: per-item commands cost a
    worker more in the client than Redis spends on them."""
    existing = conn.mget([keys.item(i["id"]) for i in items]) if items else []
    unchanged = 0
    records: dict[str, str] = {}
    indexes: dict[str, dict[str, float]] = {}
    for n, (item, old) in enumerate(zip(items, existing)):
        if old is not None and json.loads(old).get("content_hash") == item["content_hash"]:
            unchanged += 1
            continue
        record = dict(item)
        score = _score(item)
        targets = [keys.ITEMS_BY_TIME]
        if results is not None:
            record["classification"] = results[n]
            targets += [concern_index(results[n]["concern"]), domain_index(results[n]["domain"])]
        if item.get("source"):
            targets.append(keys.source_timeline(item["source"]))
        for key in targets:
            indexes.setdefault(key, {})[item["id"]] = score
        records[keys.item(item["id"])] = json.dumps(record, ensure_ascii=False)
    if records:
        with conn.pipeline(transaction=True) as pipe:
            pipe.mset(records)
            for key, members in indexes.items():
                pipe.zadd(key, members)
            pipe.execute()
    return {"stored": len(items) - unchanged, "unchanged": unchanged}
