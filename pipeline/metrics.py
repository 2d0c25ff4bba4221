"""Pipeline figures for `yuqing status` and Prometheus (`/metrics` on the dashboard)."""

from __future__ import annotations

import statistics
from typing import Any

from redis import Redis

from . import keys


def pipeline_figures(conn: Redis) -> dict[str, Any]:
    raw = {k.decode(): float(v) for k, v in conn.hgetall(keys.METRICS).items()}
    items = raw.get("items_processed", 0.0)
    samples = sorted(float(x) for x in conn.lrange(keys.LATENCY, 0, 999))
    return {
        "items_processed": int(items),
        "batches_processed": int(raw.get("batches_processed", 0)),
        "seconds_per_item": {stage: round(raw.get(f"seconds_{stage}", 0.0) / items, 6) if items else None
                             for stage in ("classify", "events", "total")},
        "stage_seconds_total": {stage: round(raw.get(f"seconds_{stage}", 0.0), 3) for stage in ("classify", "events", "total")},
        "latency_p50_s": round(statistics.median(samples), 3) if samples else None,
        "latency_p95_s": round(samples[int(0.95 * (len(samples) - 1))], 3) if samples else None,
        "alerts_open": conn.zcard(keys.ALERTS_OPEN),
    }


def _line(name: str, value: Any, labels: dict[str, str] | None = None) -> str:
    if value is None:
        return ""
    label = ""
    if labels:
        label = "{" + ",".join(f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                               for k, v in labels.items()) + "}"
    return f"{name}{label} {value}\n"


def prometheus(report: dict[str, Any]) -> str:
    """The status report in Prometheus text exposition format."""
    out = ["# HELP yuqing_up Redis reachable (1) or not (0).\n# TYPE yuqing_up gauge\n",
           _line("yuqing_up", 1 if report["redis"]["ok"] else 0)]
    out.append("# TYPE yuqing_queue_depth gauge\n# TYPE yuqing_queue_lag_seconds gauge\n# TYPE yuqing_failed_jobs gauge\n")
    for q in report.get("queues", []):
        out += [_line("yuqing_queue_depth", q["depth"], {"queue": q["name"]}),
                _line("yuqing_queue_lag_seconds", q["lag_s"], {"queue": q["name"]}),
                _line("yuqing_failed_jobs", q["failed"], {"queue": q["name"]})]
    out.append("# TYPE yuqing_workers gauge\n")
    out.append(_line("yuqing_workers", len(report.get("workers", []))))
    out.append(_line("yuqing_items_stored", report.get("items")))
    p = report.get("pipeline") or {}
    if p:
        out.append("# TYPE yuqing_items_processed_total counter\n")
        out.append(_line("yuqing_items_processed_total", p["items_processed"]))
        out.append("# TYPE yuqing_stage_seconds_total counter\n")
        for stage, seconds in p["stage_seconds_total"].items():
            out.append(_line("yuqing_stage_seconds_total", seconds, {"stage": stage}))
        out.append("# TYPE yuqing_latency_seconds gauge\n")
        out.append(_line("yuqing_latency_seconds", p["latency_p50_s"], {"quantile": "0.5"}))
        out.append(_line("yuqing_latency_seconds", p["latency_p95_s"], {"quantile": "0.95"}))
        out.append(_line("yuqing_alerts_open", p["alerts_open"]))
    c = report.get("cases")
    if c:
        out.append("# TYPE yuqing_cases_open gauge\n# TYPE yuqing_cases_overdue gauge\n# TYPE yuqing_notices_waiting gauge\n")
        out += [_line("yuqing_cases_open", c["open"]), _line("yuqing_cases_overdue", c["overdue"]),
                _line("yuqing_notices_waiting", c["outbox"])]
    out.append("# TYPE yuqing_source_consecutive_failures gauge\n")
    for s in report.get("sources", []):
        out.append(_line("yuqing_source_consecutive_failures", s.get("consecutive_failures", 0), {"source": s["name"]}))
    return "".join(out)
