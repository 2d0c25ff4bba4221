"""Notifications against a real local SMTP server and a local HTTP webhook: once each, quiet hours, retries."""

import json
from datetime import datetime, timezone

from pipeline import keys
from responders.config import load
from responders.notify import EmailChannel, WebhookChannel, deliver, in_quiet_hours, recent

from support import HookServer, MailServer

DAY = datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)        # 14:00 Beijing
NIGHT = datetime(2024, 6, 3, 16, 0, tzinfo=timezone.utc)     # 00:00 Beijing
CONTACTS = {"值班员": ["duty@example.gov.cn"], "主要领导": ["chief@example.gov.cn"]}


def _queue(conn, nid, urgent=True, roles=("值班员",)):
    notice = {"id": nid, "case_id": "case-x", "kind": "remind", "roles": list(roles), "urgent": urgent,
              "subject": f"【重大·事故灾难】测试 {nid}", "body": "正文<script>x</script>{{ config }}",
              "created_at": DAY.isoformat()}
    conn.set(keys.notice(nid), json.dumps(notice, ensure_ascii=False))
    conn.lpush(keys.OUTBOX, nid)
    conn.zadd(keys.NOTICES, {nid: DAY.timestamp()})


def test_each_notice_is_mailed_once_to_the_roles_addresses(redis_conn):
    cfg = load()
    with MailServer() as mail:
        channel = EmailChannel(mail.url, "yuqing@example.gov.cn", CONTACTS)
        _queue(redis_conn, "n1", roles=("值班员", "主要领导"))
        _queue(redis_conn, "n2", roles=("分管领导",))          # nobody configured for this role
        assert deliver(redis_conn, [channel], cfg, DAY)["sent"] == 2
        assert deliver(redis_conn, [channel], cfg, DAY)["sent"] == 0      # a second pass sends nothing
    (message,) = mail.messages
    assert sorted(message["to"]) == ["chief@example.gov.cn", "duty@example.gov.cn"]
    assert message["subject"] == "【重大·事故灾难】测试 n1"
    assert "{{ config }}" in message["msg"].get_body().get_content()
    assert redis_conn.llen(keys.OUTBOX) == 0
    states = {n["id"]: n["delivery"]["email"] for n in recent(redis_conn)}
    assert states["n1"].startswith("sent") and states["n2"].startswith("sent")
    assert [n["delivery"]["email:note"] for n in recent(redis_conn)] == ["no recipients", "sent to 2"]


def test_quiet_hours_hold_routine_notices_but_not_urgent_ones(redis_conn):
    cfg = load()
    assert in_quiet_hours(NIGHT, cfg) and not in_quiet_hours(DAY, cfg)
    with MailServer() as mail:
        channel = EmailChannel(mail.url, "yuqing@example.gov.cn", CONTACTS)
        _queue(redis_conn, "routine", urgent=False)
        _queue(redis_conn, "urgent", urgent=True)
        counts = deliver(redis_conn, [channel], cfg, NIGHT)
        assert counts["sent"] == 1 and counts["held"] == 1
        assert [m["subject"][-6:] for m in mail.messages] == ["urgent"]
        deliver(redis_conn, [channel], cfg, NIGHT.replace(hour=23, minute=30))   # 07:30 Beijing: morning
        assert sorted(m["subject"].split()[-1] for m in mail.messages) == ["routine", "urgent"]


def test_webhook_gets_robot_json_in_both_formats(redis_conn):
    cfg = load()
    with HookServer() as wecom, HookServer() as dingtalk:
        _queue(redis_conn, "w1")
        deliver(redis_conn, [WebhookChannel(wecom.url, "wecom"), WebhookChannel(dingtalk.url, "dingtalk", name="dingtalk")], cfg, DAY)
    (a,) = wecom.posts
    (b,) = dingtalk.posts
    assert a["msgtype"] == "text" and "测试 w1" in a["text"]["content"] and a["text"]["mentioned_list"] == ["@all"]
    assert b["msgtype"] == "text" and b["at"] == {"isAtAll": True}


def test_a_failing_channel_is_retried_with_backoff_and_given_up_after_max_attempts(redis_conn):
    cfg = dict(load(), notifications={**load()["notifications"], "max_attempts": 2})
    with HookServer(answer={"errcode": 93000, "errmsg": "invalid webhook url"}) as hook:
        channel = WebhookChannel(hook.url)
        _queue(redis_conn, "f1")
        assert deliver(redis_conn, [channel], cfg, DAY)["failed"] == 1
        assert deliver(redis_conn, [channel], cfg, DAY)["failed"] == 0              # backing off
        later = DAY.replace(minute=5)
        assert deliver(redis_conn, [channel], cfg, later)["failed"] == 1            # second and last attempt
        assert deliver(redis_conn, [channel], cfg, later.replace(minute=30))["failed"] == 0
    assert len(hook.posts) == 2
    (notice,) = recent(redis_conn)
    assert notice["delivery"]["webhook"] == "failed:2" and "93000" in notice["delivery"]["webhook:error"]
    assert redis_conn.llen(keys.OUTBOX) == 0


def test_a_channel_claimed_by_another_sender_is_not_sent_twice(redis_conn):
    cfg = load()
    with HookServer() as hook:
        _queue(redis_conn, "c1")
        redis_conn.hset(keys.notice_sent("c1"), "webhook", f"claim:{DAY.timestamp()}")   # another sender is on it
        assert deliver(redis_conn, [WebhookChannel(hook.url)], cfg, DAY)["sent"] == 0
        assert hook.posts == []
        stale = datetime.fromtimestamp(DAY.timestamp() + 301, timezone.utc)            # that sender died
        assert deliver(redis_conn, [WebhookChannel(hook.url)], cfg, stale)["sent"] == 1
    assert len(hook.posts) == 1
