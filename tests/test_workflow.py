"""The release workflow: 起草 → 审核 → 审签 → 已签发 → 已发布, who may do what, review gates, versions, export."""

from datetime import datetime, timedelta, timezone

import pytest

from pipeline.errors import InputError
from responders.cases import Responder, get, versions
from responders.config import load
from responders.workflow import Actions, export

T0 = datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)
EVENT = {"id": "ev-w1", "title": "某市化工厂爆炸致11人死亡", "items": 4, "concern": "突发事件与灾害", "rumor_score": 0.0,
         "region": {"place": "某市"}, "t0": T0.isoformat(), "triggers_response": True,
         "incident": {"type": "事故灾难", "level": "重大", "deaths": 11, "injured": 3,
                      "occurred_at": "2024-06-03T14:00:00+08:00"}}


@pytest.fixture
def opened(redis_conn):
    now = [T0 + timedelta(minutes=20)]
    Responder(load()).on_events(redis_conn, [(EVENT, True)], now[0])
    return Actions(redis_conn, load(), clock=lambda: now[0]), "case-w1", now


def _clean(text):
    return text.replace("【待核实：事故单位】", "某化工公司").replace("相关责任人已被依法控制【待核实：如无则删除】。", "")


def test_the_author_cannot_approve_or_sign_their_own_version(opened):
    actions, cid, _ = opened
    actions.edit(cid, _clean(get(actions.conn, cid)["draft"]), by="张三")
    actions.submit(cid, by="张三")
    with pytest.raises(InputError, match="张三 wrote this version"):
        actions.approve(cid, by="张三")
    actions.approve(cid, by="李四")
    with pytest.raises(InputError, match="wrote this version"):
        actions.sign(cid, by="张三")
    signed = actions.sign(cid, by="王主任")
    assert signed["status"] == "已签发" and signed["signed_version"] == 2


def test_blocking_findings_stop_approval_until_fixed(opened):
    actions, cid, _ = opened
    text = _clean(get(actions.conn, cid)["draft"]) + "\n联系人电话13912345678，此件内部资料注意保密。"
    actions.edit(cid, text, by="张三")
    case = actions.submit(cid, by="张三")
    assert {f["kind"] for f in case["findings"] if f["severity"] == "block"} == {"mobile", "secrecy"}
    with pytest.raises(InputError, match="手机号码"):
        actions.approve(cid, by="李四")
    back = actions.reject(cid, by="李四", reason="删去电话和内部标识")
    assert back["status"] == "起草"
    actions.edit(cid, _clean(get(actions.conn, cid)["draft"]).split("\n联系人")[0] + "\n", by="张三")
    actions.submit(cid, by="张三")
    assert actions.approve(cid, by="李四")["status"] == "审签"


def test_an_untouched_automatic_draft_keeps_its_placeholders_and_cannot_pass(opened):
    actions, cid, _ = opened
    actions.submit(cid, by="张三")
    with pytest.raises(InputError, match="待核实"):
        actions.approve(cid, by="李四")


def test_publication_records_the_time_and_a_followup_starts_a_new_round(opened):
    actions, cid, now = opened
    actions.edit(cid, _clean(get(actions.conn, cid)["draft"]), by="张三")
    actions.submit(cid, by="张三")
    actions.approve(cid, by="李四")
    actions.sign(cid, by="王主任")
    with pytest.raises(InputError, match="future"):
        actions.publish(cid, by="张三", at=now[0] + timedelta(hours=1))
    published = actions.publish(cid, by="张三", at=now[0] - timedelta(minutes=5))
    assert published["first_release_at"] == (now[0] - timedelta(minutes=5)).isoformat()
    assert published["releases"][0]["version"] == 2
    now[0] += timedelta(hours=3)
    follow = actions.followup(cid, by="张三")
    assert follow["status"] == "起草" and follow["draft_kind"] == "followup" and "续报（第2次发布）" in follow["draft"]
    assert follow["first_release_at"] == published["first_release_at"]        # the first release stays the first
    assert [v["kind"] for v in versions(actions.conn, cid)] == ["incident", "incident", "followup"]


def test_a_step_out_of_order_is_refused_with_the_reason(opened):
    actions, cid, _ = opened
    with pytest.raises(InputError, match="is 起草; this step needs 审签"):
        actions.sign(cid, by="王主任")
    with pytest.raises(InputError, match="--by"):
        actions.ack(cid, by=" ")
    with pytest.raises(InputError, match="no such case"):
        actions.ack("case-nope", by="张三")
    assert actions.ack(cid, by="张三")["acked_by"] == "张三"
    assert actions.ack(cid, by="李四")["acked_by"] == "张三"                  # a second click changes nothing


def test_export_gives_the_signed_text_escaped_in_html(opened):
    actions, cid, _ = opened
    hostile = _clean(get(actions.conn, cid)["draft"]).replace("某化工公司", "某化工公司<script>alert(1)</script>{{ config }}")
    actions.edit(cid, hostile, by="张三")
    with pytest.raises(InputError, match="no signed text"):
        export(get(actions.conn, cid), "txt")
    actions.submit(cid, by="张三")
    actions.approve(cid, by="李四")
    actions.sign(cid, by="王主任")
    case = get(actions.conn, cid)
    assert export(case, "txt") == hostile
    html = export(case, "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ config }}" in html and "<script>alert" not in html
    assert "<h1>关于某市安全事故的情况通报</h1>" in html


def test_assign_and_press_conference_are_recorded(opened):
    actions, cid, now = opened
    case = actions.assign(cid, "市应急管理局", by="王处长")
    assert case["unit"] == "市应急管理局" and case["unit_by"] == "王处长"
    Responder(load()).on_events(actions.conn, [(dict(EVENT, items=9), True)], now[0])
    assert get(actions.conn, cid)["unit"] == "市应急管理局"                  # a person's assignment sticks
    case = actions.press_conference(cid, by="王处长")
    assert case["press_conference_at"] == now[0].isoformat()
    closed = actions.close(cid, by="王处长", reason="处置完毕")
    assert closed["status"] == "已关闭" and not actions.conn.zscore("yq:v1:cases:due", cid)
