"""The item format shared by `yuqing ingest`, `yuqing classify` and the crawlers.

Input fields: id (required), title, text, source, url, published_at (ISO 8601
or Unix seconds); extra fields are kept. Crawled text is hostile, so checks
here are strict about types and sizes and never evaluate anything.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .errors import InputError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_TEXT_CHARS = 200_000
MAX_ID_CHARS = 512


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 or Unix seconds → aware datetime; a naive time is read as Asia/Shanghai."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InputError("published_at must be ISO 8601 or Unix seconds, not a boolean")
    if isinstance(value, (int, float)):
        try:
            return datetime.fromtimestamp(float(value), tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise InputError(f"published_at {value!r} is out of range") from None
    if isinstance(value, str):
        text = value.strip()
        try:
            if text.replace(".", "", 1).isdigit():
                return datetime.fromtimestamp(float(text), tz=timezone.utc)
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except (ValueError, OverflowError, OSError):
            parsed = _chinese_date(text)
            if parsed is None:
                raise InputError(f"published_at {text[:40]!r} is neither ISO 8601 nor Unix seconds") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
    raise InputError("published_at must be ISO 8601 or Unix seconds")


_CN_DATE = re.compile(r"^\s*(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})日?\s*(?:(\d{1,2})[时点:：](?:(\d{1,2})分?)?)?")


def _chinese_date(text: str) -> datetime | None:
    """2019年7月17日 10:20 / 2014年1月2日14时左右 / 2009-8-8 (absolute dates only; naive = Asia/Shanghai)."""
    m = _CN_DATE.match(text)
    if not m:
        return None
    y, mo, d, h, mi = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(y, mo, d, min(h, 23), mi, tzinfo=SHANGHAI)
    except ValueError:
        return None


def normalise(raw: Any) -> dict[str, Any]:
    """Check one input item and return it with canonical fields; raise InputError saying why not."""
    if not isinstance(raw, dict):
        raise InputError("an item must be a JSON object")
    item_id = raw.get("id")
    if isinstance(item_id, int) and not isinstance(item_id, bool):
        item_id = str(item_id)
    if not isinstance(item_id, str) or not item_id.strip():
        raise InputError("missing 'id' (a non-empty string)")
    if len(item_id) > MAX_ID_CHARS:
        raise InputError(f"'id' is longer than {MAX_ID_CHARS} characters")
    item = dict(raw)
    item["id"] = item_id
    for name in ("title", "text", "source", "url"):
        value = item.get(name)
        if value is None:
            item[name] = ""
        elif not isinstance(value, str):
            raise InputError(f"'{name}' must be a string")
    if not item["title"].strip() and not item["text"].strip():
        raise InputError("an item needs a non-empty 'title' or 'text'")
    if len(item["title"]) + len(item["text"]) > MAX_TEXT_CHARS:
        raise InputError(f"title and text together exceed {MAX_TEXT_CHARS} characters")
    try:
        published = parse_time(raw.get("published_at"))
    except InputError as exc:
        # A broken date costs the date, never the item: keep what came and say why.
        published = None
        item["published_at_raw"] = str(raw.get("published_at"))[:100]
        item.setdefault("warnings", []).append(str(exc))
    item["published_at"] = published.isoformat() if published else None
    item["content_hash"] = content_hash(item)
    return item


def content_hash(item: dict[str, Any]) -> str:
    """Hash of what a reader sees, so a re-crawl of an unchanged page is recognised."""
    body = json.dumps([item.get("title", ""), item.get("text", "")], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def parse_line(line: str) -> dict[str, Any]:
    """One JSON Lines line → a normalised item, or InputError."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    return normalise(raw)
