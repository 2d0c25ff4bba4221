"""The dashboard web app (Flask, Jinja2 with autoescape on every page)."""

from __future__ import annotations

import os
import secrets
import signal
import sys
from datetime import datetime
from typing import Any

from flask import Flask, jsonify, render_template

from pipeline.connection import connect, resolve_url
from pipeline.errors import StartupError
from pipeline.items import SHANGHAI
from pipeline.settings import Settings
from pipeline.status import gather
from pipeline.templating import loader
from werkzeug.serving import make_server


# Steps of a case and actions in the audit log, as people read them.
ACTION_NAMES = {
    "open": "开启", "ack": "确认", "assign": "改派", "level": "人工定级", "kind": "转换类型", "facts": "数字更新",
    "edit": "修改稿件", "redraft": "重新生成", "verify": "核实数字", "submit": "提交审核", "approve": "审核通过",
    "reject": "退回", "sign": "审签", "publish": "发布", "press_conference": "新闻发布会", "press": "新闻发布会",
    "close": "关闭", "remind": "提醒", "breach": "超时", "escalate": "升级", "followup_due": "续报到期",
    "dismiss": "标记误报", "relabel": "改标", "model_promote": "切换模型", "model_rollback": "回退模型",
    "schemes_save": "保存监测方案", "userdict_save": "保存用户词典", "task_start": "启动任务", "login": "登录", "logout": "退出", "login_failed": "登录失败",
}


def secret_key(settings: Settings) -> str:
    """The configured key, else one generated once into <var>/secret_key (0600) so sessions survive restarts."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.var_dir / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        key = secrets.token_urlsafe(48)
        fh.write(key + "\n")
    return key


def shanghai_time(value: str | None) -> str:
    """ISO time (any offset) → what people read: Asia/Shanghai, to the second."""
    if not value:
        return "—"
    try:
        return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return str(value)


def create_app(settings: Settings) -> Flask:
    app = Flask(__name__)
    app.secret_key = secret_key(settings)
    app.jinja_loader = loader(settings.templates_dir)
    app.jinja_env.autoescape = True
    app.jinja_env.filters["shanghai"] = shanghai_time
    app.jinja_env.filters["action_name"] = lambda code: ACTION_NAMES.get(code, code)
    app.config["JSON_AS_ASCII"] = False
    app.config["TEMPLATES_DIR"] = settings.templates_dir
    app.json.ensure_ascii = False

    def snapshot() -> dict[str, Any]:
        try:
            url = resolve_url(settings)
            connection = connect(settings, url)
        except StartupError as exc:
            return {"redis": {"ok": False, "error": str(exc), "url": "", "mode": ""},
                    "queues": [], "workers": [], "sources": [], "models": [], "failed_jobs": 0,
                    "scheduler": None}
        try:
            from pipeline.cli import model_versions
            return gather(connection, url, embedded=not settings.redis_url, models=model_versions(settings))
        finally:
            connection.close()

    state: dict[str, Any] = {}

    def conn():
        """One client (a pool of connections) per app, made on first use."""
        if "conn" not in state:
            state["conn"] = connect(settings, resolve_url(settings))
        return state["conn"]

    def actions():
        from responders.config import load, resolve_path
        from responders.workflow import Actions

        return Actions(conn(), load(resolve_path(settings)), settings.templates_dir)

    from . import auth, console, tasks, views

    auth.install(app, conn, settings.session_idle_minutes, settings.session_hours)
    views.install(app, conn, actions)
    console.install(app, conn, settings)
    tasks.install(app, conn, settings)

    @app.get("/status")
    def status_page():
        return render_template("dashboard/status.html", s=snapshot())

    @app.get("/api/status")
    def api_status():
        return jsonify(snapshot())

    @app.get("/metrics")
    def metrics():
        from pipeline.metrics import prometheus

        return prometheus(snapshot()), 200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}

    @app.get("/healthz")
    def healthz():
        report = snapshot()
        return jsonify({"ok": report["redis"]["ok"]}), (200 if report["redis"]["ok"] else 503)

    return app


def serve(settings: Settings, port: int) -> None:
    """Serve until SIGTERM (werkzeug's threaded server is enough for an office's users)."""
    server = make_server(settings.host, port, create_app(settings), threaded=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()
