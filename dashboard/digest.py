"""The leadership digest (舆情专报): overview, major incidents and their clocks, top events by heat,
trends by concern and domain, rumours answered, compliance — as an HTML page/e-mail and a PDF.

Sent on a schedule (08:00 and 18:00 Asia/Shanghai by default) and at each escalation, through the
notification outbox (so it is sent once per slot and per escalation, like every notice). The PDF
is drawn with reportlab and its built-in Chinese CID font (STSong-Light), so no font file is needed.
"""

from __future__ import annotations

import base64
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

from jinja2 import Environment, select_autoescape
from redis import Redis

from pipeline import keys
from pipeline.items import SHANGHAI
from pipeline.jobs_store import concern_index
from pipeline.templating import loader
from responders.cases import list_cases
from responders.compliance import report

CONCERNS = ("重要决策部署", "公众切身利益", "政府形象公信力", "突发事件与灾害", "民生道德底线", "不实信息", "其他")
LEVEL_RANK = {"特别重大": 0, "重大": 1}


def _local(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%m-%d %H:%M") if iso else "—"


def _left(deadline: str, now: datetime) -> str:
    minutes = int((datetime.fromisoformat(deadline) - now).total_seconds() // 60)
    a = abs(minutes)
    span = f"{a // 1440}天{a % 1440 // 60}小时" if a >= 48 * 60 else f"{a // 60}小时{a % 60}分"
    return ("剩余" if minutes >= 0 else "超时") + span


def build(conn: Redis, now: datetime, hours: int = 12, days: int = 7) -> dict[str, Any]:
    """Everything the digest shows, for the ``hours`` before ``now`` (trends over ``days``)."""
    start = now - timedelta(hours=hours)
    t0, t1 = start.timestamp(), now.timestamp()
    cases = list_cases(conn, lambda: now, kind=None)
    open_cases = [c for c in cases if c["status"] != "已关闭"]
    major = sorted((c for c in open_cases if c.get("kind") == "incident"),
                   key=lambda c: (LEVEL_RANK.get(c.get("level"), 2), c["deadlines"]["release"]))
    event_ids = [e.decode() for e in conn.zrangebyscore(keys.EVENTS_BY_TIME, t0, t1)]
    events = [json.loads(r) for r in conn.mget([keys.event(e) for e in event_ids]) if r] if event_ids else []
    top = sorted(events, key=lambda e: ((e.get("heat") or {}).get("recent", 0), e.get("items", 0)), reverse=True)[:10]
    local_today = now.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
    day_starts = [local_today - timedelta(days=d) for d in range(days - 1, -1, -1)]
    trend: dict[str, list[int]] = {}
    with conn.pipeline(transaction=False) as pipe:
        for concern in CONCERNS:
            for day in day_starts:
                pipe.zcount(concern_index(concern), day.timestamp(), f"({(day + timedelta(days=1)).timestamp()}")
        counts = pipe.execute()
    for n, concern in enumerate(CONCERNS):
        trend[concern] = counts[n * days:(n + 1) * days]
    domains: dict[str, int] = {}
    for key in conn.scan_iter(match=f"{keys.PREFIX}:timeline:domain:*", count=500):
        name = key.decode().rsplit(":", 1)[1]
        domains[name] = conn.zcount(key, t0, t1)
    answered = [c for c in cases if c.get("draft_kind") == "rebuttal" and any(
        t0 <= datetime.fromisoformat(r["at"]).timestamp() <= t1 for r in c.get("releases") or [])]
    month = now.astimezone(SHANGHAI).strftime("%Y-%m")
    comp = report(cases, month, now)
    return {
        "generated_at": now.isoformat(), "from": start.isoformat(), "to": now.isoformat(), "hours": hours,
        "overview": {"items": conn.zcount(keys.ITEMS_BY_TIME, t0, t1), "events": len(event_ids),
                     "alerts_open": conn.zcard(keys.ALERTS_OPEN), "cases_open": len(open_cases),
                     "overdue": sum(1 for c in open_cases if c["overdue"])},
        "major": [{"id": c["id"], "title": c["title"], "level": c.get("level"), "type": c.get("type"),
                   "unit": c.get("unit"), "status": c["status"], "t0": _local(c["t0"]),
                   "deadline": _local(c["deadlines"]["release"]),
                   "clock": f"已于{_local(c['first_release_at'])}发布" if c.get("first_release_at")
                   else _left(c["deadlines"]["release"], now), "overdue": c["overdue"],
                   "escalated_to": c.get("escalated_to")} for c in major],
        "top_events": [{"id": e["id"], "title": e.get("title", ""), "items": e.get("items", 0),
                        "recent": (e.get("heat") or {}).get("recent", 0), "level": e.get("yuqing_level"),
                        "concern": e.get("concern")} for e in top],
        "trend": {"days": [d.strftime("%m-%d") for d in day_starts], "series": trend},
        "concern_totals": {c: sum(v) for c, v in trend.items()},
        "domains": dict(sorted(domains.items(), key=lambda kv: -kv[1])),
        "rumours_answered": [{"id": c["id"], "title": c["title"], "at": _local(c["releases"][-1]["at"])}
                             for c in answered],
        "compliance": {"month": month, "overall": comp["overall"], "by_unit": comp["by_unit"]},
    }


def bars(values: dict[str, int], width: int = 520, bar: int = 18) -> dict[str, Any]:
    """Geometry of a horizontal bar chart (SVG in the page and the e-mail)."""
    peak = max(values.values(), default=0) or 1
    rows = [{"label": k, "value": v, "y": n * (bar + 6), "w": round((width - 200) * v / peak)}
            for n, (k, v) in enumerate(values.items())]
    return {"rows": rows, "height": len(rows) * (bar + 6), "width": width, "bar": bar}


def render_html(data: dict[str, Any], templates_dir: str = "") -> str:
    env = Environment(loader=loader(templates_dir), autoescape=select_autoescape(["html"]))
    env.filters["local"] = _local
    return env.get_template("digest/digest.html").render(d=data, concern_chart=bars(data["concern_totals"]),
                                                         domain_chart=bars(dict(list(data["domains"].items())[:10])))


def render_pdf(data: dict[str, Any]) -> bytes:
    """The same digest as an A4 PDF with its charts."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    base = ParagraphStyle("cn", fontName="STSong-Light", fontSize=10, leading=15, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=base, fontSize=18, leading=24, alignment=1)
    h2 = ParagraphStyle("h2", parent=base, fontSize=13, leading=20, spaceBefore=8)

    def p(text: Any, style=base) -> Paragraph:
        from xml.sax.saxutils import escape
        return Paragraph(escape(str(text)), style)

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        t = Table([[p(h) for h in header]] + [[p(c) for c in r] for r in rows] or [[p("—")]], colWidths=widths)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0e0e0")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t

    def chart(values: dict[str, int]) -> Drawing:
        items = list(values.items())[:10] or [("—", 0)]
        d = Drawing(170 * mm, 10 + 16 * len(items))
        c = HorizontalBarChart()
        c.x, c.y, c.width, c.height = 40 * mm, 5, 120 * mm, 16 * len(items)
        c.data = [[v for _, v in reversed(items)]]
        c.categoryAxis.categoryNames = [k for k, _ in reversed(items)]
        c.categoryAxis.labels.fontName = "STSong-Light"
        c.valueAxis.valueMin = 0
        c.bars[0].fillColor = colors.HexColor("#9f1d20")
        d.add(c)
        return d

    o = data["overview"]
    story = [p("政务舆情专报", h1),
             p(f"统计时段：{_local(data['from'])} 至 {_local(data['to'])}（北京时间）"), Spacer(1, 4 * mm),
             p("一、总体情况", h2),
             p(f"监测信息{o['items']}条，涉及事件{o['events']}个；未处理预警{o['alerts_open']}条；在办案例{o['cases_open']}个，"
               f"其中超时{o['overdue']}个。"),
             p("二、重大突发事件及处置时限", h2),
             table(["级别", "事件", "责任单位", "状态", "发布时限", "倒计时"],
                   [[m["level"], m["title"], m["unit"], m["status"], m["deadline"], m["clock"]] for m in data["major"]],
                   [16 * mm, 62 * mm, 28 * mm, 16 * mm, 22 * mm, 30 * mm]),
             p("三、热度最高的事件", h2),
             table(["事件", "条数", "近1小时", "舆情级别", "类别"],
                   [[e["title"], e["items"], e["recent"], e["level"] or "", e["concern"] or ""] for e in data["top_events"]],
                   [80 * mm, 16 * mm, 18 * mm, 20 * mm, 40 * mm]),
             p(f"四、近{len(data['trend']['days'])}日各类别信息量", h2), chart(data["concern_totals"]),
             p("五、本时段各领域信息量", h2), chart(dict(list(data["domains"].items())[:10])),
             p("六、已回应的谣言", h2),
             table(["事件", "发布时间"], [[r["title"], r["at"]] for r in data["rumours_answered"]], [130 * mm, 44 * mm]),
             p("七、回应时效", h2)]
    rate = data["compliance"]["overall"]["on_time_rate"]
    story.append(p(f"{data['compliance']['month']}：按时{data['compliance']['overall']['on_time']}项，"
                   f"超时{data['compliance']['overall']['late'] + data['compliance']['overall']['missed']}项，"
                   f"按时率{'—' if rate is None else f'{rate:.0%}'}。"))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title="政务舆情专报", leftMargin=18 * mm, rightMargin=18 * mm,
                      topMargin=16 * mm, bottomMargin=16 * mm).build(story)
    return buffer.getvalue()


def notice(conn: Redis, now: datetime, nid: str, roles: list[str], urgent: bool, why: str,
           templates_dir: str = "") -> dict[str, Any]:
    data = build(conn, now)
    o = data["overview"]
    local = now.astimezone(SHANGHAI)
    subject = f"政务舆情专报 {local:%Y年%-m月%-d日 %H:%M}" + (f"（{why}）" if why else "")
    lines = [subject, "", f"监测信息{o['items']}条，事件{o['events']}个，未处理预警{o['alerts_open']}条，"
             f"在办案例{o['cases_open']}个（超时{o['overdue']}个）。"]
    lines += [f"【{m['level']}】{m['title']}：{m['status']}，{m['clock']}" for m in data["major"]]
    return {"id": nid, "case_id": None, "kind": "digest", "roles": roles, "urgent": urgent, "subject": subject,
            "body": "\n".join(lines), "html": render_html(data, templates_dir), "created_at": now.isoformat(),
            "attachments": {f"舆情专报-{local:%Y%m%d-%H%M}.pdf":
                            [base64.b64encode(render_pdf(data)).decode("ascii"), "application/pdf"]}}


def _enqueue(conn: Redis, doc: dict[str, Any], now: datetime) -> bool:
    if not conn.set(keys.notice(doc["id"]), json.dumps(doc, ensure_ascii=False), nx=True, ex=30 * 24 * 3600):
        return False
    with conn.pipeline() as pipe:
        pipe.lpush(keys.OUTBOX, doc["id"])
        pipe.zadd(keys.NOTICES, {doc["id"]: now.timestamp()})
        pipe.execute()
    return True


def due(conn: Redis, cfg: dict[str, Any], now: datetime, templates_dir: str = "") -> list[str]:
    """Queue the digests now due: a scheduled slot reached within the last two hours, and one per
    escalation notice since the last pass. Each is queued once (its id is claimed in Redis)."""
    settings = cfg.get("digest") or {}
    roles = settings.get("roles") or ["分管领导", "主要领导"]
    local = now.astimezone(SHANGHAI)
    queued = []
    for slot in settings.get("times") or []:
        hour, minute = (int(x) for x in slot.split(":"))
        at = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
        nid = f"digest:{at:%Y%m%d-%H%M}"
        if at <= local < at + timedelta(hours=2) and not conn.exists(keys.notice(nid)):
            if _enqueue(conn, notice(conn, now, nid, roles, False, "", templates_dir), now):
                queued.append(nid)
    if settings.get("on_escalation", True):
        since = float(conn.get(DIGEST_MARK) or 0)
        for raw in conn.zrangebyscore(keys.NOTICES, f"({since}", now.timestamp()):
            nid = raw.decode()
            if ":escalate:" in nid or ":repeat-" in nid or nid.endswith(":breach:release"):
                doc = json.loads(conn.get(keys.notice(nid)) or "{}")
                digest_id = f"digest:{nid}"
                if doc and _enqueue(conn, notice(conn, now, digest_id, roles, bool(doc.get("urgent")), "升级",
                                                 templates_dir), now):
                    queued.append(digest_id)
        conn.set(DIGEST_MARK, now.timestamp())
    return queued


DIGEST_MARK = f"{keys.PREFIX}:digest:escalations_seen_until"
