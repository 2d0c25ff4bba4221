"""Long work started from the dashboard (training a head, importing an export) as jobs on the
``yuqing-ops`` queue, with a progress page that follows the job's progress meta."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any, Callable

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from classifiers.classify import HEADS
from pipeline import keys
from pipeline.queues import OPS, queue

from . import audit
from .auth import role_required

OPS_JOBS = f"{keys.PREFIX}:ops:jobs"      # list of job ids started from the dashboard, newest first
STATUS_NAMES = {"queued": "排队中", "started": "进行中", "finished": "已完成", "failed": "失败", "deferred": "等待中",
                "scheduled": "已计划", "stopped": "已停止", "canceled": "已取消"}


def describe(conn, job_id: str) -> dict[str, Any]:
    try:
        job = Job.fetch(job_id, connection=conn, serializer=JSONSerializer)
    except NoSuchJobError:
        return {"id": job_id, "status": "missing", "status_name": "已过期"}
    status = job.get_status(refresh=True)
    status = getattr(status, "value", status)
    progress = (job.get_meta(refresh=True) or {}).get("progress") or {}
    out = {"id": job.id, "description": job.description, "status": status, "status_name": STATUS_NAMES.get(status, status),
           "progress": progress, "percent": round(100 * progress["done"] / progress["total"]) if progress.get("total") else None,
           "result": job.return_value() if status == "finished" else None,
           "error": (job.exc_info or "").strip().splitlines()[-1] if status == "failed" and job.exc_info else None,
           "enqueued_at": job.enqueued_at.isoformat() if job.enqueued_at else None}
    return out


def install(app, conn_factory: Callable, settings) -> None:
    def start(func: str, args: tuple, description: str) -> Any:
        conn = conn_factory()
        job = queue(OPS, conn).enqueue(func, args=args, job_timeout=3600, result_ttl=7 * 24 * 3600,
                                       failure_ttl=7 * 24 * 3600, description=description)
        conn.lpush(OPS_JOBS, job.id)
        conn.ltrim(OPS_JOBS, 0, 99)
        audit.record(conn, g.user["name"], "task_start", job.id, description, request.remote_addr or "")
        return redirect(url_for("task_page", job_id=job.id))

    @app.post("/console/train")
    @role_required("operator")
    def console_train():
        head, data = request.form.get("head", ""), request.form.get("data", "").strip()
        if head not in HEADS + ("concern",) or not data or not Path(data).is_file():
            flash("未开始：请选择分类器，并给出服务器上存在的训练数据文件（JSON Lines）。")
            return redirect(url_for("console_page") + "#train")
        feedback = request.form.get("feedback") == "on"
        return start("pipeline.jobs.train_model", (head, data, feedback),
                     f"训练 {head}（{Path(data).name}{'，含人工标注' if feedback else ''}）")

    @app.post("/console/import")
    @role_required("operator", "duty")
    def console_import():
        upload = request.files.get("file")
        source = request.form.get("source", "").strip()
        if upload is None or not upload.filename or not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", source):
            flash("未开始：请选择文件，来源名只用字母、数字、- 和 _。")
            return redirect(url_for("console_page") + "#import")
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in (".csv", ".xlsx", ".jsonl", ".json"):
            flash("未开始：只接受 CSV、XLSX 或 JSON Lines 文件。")
            return redirect(url_for("console_page") + "#import")
        target = settings.var_dir / "uploads" / f"{secrets.token_hex(8)}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        upload.save(target)
        return start("pipeline.jobs.import_upload", (str(target), source), f"导入 {upload.filename} → {source}")

    @app.get("/tasks/<job_id>")
    def task_page(job_id: str):
        task = describe(conn_factory(), job_id)
        if task["status"] == "missing":
            abort(404)
        return render_template("dashboard/task.html", task=task)

    @app.get("/api/tasks/<job_id>")
    def task_api(job_id: str):
        return jsonify(describe(conn_factory(), job_id))


def recent(conn) -> list[dict[str, Any]]:
    return [describe(conn, i.decode()) for i in conn.lrange(OPS_JOBS, 0, 9)]
