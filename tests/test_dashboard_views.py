"""The alert queue, event and case pages and their actions, through the Flask test client and real Redis."""

from datetime import datetime, timedelta, timezone

import json

import pytest

from classifiers.classify import Classifier
from dashboard import audit
from pipeline import keys
from pipeline.ingest import process_batch
from responders.cases import get

from dashboard_support import make_users, signed_in

HOSTILE = "{{ config }}{% for x in range(3) %}爆{% endfor %}<script>alert(1)</script>"
REPORT = "6月3日14时许，四川省雅江县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，事故原因正在调查中。"


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


@pytest.fixture
def loaded(settings, redis_conn, classifier):
    make_users(redis_conn)
    now = datetime.now(timezone.utc)
    items = [{"id": "v1", "title": "雅江县煤矿瓦斯爆炸致12人死亡" + HOSTILE, "text": REPORT, "source": "news",
              "published_at": (now - timedelta(hours=4, minutes=30)).isoformat()},
             {"id": "v2", "title": "网传某市自来水有毒，喝了会中毒", "text": "网传某市自来水有毒，喝了会中毒，请转告家人朋友不要喝自来水！",
              "source": "weibo", "published_at": now.isoformat()}]
    process_batch(redis_conn, items, classifier)
    return settings


def test_the_queue_lists_alerts_by_grade_with_live_countdowns_and_escapes_crawled_text(loaded, redis_conn):
    page = signed_in(loaded, "张三").get("/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ config }}" in page                                     # shown as text, never evaluated
    assert 'class="countdown" data-deadline=' in page and "待确认" in page
    assert page.index("雅江县煤矿") < page.index("网传某市自来水")            # 重大 first
    rows = signed_in(loaded, "张三").get("/queue/rows?grade=重大").get_data(as_text=True)
    assert "雅江县煤矿" in rows and "自来水" not in rows


def test_case_page_walks_the_workflow_with_roles_and_audit(loaded, redis_conn):
    duty, leader, other = (signed_in(loaded, n) for n in ("张三", "王主任", "李四"))
    cid = next(c.decode() for c in redis_conn.zrange("yq:v1:cases:all", 0, -1) if get(redis_conn, c.decode())["kind"] == "incident")
    page = duty.get(f"/cases/{cid}").get_data(as_text=True)
    assert "&lt;script&gt;" in page and "<script>alert(1)" not in page and "待核实" in page
    assert duty.post(f"/cases/{cid}/ack", data={"csrf_token": duty.csrf}).status_code == 302
    text = get(redis_conn, cid)["draft"].replace("【待核实：事故单位】", "某煤业公司").replace(
        "相关责任人已被依法控制【待核实：如无则删除】。", "")
    duty.post(f"/cases/{cid}/draft", data={"csrf_token": duty.csrf, "text": text.replace("\n", "\r\n")})
    assert get(redis_conn, cid)["draft"] == text                      # browsers send CRLF; stored as LF
    duty.post(f"/cases/{cid}/submit", data={"csrf_token": duty.csrf})
    refused = duty.post(f"/cases/{cid}/approve", data={"csrf_token": duty.csrf}, follow_redirects=True)
    assert "未能完成" in refused.get_data(as_text=True) and get(redis_conn, cid)["status"] == "审核"
    other.post(f"/cases/{cid}/approve", data={"csrf_token": other.csrf, "note": "同意"})
    assert duty.post(f"/cases/{cid}/sign", data={"csrf_token": duty.csrf}).status_code == 403   # 值班员 cannot sign
    leader.post(f"/cases/{cid}/sign", data={"csrf_token": leader.csrf})
    assert leader.post(f"/cases/{cid}/publish", data={"csrf_token": leader.csrf}).status_code == 403
    duty.post(f"/cases/{cid}/publish", data={"csrf_token": duty.csrf, "url": "https://gov.example/1"})
    case = get(redis_conn, cid)
    assert case["status"] == "已发布" and case["first_release_at"]
    page = duty.get("/").get_data(as_text=True)
    assert "countdown done" in page                                    # the clock stopped
    actions = [(e["user"], e["action"]) for e in audit.recent(redis_conn)]
    for step in [("张三", "ack"), ("张三", "edit"), ("张三", "submit"), ("李四", "approve"), ("王主任", "sign"),
                 ("张三", "publish")]:
        assert step in actions


def test_dismissing_a_false_positive_closes_the_alert_and_stores_a_label(loaded, redis_conn):
    from classifiers import feedback
    duty = signed_in(loaded, "张三")
    alert_id = "al-v2"
    assert "自来水" in duty.get("/").get_data(as_text=True)
    reasons = json.loads(redis_conn.get(keys.alert(alert_id)))["reasons"]
    assert signed_in(loaded, "运维小赵").post(f"/alerts/{alert_id}/dismiss",
                                          data={"csrf_token": "x"}).status_code == 400   # wrong token
    ops = signed_in(loaded, "运维小赵")
    assert ops.post(f"/alerts/{alert_id}/dismiss", data={"csrf_token": ops.csrf}).status_code == 403
    duty.post(f"/alerts/{alert_id}/dismiss", data={"csrf_token": duty.csrf})
    assert redis_conn.zscore("yq:v1:alerts:open", alert_id) is None
    expected = {("rumor", "non-rumor")} if any(r.startswith("谣言") for r in reasons) else set()
    expected |= {("incident_type", "none")} if any(r.startswith("突发事件") for r in reasons) else set()
    assert expected and {(h, r["label"]) for h in ("rumor", "incident_type") for r in feedback.export(redis_conn, h)} \
        == expected


def test_the_event_page_shows_items_volume_tokens_and_reasons(loaded, redis_conn):
    page = signed_in(loaded, "张三").get("/events/ev-v1").get_data(as_text=True)
    assert "<svg" in page and "<rect" in page and ("<code>瓦斯</code>" in page or "<code>瓦斯爆炸</code>" in page)
    assert "突发事件：事故灾难 重大" in page and "&lt;script&gt;" in page and "<script>alert(1)" not in page
    assert signed_in(loaded, "张三").get("/events/ev-nope").status_code == 404


def test_relabelling_an_item_from_the_event_page_stores_a_training_row(loaded, redis_conn):
    from classifiers import feedback
    duty = signed_in(loaded, "张三")
    page = duty.get("/events/ev-v1").get_data(as_text=True)
    assert 'action="/items/v1/label"' in page
    duty.post("/items/v1/label", data={"csrf_token": duty.csrf, "head": "domain", "label": "城乡建设", "back": "/events/ev-v1"})
    (row,) = feedback.export(redis_conn, "domain")
    assert row["id"] == "v1" and row["label"] == "城乡建设"
    bad = duty.post("/items/v1/label", data={"csrf_token": duty.csrf, "head": "nope", "label": "x"}, follow_redirects=True)
    assert "没有分类器 nope" in bad.get_data(as_text=True)
    leader = signed_in(loaded, "王主任")
    assert leader.post("/items/v1/label", data={"csrf_token": leader.csrf, "head": "domain", "label": "x"}).status_code == 403
