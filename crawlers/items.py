"""The one normalised item every source produces.

Fields: id (canonical-URL hash, or source + native id), source, kind, url,
title, text, author, published_at (aware ISO 8601 or None, with the raw
string kept), fetched_at, engagement counts, content_hash.
"""

from __future__ import annotations

import hashlib
import html
import re
from datetime import datetime
from typing import Any

from w3lib.url import canonicalize_url

from pipeline.items import MAX_TEXT_CHARS, content_hash

from .dates import parse as parse_date

_SPACE = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_TAGS = re.compile(r"<[^>]+>")


def url_id(url: str) -> str:
    return "u-" + hashlib.sha1(canonicalize_url(url).encode("utf-8")).hexdigest()[:20]


def native_id(source: str, value: Any) -> str:
    return f"{source}-{value}"


def clean_text(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    """Plain text: no tags (a title may carry HTML), entities decoded, whitespace folded."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "\n".join(str(v) for v in value if v is not None)
    text = html.unescape(_TAGS.sub("", str(value)))
    lines = [_SPACE.sub(" ", line).strip() for line in text.splitlines()]
    text = _BLANK_LINES.sub("\n", "\n".join(line for line in lines if line))
    return text[:limit]


def _count(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(str(value).replace(",", "").strip() or "x")
    except ValueError:
        return None
    return number if number >= 0 else None


def make_item(*, source: str, kind: str, url: str, title: Any, text: Any, fetched_at: datetime,
              published_raw: Any = None, author: Any = None, item_id: str | None = None,
              engagement: dict[str, Any] | None = None, owner_unit: str = "", region: str = "") -> dict[str, Any]:
    title_s = clean_text(title, 500)
    text_s = clean_text(text)
    published = parse_date(str(published_raw), fetched_at) if published_raw not in (None, "") else None
    item = {
        "id": item_id or url_id(url),
        "source": source,
        "kind": kind,
        "url": url,
        "title": title_s,
        "text": text_s,
        "author": clean_text(author, 200) or None,
        "published_at": published.isoformat() if published else None,
        "fetched_at": fetched_at.isoformat(),
        "engagement": {k: _count((engagement or {}).get(k)) for k in ("reposts", "comments", "likes")},
        "owner_unit": owner_unit,
        "region": region,
    }
    if published_raw not in (None, "") and published is None:
        item["published_at_raw"] = clean_text(published_raw, 100)
    item["content_hash"] = content_hash(item)
    return item
