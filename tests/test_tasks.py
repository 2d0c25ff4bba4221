"""The scheduler's response pass, end to end with an injected clock, real Redis (restarted midway) and real SMTP:
detection → reminders → missed acknowledgement → escalation → acknowledgement → review → sign-off → publication."""

from datetime import datetime, timedelta, timezone

import redis
import yaml

from classifiers.classify import Classifier
from pipeline.ingest import process_batch
from pipeline.redis_server import EmbeddedRedis
from pipeline.settings import load_settings
from responders.cases import Responder, get, list_cases
from responders.compliance import report
from responders.config import load, shipped_text
from responders.tasks import ResponsePass
from responders.workflow import Actions

from support import MailServer

T0 = datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)                 # 14:00 Beijing
REPORT = ("6月3日14时许，四川省雅江县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，事故原因正在调查中。"
          "应急管理局负责同志已赶赴现场指导救援，伤者已送医救治。")
CONTACTS = {"值班员": ["duty@example.gov.cn"], "分管领导": ["deputy@example.gov.cn"], "主要领导": ["chief@example.gov.cn"]}


def _settings(tmp_path, url, mail_url):
    cfg = yaml.safe_load(shipped_text())
    cfg["contacts"] = CONTACTS
    cfg["units"] = [{"unit": "雅江县人民政府", "places": ["雅江县"]}]
    path = tmp_path / "response.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return load_settings(environ={"REDIS_URL": url, "YUQING_VAR": str(tmp_path / "var"), "YUQING_SMTP_URL": mail_url,
                                  "YUQING_RESPONSE_FILE": str(path)}, cwd=tmp_path)


def notices(mail):
    """Case notices (the leadership digests that escalations also send are counted apart)."""
    return [m for m in mail.messages if not m["subject"].startswith("政务舆情专报")]


def test_a_case_walks_from_detection_to_publication_through_a_restart(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis")
    now = [T0 + timedelta(minutes=10)]
    clock = lambda: now[0]                                    # noqa: E731
    try:
        url = server.start()
        with MailServer() as mail:
            settings = _settings(tmp_path, url, mail.url)
            conn = redis.Redis.from_url(url)
            responder = Responder.from_settings(settings)
            item = {"id": "m1", "title": "雅江县煤矿瓦斯爆炸致12人死亡", "text": REPORT, "source": "news",
                    "published_at": "2024-06-03T14:05:00+08:00"}
            process_batch(conn, [item], Classifier(), clock=lambda: now[0].timestamp(), responder=responder)
            respond = ResponsePass(settings, clock)
            (case,) = list_cases(conn, clock)
            cid = case["id"]
            assert case["unit"] == "雅江县人民政府" and case["deadlines"]["release"] == (T0 + timedelta(hours=5)).isoformat()
            respond(conn)
            assert [m["subject"][:5] for m in notices(mail)] == ["【新案例·"]
            body = notices(mail)[0]["msg"].get_body().get_content()
            assert f"查看和处置：http://127.0.0.1:8700/cases/{cid}" in body

            now[0] = T0 + timedelta(minutes=41)                # nobody acknowledged within 30 minutes
            respond(conn)
            assert notices(mail)[-1]["to"] == ["deputy@example.gov.cn"] and "升级至分管领导" in notices(mail)[-1]["subject"]
            digests = [m for m in mail.messages if m["subject"].startswith("政务舆情专报")]
            assert len(digests) == 1 and "（升级）" in digests[0]["subject"]      # leadership gets the digest
            now[0] = T0 + timedelta(hours=2, minutes=1)        # two-hour reminder; the chain reached 主要领导
            respond(conn)
            subjects = [m["subject"] for m in notices(mail)]
            assert any("升级至主要领导" in s for s in subjects)
            assert any("发布权威信息时限提醒：剩余2小时59分" in s for s in subjects)
            sent_before_restart = len(notices(mail))

            conn.close()
            server.stop()                                      # Redis restarts; the scheduler is rebuilt
            url = server.start()
            conn = redis.Redis.from_url(url)
            respond = ResponsePass(settings, clock)
            respond(conn)
            assert len(notices(mail)) == sent_before_restart    # nothing fires twice after the restart

            actions = Actions(conn, load(settings.response_file), clock=clock)
            now[0] = T0 + timedelta(hours=2, minutes=20)
            actions.ack(cid, by="值班员张三")
            now[0] = T0 + timedelta(hours=4, minutes=1)        # acknowledged: no more escalation, the reminder still comes
            respond(conn)
            subjects = [m["subject"] for m in notices(mail)[sent_before_restart:]]
            assert len(subjects) == 1 and "剩余0小时59分" in subjects[0]

            draft = get(conn, cid)["draft"].replace("【待核实：事故单位】", "雅江县某煤业公司") \
                .replace("相关责任人已被依法控制【待核实：如无则删除】。", "")
            actions.edit(cid, draft, by="值班员张三")
            actions.verify_figures(cid, by="雅江县应急管理局")
            actions.submit(cid, by="值班员张三")
            actions.approve(cid, by="科长李四")
            now[0] = T0 + timedelta(hours=4, minutes=20)
            actions.sign(cid, by="王主任")
            now[0] = T0 + timedelta(hours=4, minutes=35)
            actions.publish(cid, by="值班员张三", url="https://www.example.gov.cn/tzgg/1.html")

            now[0] = T0 + timedelta(hours=5, minutes=5)        # past the deadline: published in time, no breach
            respond(conn)
            (shown,) = list_cases(conn, clock)
            assert shown["status"] == "已发布" and shown["overdue"] is False
            assert shown["first_release_at"] == (T0 + timedelta(hours=4, minutes=35)).isoformat()
            assert not any("已超过发布权威信息时限" in m["subject"] for m in notices(mail))
            assert len({m["id"] for m in mail.messages}) == len(mail.messages)      # no duplicate sends
            steps = [(h["action"], h["by"]) for h in get(conn, cid)["history"]]
            for step in [("open", "系统"), ("escalate", "系统"), ("remind", "系统"), ("ack", "值班员张三"),
                         ("submit", "值班员张三"), ("approve", "科长李四"), ("sign", "王主任"), ("publish", "值班员张三")]:
                assert step in steps
            ledger = report(list_cases(conn, clock, kind=None), "2024-06", now[0])
            release = next(r for r in ledger["rows"] if r["milestone"] == "release")
            assert release["state"] == "on_time" and ledger["by_unit"]["雅江县人民政府"]["pending"] == 1  # press conf.
    finally:
        server.stop()
