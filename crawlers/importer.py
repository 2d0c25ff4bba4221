"""`yuqing import FILE --source NAME`: message boards and hotline exports (网民留言, 领导信箱, 12345).

Reads CSV (UTF-8 or GBK), XLSX and JSON Lines, including the 智慧政务
competition format (English field names as in ../shared/data, or the
original Chinese column headers). Each row becomes a normalised item with
id ``<source>-<row id>``; unchanged rows are skipped on a re-import.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from pipeline.errors import InputError

from .items import make_item

COLUMNS = {
    "id": ("id", "留言编号", "编号", "工单编号", "工单号", "信件编号"),
    "title": ("title", "留言主题", "主题", "标题", "信件标题"),
    "text": ("text", "留言详情", "详情", "内容", "正文", "来电内容", "诉求内容", "信件内容"),
    "published_at": ("published_at", "留言时间", "时间", "来电时间", "受理时间", "写信时间"),
    "author": ("author", "留言用户", "用户", "来信人"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
    "reply": ("reply", "答复意见", "回复内容"),
    "replied_at": ("replied_at", "答复时间", "回复时间"),
    "url": ("url", "链接"),
}


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError("the file is neither UTF-8 nor GBK text")


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".json", ".ndjson"):
            for number, line in enumerate(_decode(path.read_bytes()).splitlines(), 1):
                if line.strip():
                    try:
                        row = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise InputError(f"{path.name}:{number}: not valid JSON ({exc.msg})") from None
                    if not isinstance(row, dict):
                        raise InputError(f"{path.name}:{number}: a row must be a JSON object")
                    yield row
        elif suffix == ".csv":
            yield from csv.DictReader(io.StringIO(_decode(path.read_bytes())))
        elif suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True, data_only=True).active
            rows = sheet.iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
            for values in rows:
                if any(v is not None for v in values):
                    yield dict(zip(header, values))
        else:
            raise InputError(f"{path.name}: import reads .csv, .xlsx or .jsonl files")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


def _pick(row: dict[str, Any], field: str) -> Any:
    for name in COLUMNS[field]:
        if name in row and row[name] not in (None, ""):
            return row[name]
    return None


def to_item(row: dict[str, Any], source: str, number: int, fetched_at: datetime) -> dict[str, Any]:
    native = _pick(row, "id")
    if native is None:
        native = f"row{number}"
    published = _pick(row, "published_at")
    if isinstance(published, datetime):
        published = published.isoformat()
    item = make_item(source=source, kind="import", url=str(_pick(row, "url") or f"import://{source}/{native}"),
                     item_id=f"{source}-{native}", title=_pick(row, "title"), text=_pick(row, "text"),
                     author=_pick(row, "author"), published_raw=published, fetched_at=fetched_at,
                     engagement={"likes": _pick(row, "likes")})
    for extra in ("dislikes", "reply", "replied_at"):
        value = _pick(row, extra)
        if value is not None:
            item[extra] = value.isoformat() if isinstance(value, datetime) else value
    return item


def import_file(path: Path, source: str, handoff, batch_size: int = 100,
                progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Import every usable row; rows without title and text are rejected and counted.
    ``progress(step, done, total)`` is told after every batch (total 0: unknown)."""
    fetched_at = datetime.now(timezone.utc)
    batch: list[dict[str, Any]] = []
    accepted = rejected = 0
    for number, row in enumerate(read_rows(path), 1):
        item = to_item(row, source, number, fetched_at)
        if not item["title"] and not item["text"]:
            rejected += 1
            continue
        accepted += 1
        if handoff.is_new(item):
            batch.append(item)
        if len(batch) >= batch_size:
            handoff.send(batch)
            batch = []
            if progress:
                progress("导入", number, 0)
    handoff.send(batch)
    return {"accepted": accepted, "rejected": rejected, **handoff.counts}
