"""What `yuqing status`, the dashboard and /api/status report about a running system."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

import redis
from redis import Redis
from rq import Worker
from rq.serializers import JSONSerializer

from . import keys
from .queues import ALL_QUEUES, queue
from .settings import mask_url


def _queue_status(connection: Redis, name: str, now: float) -> dict[str, Any]:
    q = queue(name, connection)
    depth = q.count
    lag = 0.0
    first = q.get_job_ids(0, 1)
    if first:
        job = q.fetch_job(first[0])
        if job is not None and job.enqueued_at is not None:
            enq = job.enqueued_at
            if enq.tzinfo is None:
                enq = enq.replace(tzinfo=timezone.utc)
            lag = max(0.0, now - enq.timestamp())
    return {
        "name": name,
        "depth": depth,
        "lag_s": round(lag, 1),
        "started": q.started_job_registry.count,
        "scheduled": q.scheduled_job_registry.count,
        "failed": q.failed_job_registry.count,
    }


def _workers(connection: Redis, now: float) -> list[dict[str, Any]]:
    out = []
    for w in Worker.all(connection=connection, serializer=JSONSerializer):
        beat = w.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=timezone.utc)
        out.append({
            "name": w.name,
            "state": str(w.get_state()),
            "queues": w.queue_names(),
            "current_job": w.get_current_job_id(),
            "heartbeat_age_s": round(now - beat.timestamp(), 1) if beat else None,
        })
    return sorted(out, key=lambda w: w["name"])


def _sources(connection: Redis) -> list[dict[str, Any]]:
    out = []
    for raw in sorted(connection.smembers(keys.SOURCES)):
        name = raw.decode() if isinstance(raw, bytes) else raw
        health = {k.decode(): v.decode() for k, v in connection.hgetall(keys.source_health(name)).items()}
        out.append({"name": name, **health})
    return out


def gather(connection: Redis, url: str = "", embedded: bool = False,
           models: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A JSON-ready snapshot; never raises for an unreachable Redis, it reports it."""
    now = time.time()
    report: dict[str, Any] = {
        "checked_at": datetime.fromtimestamp(now, timezone.utc).isoformat(),
        "redis": {"url": mask_url(url), "mode": "embedded" if embedded else "external", "ok": False},
        "queues": [], "workers": [], "failed_jobs": 0, "scheduler": None,
        "models": models or [], "sources": [],
    }
    try:
        info = connection.info()
    except redis.RedisError as exc:
        report["redis"]["error"] = str(exc)
        return report
    report["redis"].update({
        "ok": True,
        "version": info.get("redis_version"),
        "used_memory_human": info.get("used_memory_human"),
        "aof_enabled": bool(info.get("aof_enabled")),
        "uptime_s": info.get("uptime_in_seconds"),
    })
    report["queues"] = [_queue_status(connection, n, now) for n in ALL_QUEUES]
    report["failed_jobs"] = sum(q["failed"] for q in report["queues"])
    report["workers"] = _workers(connection, now)
    beat = connection.get(keys.SCHEDULER_HEARTBEAT)
    report["scheduler"] = {"heartbeat_age_s": round(now - float(beat), 1)} if beat else None
    report["sources"] = _sources(connection)
    report["items"] = connection.zcard(keys.ITEMS_BY_TIME)
    from .metrics import pipeline_figures
    report["pipeline"] = pipeline_figures(connection)
    report["cases"] = _cases(connection, now)
    return report


def _cases(connection: Redis, now: float) -> dict[str, int]:
    """Open cases, those past their first deadline without a release, and notices waiting to be sent."""
    from responders.cases import list_cases

    open_cases = [c for c in list_cases(connection, lambda: datetime.fromtimestamp(now, timezone.utc), kind=None)
                  if c["status"] != "已关闭"]
    return {"open": len(open_cases), "incident": sum(1 for c in open_cases if c.get("kind") == "incident"),
            "overdue": sum(1 for c in open_cases if c["overdue"]), "outbox": connection.llen(keys.OUTBOX)}


def format_text(report: dict[str, Any]) -> str:
    """The human form of ``gather`` for the terminal."""
    r = report["redis"]
    lines = []
    if r["ok"]:
        lines.append(f"Redis      正常 ok  {r['mode']} {r['url']}  v{r['version']}  "
                     f"mem {r['used_memory_human']}  AOF {'on' if r['aof_enabled'] else 'off'}")
    else:
        lines.append(f"Redis      不可用 unreachable  {r['url']}: {r.get('error', '')}")
        return "\n".join(lines)
    lines.append(f"Items      {report.get('items', 0)} stored")
    for q in report["queues"]:
        lines.append(f"Queue      {q['name']}: depth {q['depth']}  lag {q['lag_s']}s  running {q['started']}  "
                     f"retry-wait {q['scheduled']}  failed {q['failed']}")
    p = report.get("pipeline") or {}
    if p:
        per = p["seconds_per_item"]["total"]
        lines.append(f"Pipeline   {p['items_processed']} items processed"
                     + (f", {per * 1000:.2f} ms/item in workers" if per else "")
                     + (f", latency p50 {p['latency_p50_s']}s p95 {p['latency_p95_s']}s" if p["latency_p50_s"] is not None else "")
                     + f", {p['alerts_open']} open alerts")
    c = report.get("cases")
    if c:
        lines.append(f"Cases      {c['open']} open ({c['incident']} incident), {c['overdue']} overdue"
                     + ("  超时 OVERDUE" if c["overdue"] else "") + f", {c['outbox']} notice(s) waiting")
    lines.append(f"Workers    {len(report['workers'])}")
    for w in report["workers"]:
        lines.append(f"  - {w['name']}  {w['state']}  heartbeat {w['heartbeat_age_s']}s ago")
    sched = report["scheduler"]
    lines.append(f"Scheduler  {'heartbeat ' + str(sched['heartbeat_age_s']) + 's ago' if sched else '未运行 not running'}")
    lines.append(f"Failed     {report['failed_jobs']} job(s)" + ("  (see `yuqing requeue`)" if report["failed_jobs"] else ""))
    models = report["models"]
    lines.append("Models     " + (", ".join(f"{m['head']}={m['version']}" for m in models) if models
                                  else "none installed"))
    sources = report["sources"]
    lines.append(f"Sources    {len(sources)}" + ("" if sources else "  (no crawl has reported yet)"))
    for s in sources:
        lines.append(f"  - {s['name']}  last success {s.get('last_success') or '-'}  items {s.get('last_items', '-')}  "
                     f"consecutive failures {s.get('consecutive_failures', 0)}"
                     + (f"  告警 ALERT: {s['alert']}" if s.get("alert") else ""))
    return "\n".join(lines)
