"""The audit log: every action taken in the dashboard (and every failed login), who, when, from where."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from redis import Redis

from pipeline import keys

AUDIT = f"{keys.PREFIX}:audit"          # list, newest first, capped
KEPT = 100_000


def record(conn: Redis, user: str, action: str, target: str = "", detail: str = "", ip: str = "") -> None:
    entry = {"at": datetime.now(timezone.utc).isoformat(), "user": user, "action": action, "target": target,
             "detail": detail[:500], "ip": ip}
    with conn.pipeline(transaction=False) as pipe:
        pipe.lpush(AUDIT, json.dumps(entry, ensure_ascii=False))
        pipe.ltrim(AUDIT, 0, KEPT - 1)
        pipe.execute()


def recent(conn: Redis, limit: int = 200) -> list[dict[str, Any]]:
    return [json.loads(e) for e in conn.lrange(AUDIT, 0, limit - 1)]
