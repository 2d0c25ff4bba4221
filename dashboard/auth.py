"""Login, roles, CSRF and session expiry for the dashboard.

Sessions are signed cookies (Flask) that expire after ``session_hours`` and
after ``session_idle_minutes`` without a request. Every POST carries the
session's CSRF token. What each role may do is one table, ``PERMISSIONS``,
that the pages also use to show only the buttons a person may press.
"""

from __future__ import annotations

import hmac
import secrets
import time
from functools import wraps
from typing import Callable

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from redis.exceptions import RedisError

from . import audit, users

# action -> roles allowed (值班员 duty, 领导 leader, 运维 operator)
PERMISSIONS = {
    "ack": {"duty", "leader"}, "assign": {"duty", "leader"}, "level": {"duty", "leader"},
    "edit": {"duty"}, "redraft": {"duty"}, "verify": {"duty"}, "submit": {"duty"},
    "approve": {"duty", "leader"}, "reject": {"duty", "leader"}, "sign": {"leader"},
    "publish": {"duty"}, "press": {"duty"}, "close": {"duty", "leader"},
    "dismiss": {"duty"}, "relabel": {"duty", "operator"},
}


def can(action: str) -> bool:
    user = g.get("user")
    return bool(user) and user["role"] in PERMISSIONS.get(action, set())


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def install(app, conn_factory: Callable, idle_minutes: int, session_hours: int) -> None:
    from datetime import timedelta

    app.permanent_session_lifetime = timedelta(hours=session_hours)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.jinja_env.globals.update(csrf_token=csrf_token, can=can, ROLES=users.ROLES)

    @app.before_request
    def load_user():
        g.user = None
        name, seen = session.get("user"), session.get("seen", 0)
        if name and time.time() - seen > idle_minutes * 60:
            session.clear()
            flash("登录已超时，请重新登录。")
        elif name:
            try:
                user = users.get(conn_factory(), name)
            except RedisError:
                user = None
            g.user = users.public(user) if user else None
            session["seen"] = time.time()
        if request.method == "POST":
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
            if not hmac.compare_digest(sent, session.get("csrf", "")) or not sent:
                abort(400, "CSRF token missing or wrong; reload the page")
        public = request.endpoint in ("login", "static", "healthz", "metrics", "status_page", "api_status")
        if g.user is None and not public:
            if request.path.startswith("/api/"):
                abort(401)
            return redirect(url_for("login", next=request.full_path if request.method == "GET" else "/"))
        return None

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            name = request.form.get("name", "").strip()
            try:
                user = users.authenticate(conn_factory(), name, request.form.get("password", ""))
            except RedisError:
                flash("系统暂不可用（Redis 无法连接），请查看系统状态页。")
                return render_template("dashboard/login.html"), 503
            if user is None:
                audit.record(conn_factory(), name or "-", "login_failed", ip=request.remote_addr or "")
                flash("用户名或密码错误。")
                return render_template("dashboard/login.html"), 401
            token = session.get("csrf")
            session.clear()
            session.permanent = True
            session.update(user=user["name"], seen=time.time(), csrf=token or secrets.token_urlsafe(32))
            audit.record(conn_factory(), user["name"], "login", ip=request.remote_addr or "")
            target = request.args.get("next") or "/"
            return redirect(target if target.startswith("/") and not target.startswith("//") else "/")
        return render_template("dashboard/login.html")

    @app.post("/logout")
    def logout():
        if g.user:
            audit.record(conn_factory(), g.user["name"], "logout", ip=request.remote_addr or "")
        session.clear()
        return redirect(url_for("login"))


def require(action: str):
    """Only roles allowed to ``action`` get through; others get 403."""
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if not can(action):
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap


def role_required(*roles: str):
    def wrap(view):
        @wraps(view)
        def inner(*args, **kwargs):
            if not g.get("user") or g.user["role"] not in roles:
                abort(403)
            return view(*args, **kwargs)
        return inner
    return wrap
