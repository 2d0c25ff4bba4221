"""The leadership digest: content, HTML with charts, PDF, schedule and escalation, mailed for real."""

from datetime import datetime, timedelta, timezone

from dashboard.digest import build, due, render_html, render_pdf
from pipeline import keys
from responders.cases import Responder, tick
from responders.config import load
from responders.notify import EmailChannel, deliver

from support import MailServer

NOW = datetime(2024, 6, 4, 0, 5, tzinfo=timezone.utc)                  # 08:05 Beijing
EVENT = {"id": "ev-g1", "title": "某县化工厂爆炸致11人死亡<script>x</script>", "items": 6, "concern": "突发事件与灾害",
         "rumor_score": 0.0, "region": {"place": "某县"}, "t0": (NOW - timedelta(hours=3)).isoformat(),
         "triggers_response": True, "heat": {"recent": 4}, "yuqing_level": "较大",
         "incident": {"type": "事故灾难", "level": "重大", "deaths": 11}}


def _load(conn):
    conn.set(keys.event(EVENT["id"]), __import__("json").dumps(EVENT, ensure_ascii=False))
    conn.zadd(keys.EVENTS_BY_TIME, {EVENT["id"]: (NOW - timedelta(hours=1)).timestamp()})
    conn.zadd(f"{keys.PREFIX}:timeline:concern:突发事件与灾害", {"i1": (NOW - timedelta(hours=1)).timestamp(),
                                                          "i2": (NOW - timedelta(days=2)).timestamp()})
    conn.zadd(f"{keys.PREFIX}:timeline:domain:城乡建设", {"i1": (NOW - timedelta(hours=1)).timestamp()})
    conn.zadd(keys.ITEMS_BY_TIME, {"i1": (NOW - timedelta(hours=1)).timestamp()})
    Responder(load()).on_events(conn, [(EVENT, True)], NOW - timedelta(hours=2))


def test_the_digest_holds_overview_major_incidents_top_events_trends_and_compliance(redis_conn):
    _load(redis_conn)
    d = build(redis_conn, NOW)
    assert d["overview"] == {"items": 1, "events": 1, "alerts_open": 0, "cases_open": 1, "overdue": 0}
    (major,) = d["major"]
    assert major["level"] == "重大" and major["clock"] == "剩余2小时0分" and major["escalated_to"] is None
    assert d["top_events"][0]["id"] == "ev-g1"
    assert d["trend"]["series"]["突发事件与灾害"][-1] == 1 and sum(d["trend"]["series"]["突发事件与灾害"]) == 2
    assert d["domains"] == {"城乡建设": 1} and d["compliance"]["month"] == "2024-06"
    html = render_html(d)
    assert "<svg" in html and "<rect" in html and "剩余2小时0分" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    pdf = render_pdf(d)
    assert pdf.startswith(b"%PDF") and b"STSong-Light" in pdf and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1


def test_scheduled_and_escalation_digests_are_queued_once_and_mailed_with_the_pdf(redis_conn):
    _load(redis_conn)
    cfg = load()
    tick(redis_conn, cfg, NOW)                                          # the case escalates: ack missed
    queued = due(redis_conn, cfg, NOW)
    assert "digest:20240604-0800" in queued
    assert any(q.startswith("digest:case-g1:") for q in queued)          # the case escalated (ack missed)
    assert due(redis_conn, cfg, NOW + timedelta(minutes=1)) == []       # nothing twice
    assert due(redis_conn, cfg, NOW.replace(hour=3)) == []              # 11:00: no slot
    contacts = {"分管领导": ["deputy@example.gov.cn"], "主要领导": ["chief@example.gov.cn"], "值班员": []}
    with MailServer() as mail:
        deliver(redis_conn, [EmailChannel(mail.url, "yuqing@example.gov.cn", contacts)], cfg, NOW)
    digests = [m for m in mail.messages if m["subject"].startswith("政务舆情专报")]
    assert len(digests) == 2
    message = digests[0]["msg"]
    assert sorted(digests[0]["to"]) == ["chief@example.gov.cn", "deputy@example.gov.cn"]
    assert "<svg" in message.get_body(preferencelist=("html",)).get_content()
    (pdf,) = [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")
