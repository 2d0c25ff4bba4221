"""Operators' relabels: stored in Redis with who and when, exported as training rows.

A relabel names an item already in the store (``yq:v1:item:<id>``) so the
exported row carries the text that was judged, not a later version.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from redis import Redis

from pipeline import keys
from pipeline.errors import InputError

from .text import item_text


def labels_key(head: str) -> str:
    return f"{keys.PREFIX}:labels:{head}"


def add(connection: Redis, item_id: str, head: str, label: str, by: str) -> dict[str, Any]:
    raw = connection.get(keys.item(item_id))
    if raw is None:
        raise InputError(f"no stored item '{item_id}'; only ingested items can be relabelled")
    if not label.strip() or not head.strip():
        raise InputError("a relabel needs a head and a non-empty label")
    item = json.loads(raw)
    record = {"id": item_id, "title": item.get("title", ""), "text": item.get("text", ""), "label": label,
              "head": head, "by": by, "at": datetime.now(timezone.utc).isoformat()}
    connection.hset(labels_key(head), item_id, json.dumps(record, ensure_ascii=False))
    return record


def export(connection: Redis, head: str) -> list[dict[str, Any]]:
    """Training rows {id, title, text, label} for a head, oldest relabel first."""
    rows = [json.loads(v) for v in connection.hvals(labels_key(head))]
    rows.sort(key=lambda r: r["at"])
    return [{"id": r["id"], "title": r["title"], "text": r["text"], "label": r["label"]}
            for r in rows if item_text(r)]
