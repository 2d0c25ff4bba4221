"""People who use the dashboard, with one role each; passwords stored only as salted hashes (scrypt)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from redis import Redis
from werkzeug.security import check_password_hash, generate_password_hash

from pipeline import keys
from pipeline.errors import InputError

ROLES = {"duty": "值班员", "leader": "领导", "operator": "运维"}
USERS = f"{keys.PREFIX}:users"          # hash name -> JSON {name, role, password_hash, created_at}
MIN_PASSWORD = 10


def add(conn: Redis, name: str, role: str, password: str, replace: bool = False) -> dict[str, Any]:
    name = name.strip()
    if not name or len(name) > 40:
        raise InputError("a user name is 1–40 characters")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(f'{k} ({v})' for k, v in ROLES.items())}")
    if len(password) < MIN_PASSWORD:
        raise InputError(f"the password needs at least {MIN_PASSWORD} characters")
    user = {"name": name, "role": role, "password_hash": generate_password_hash(password),
            "created_at": datetime.now(timezone.utc).isoformat()}
    stored = conn.hset(USERS, name, json.dumps(user, ensure_ascii=False)) if replace else \
        conn.hsetnx(USERS, name, json.dumps(user, ensure_ascii=False))
    if not stored and not replace:
        raise InputError(f"user {name} exists; use --replace to reset the password or role")
    return public(user)


def public(user: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in user.items() if k != "password_hash"} | {"role_name": ROLES[user["role"]]}


def get(conn: Redis, name: str) -> dict[str, Any] | None:
    raw = conn.hget(USERS, name)
    return json.loads(raw) if raw else None


def authenticate(conn: Redis, name: str, password: str) -> dict[str, Any] | None:
    user = get(conn, name)
    if user is None:
        check_password_hash(generate_password_hash("x"), password)     # same work either way
        return None
    return public(user) if check_password_hash(user["password_hash"], password) else None


def remove(conn: Redis, name: str) -> None:
    if not conn.hdel(USERS, name):
        raise InputError(f"no user {name}")


def all_users(conn: Redis) -> list[dict[str, Any]]:
    return sorted((public(json.loads(v)) for v in conn.hvals(USERS)), key=lambda u: u["name"])
