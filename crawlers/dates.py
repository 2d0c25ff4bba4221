"""Publication times as Chinese sites print them, made timezone-aware.

Absolute: 2019年7月17日 10:20, 2019-07-17, 2019/7/17 10:20:30, 07-17 10:20.
Relative to the fetch time (Asia/Shanghai): 刚刚, 3分钟前, 3小时前, 2天前,
今天 10:20, 昨天 10:20, 前天 10:20. A naive absolute time is Shanghai time.
Anything else is None (the caller keeps the raw string): a broken date
costs the date, never the item.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from pipeline.items import SHANGHAI

_ABS = re.compile(
    r"(?:(?P<y>\d{4})\s*[年/\-.]\s*)?(?P<mo>\d{1,2})\s*[月/\-.]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:\s*(?:T|\s)?\s*(?P<h>\d{1,2})\s*[:：时点]\s*(?P<mi>\d{1,2})?\s*分?(?:\s*[:：]\s*(?P<s>\d{1,2}))?)?")
_AGO = re.compile(r"(?P<n>\d+)\s*(?P<unit>秒|分钟|分|小时|个小时|天|日)前")
_DAY = re.compile(r"(?P<word>今天|昨天|前天)\s*(?:(?P<h>\d{1,2})\s*[:：]\s*(?P<mi>\d{1,2}))?")


def parse(text: str | None, fetched_at: datetime) -> datetime | None:
    """The time ``text`` states, or None. ``fetched_at`` must be timezone-aware."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()[:100]
    now = fetched_at.astimezone(SHANGHAI)
    if text in ("刚刚", "刚才"):
        return now
    m = _AGO.search(text)
    if m:
        n = int(m.group("n"))
        unit = m.group("unit")
        delta = {"秒": timedelta(seconds=n), "分钟": timedelta(minutes=n), "分": timedelta(minutes=n),
                 "小时": timedelta(hours=n), "个小时": timedelta(hours=n), "天": timedelta(days=n),
                 "日": timedelta(days=n)}[unit]
        return now - delta
    m = _DAY.search(text)
    if m:
        day = now.date() - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[m.group("word")])
        hour, minute = int(m.group("h") or 0), int(m.group("mi") or 0)
        try:
            return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
        except ValueError:
            return None
    iso = _iso(text)
    if iso is not None:
        return iso
    m = _ABS.search(text)
    if m:
        try:
            year = int(m.group("y")) if m.group("y") else now.year
            when = datetime(year, int(m.group("mo")), int(m.group("d")), int(m.group("h") or 0),
                            int(m.group("mi") or 0), int(m.group("s") or 0), tzinfo=SHANGHAI)
        except ValueError:
            return None
        if not m.group("y") and when > now + timedelta(days=1):
            when = when.replace(year=year - 1)  # "12-30" seen on 2 January
        return when
    try:  # RSS pubDate (RFC 822)
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _iso(text: str) -> datetime | None:
    if not re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)
