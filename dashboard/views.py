"""Pages of the information division: the alert queue, events, cases and their workflow."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Callable

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for

from pipeline import keys
from pipeline.errors import InputError

from . import audit, queue
from .auth import can, require, role_required

# form action -> (permission, what it does with Actions, the case id, who, the form)
WORKFLOW: dict[str, tuple[str, Callable]] = {
    "ack": ("ack", lambda a, cid, by, f: a.ack(cid, by)),
    "assign": ("assign", lambda a, cid, by, f: a.assign(cid, f.get("unit", ""), by)),
    "verify": ("verify", lambda a, cid, by, f: a.verify_figures(cid, by)),
    "submit": ("submit", lambda a, cid, by, f: a.submit(cid, by)),
    "approve": ("approve", lambda a, cid, by, f: a.approve(cid, by, f.get("note", ""))),
    "reject": ("reject", lambda a, cid, by, f: a.reject(cid, by, f.get("reason", ""))),
    "sign": ("sign", lambda a, cid, by, f: a.sign(cid, by)),
    "publish": ("publish", lambda a, cid, by, f: a.publish(cid, by, url=f.get("url", ""))),
    "press": ("press", lambda a, cid, by, f: a.press_conference(cid, by)),
    "close": ("close", lambda a, cid, by, f: a.close(cid, by, f.get("reason", ""))),
}


def install(app, conn_factory: Callable, actions_factory: Callable) -> None:
    def now() -> datetime:
        return datetime.now(timezone.utc)

    def filters() -> dict[str, str]:
        return {k: request.args.get(k, "") for k in queue.FILTERS}

    @app.get("/")
    def queue_page():
        conn = conn_factory()
        everything = queue.rows(conn, now())
        return render_template("dashboard/queue.html", rows=queue.rows(conn, now(), filters()), f=filters(),
                               choices=queue.choices(everything), now=now())

    @app.get("/queue/rows")
    def queue_rows():
        return render_template("dashboard/queue_rows.html", rows=queue.rows(conn_factory(), now(), filters()))

    @app.get("/api/queue")
    def api_queue():
        rows = queue.rows(conn_factory(), now(), filters())
        return jsonify([{"alert": r["alert"]["id"], "case": (r["case"] or {}).get("id"), "grade": r["grade"],
                         "deadline": r["deadline"], "title": r["alert"]["title"]} for r in rows])

    @app.get("/events/<event_id>")
    def event_page(event_id: str):
        conn = conn_factory()
        raw = conn.get(keys.event(event_id))
        if raw is None:
            abort(404)
        event = json.loads(raw)
        item_ids = [i.decode() for i in conn.zrevrange(keys.event_volume(event_id), 0, 49)]
        items = [json.loads(r) for r in conn.mget([keys.item(i) for i in item_ids]) if r] if item_ids else []
        volume = conn.zrange(keys.event_volume(event_id), 0, -1, withscores=True)
        alert_raw = conn.get(keys.alert("al-" + event_id.removeprefix("ev-")))
        rep = next((i for i in items if i["id"] == event.get("representative")), items[0] if items else None)
        tokens = []
        if rep:
            from classifiers.tokenizer import tokenize
            tokens = tokenize(f"{rep.get('title', '')}。{rep.get('text', '')}"[:600])
        from classifiers.classify import HEADS

        return render_template("dashboard/event.html", event=event, items=items, chart=_chart(volume), heads=HEADS,
                               alert=json.loads(alert_raw) if alert_raw else None, rep=rep, tokens=tokens)

    @app.post("/alerts/<alert_id>/dismiss")
    @require("dismiss")
    def dismiss(alert_id: str):
        from classifiers import feedback

        conn = conn_factory()
        raw = conn.get(keys.alert(alert_id))
        if raw is None:
            abort(404)
        alert = json.loads(raw)
        event = json.loads(conn.get(keys.event(alert["event_id"])) or "{}")
        rep = event.get("representative")
        labelled = []
        for reason in alert.get("reasons", []):       # the heads whose judgement raised it were wrong
            head_label = ("incident_type", "none") if reason.startswith("突发事件") else \
                ("rumor", "non-rumor") if reason.startswith("谣言") else None
            if rep and head_label and head_label not in labelled:
                feedback.add(conn, rep, *head_label, g.user["name"])
                labelled.append(head_label)
        alert.update(dismissed_at=datetime.now(timezone.utc).isoformat(), dismissed_by=g.user["name"])
        with conn.pipeline() as pipe:
            pipe.set(keys.alert(alert_id), json.dumps(alert, ensure_ascii=False))
            pipe.zrem(keys.ALERTS_OPEN, alert_id)
            pipe.execute()
        audit.record(conn, g.user["name"], "dismiss", alert_id, "误报", request.remote_addr or "")
        flash("已标记为误报，并记录为训练标注。")
        return redirect(url_for("queue_page"))

    @app.post("/items/<item_id>/label")
    @require("relabel")
    def relabel(item_id: str):
        from classifiers import feedback
        from classifiers.classify import HEADS

        head, label = request.form.get("head", ""), request.form.get("label", "").strip()
        back = request.form.get("back", "/")
        back = back if back.startswith("/") and not back.startswith("//") else "/"
        if head not in HEADS + ("concern",):
            flash(f"未能完成：没有分类器 {head}")
            return redirect(back)
        try:
            feedback.add(conn_factory(), item_id, head, label, g.user["name"])
        except InputError as exc:
            flash(f"未能完成：{exc}")
        else:
            audit.record(conn_factory(), g.user["name"], "relabel", item_id, f"{head}={label}", request.remote_addr or "")
            flash(f"已记录标注：{head} = {label}")
        return redirect(back)

    @app.get("/cases/<cid>")
    def case_page(cid: str):
        from responders.cases import get, versions, with_clock
        from responders.review import check

        conn = conn_factory()
        try:
            case = with_clock(get(conn, cid), now())
        except InputError:
            abort(404)
        actions = actions_factory()
        findings = check(case.get("draft") or "", case, actions.cfg)
        return render_template("dashboard/case.html", case=case, versions=versions(conn, cid), findings=findings,
                               now=now())

    @app.post("/cases/<cid>/draft")
    @require("edit")
    def case_edit(cid: str):
        return _act(cid, "edit", lambda a: a.edit(cid, request.form.get("text", "").replace("\r\n", "\n"),
                                                   g.user["name"]))

    @app.post("/cases/<cid>/redraft")
    @require("redraft")
    def case_redraft(cid: str):
        return _act(cid, "redraft", lambda a: a.redraft(cid, request.form.get("kind", ""), g.user["name"]))

    @app.post("/cases/<cid>/<action>")
    def case_action(cid: str, action: str):
        if action not in WORKFLOW:
            abort(404)
        permission, do = WORKFLOW[action]
        if not can(permission):
            abort(403)
        return _act(cid, action, lambda a: do(a, cid, g.user["name"], request.form))

    def _act(cid: str, action: str, fn) -> Any:
        try:
            fn(actions_factory())
        except InputError as exc:
            flash(f"未能完成：{exc}")
        else:
            audit.record(conn_factory(), g.user["name"], action, cid, "", request.remote_addr or "")
            flash("已完成。")
        return redirect(url_for("case_page", cid=cid))

    @app.get("/digest")
    def digest_page():
        from .digest import build, render_html

        return render_html(build(conn_factory(), now()), app.config.get("TEMPLATES_DIR", ""))

    @app.get("/digest.pdf")
    def digest_pdf():
        from .digest import build, render_pdf

        local = now().astimezone(timezone.utc).strftime("%Y%m%d-%H%M")
        return render_pdf(build(conn_factory(), now())), 200, {
            "Content-Type": "application/pdf", "Content-Disposition": f'inline; filename="digest-{local}.pdf"'}

    @app.get("/audit")
    @role_required("operator", "leader")
    def audit_page():
        return render_template("dashboard/audit.html", entries=audit.recent(conn_factory()))


def _chart(volume: list[tuple[bytes, float]]) -> dict[str, Any]:
    """Items per hour as SVG bar geometry (no JavaScript library needed)."""
    if not volume:
        return {"bars": [], "max": 0, "width": 0}
    hours: dict[int, int] = {}
    for _, ts in volume:
        hours[int(ts // 3600)] = hours.get(int(ts // 3600), 0) + 1
    first, last = min(hours), max(hours)
    span = list(range(first, last + 1))[-48:]
    peak = max(hours.values())
    bars = [{"x": n * 14, "h": round(100 * hours.get(h, 0) / peak), "n": hours.get(h, 0),
             "label": datetime.fromtimestamp(h * 3600, timezone.utc).isoformat()} for n, h in enumerate(span)]
    return {"bars": bars, "max": peak, "width": len(bars) * 14}
