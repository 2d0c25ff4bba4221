"""Retention: items older than ``retention_days`` move from Redis to compressed JSON Lines.

Files are ``<var>/archive/items-YYYY-MM-DD.jsonl.gz`` by the item's date, one
gzip member appended per pass. The archive is written and synced before the
items leave Redis, so a crash in between archives them twice, never loses them.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from redis import Redis

from . import keys
from .jobs_store import concern_index, domain_index

BATCH = 1000


def archive_old(conn: Redis, var: Path, retention_days: int, now: float | None = None) -> int:
    """Archive and remove items older than the retention; returns how many moved."""
    now = now if now is not None else datetime.now(timezone.utc).timestamp()
    cutoff = now - retention_days * 86400
    moved = 0
    directory = Path(var) / "archive"
    while True:
        pairs = conn.zrangebyscore(keys.ITEMS_BY_TIME, "-inf", cutoff, start=0, num=BATCH, withscores=True)
        if not pairs:
            return moved
        ids = [i.decode() for i, _ in pairs]
        raws = conn.mget([keys.item(i) for i in ids])
        by_day: dict[str, list[str]] = defaultdict(list)
        for (_, score), raw in zip(pairs, raws):
            if raw is not None:
                day = datetime.fromtimestamp(score, timezone.utc).strftime("%Y-%m-%d")
                by_day[day].append(raw.decode())
        directory.mkdir(parents=True, exist_ok=True)
        for day, lines in by_day.items():
            path = directory / f"items-{day}.jsonl.gz"
            with open(path, "ab") as fh:
                fh.write(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
                fh.flush()
                os.fsync(fh.fileno())
        with conn.pipeline(transaction=False) as pipe:
            for item_id, raw in zip(ids, raws):
                pipe.zrem(keys.ITEMS_BY_TIME, item_id)
                if raw is None:
                    continue
                item = json.loads(raw)
                pipe.delete(keys.item(item_id))
                if item.get("source"):
                    pipe.zrem(keys.source_timeline(item["source"]), item_id)
                classification = item.get("classification") or {}
                if classification.get("concern"):
                    pipe.zrem(concern_index(classification["concern"]), item_id)
                if classification.get("domain"):
                    pipe.zrem(domain_index(classification["domain"]), item_id)
            pipe.execute()
        moved += sum(1 for raw in raws if raw is not None)
