"""`yuqing case …`, `report compliance` and `notices` through the real command line."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from responders.cases import Responder
from responders.config import load

from support import run_cli

T0 = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=1)
EVENT = {"id": "ev-k1", "title": "某县烟花厂爆炸致10人死亡", "items": 2, "concern": "突发事件与灾害", "rumor_score": 0.0,
         "region": {"place": "某县"}, "t0": T0.isoformat(), "triggers_response": True,
         "incident": {"type": "事故灾难", "level": "重大", "deaths": 10, "occurred_at": T0.isoformat()}}


@pytest.fixture
def env(redis_conn, redis_url, tmp_path):
    Responder(load()).on_events(redis_conn, [(EVENT, True)], T0 + timedelta(minutes=5))
    return {"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")}


def test_a_case_goes_through_the_workflow_from_the_shell(env, tmp_path):
    assert run_cli("case", "ack", "case-k1", "--by", "张三", env=env).returncode == 0
    shown = json.loads(run_cli("case", "show", "case-k1", "--json", env=env).stdout)
    text = shown["draft"].replace("【待核实：事故单位】", "某烟花公司").replace("相关责任人已被依法控制【待核实：如无则删除】。", "")
    (tmp_path / "draft.txt").write_text(text, encoding="utf-8")
    assert run_cli("case", "edit", "case-k1", "--file", str(tmp_path / "draft.txt"), "--by", "张三", env=env).returncode == 0
    out = run_cli("case", "submit", "case-k1", "--by", "张三", env=env)
    assert "状态 审核" in out.stdout and "审查【提示】" in out.stdout          # unverified figures are shown
    refused = run_cli("case", "approve", "case-k1", "--by", "张三", env=env)
    assert refused.returncode == 2 and refused.stderr.startswith("yuqing: error: 张三 wrote this version")
    assert run_cli("case", "approve", "case-k1", "--by", "李四", env=env).returncode == 0
    assert run_cli("case", "sign", "case-k1", "--by", "王主任", env=env).returncode == 0
    bad = run_cli("case", "publish", "case-k1", "--by", "张三", "--at", "yesterday", env=env)
    assert bad.returncode == 2 and "ISO 8601" in bad.stderr
    assert run_cli("case", "publish", "case-k1", "--by", "张三", env=env).returncode == 0
    (case,) = json.loads(run_cli("cases", "--json", env=env).stdout)
    assert case["status"] == "已发布" and case["first_release_at"] and case["overdue"] is False
    html = run_cli("case", "export", "case-k1", "--format", "html", env=env).stdout
    assert "<h1>关于某县安全事故的情况通报</h1>" in html
    history = run_cli("case", "show", "case-k1", "--history", env=env).stdout
    assert "王主任  sign" in history and "李四  approve" in history
    versions = run_cli("case", "versions", "case-k1", env=env).stdout.splitlines()
    assert len(versions) == 2 and "edit  张三" in versions[1]
    month = T0.astimezone(timezone(timedelta(hours=8))).strftime("%Y-%m")
    report = json.loads(run_cli("report", "compliance", "--month", month, "--json", env=env).stdout)
    assert [r["state"] for r in report["rows"] if r["milestone"] == "release"] == ["on_time"]
    assert "按时率" in run_cli("report", "compliance", "--month", month, env=env).stdout
    from dashboard import audit
    import redis
    steps = [(e["user"], e["action"], e["detail"]) for e in audit.recent(redis.Redis.from_url(env["REDIS_URL"]))]
    assert ("王主任", "sign", "命令行") in steps and ("张三", "publish", "命令行") in steps
    assert ("张三", "approve", "命令行") not in steps                    # refused steps are not logged as done


def test_mistakes_are_one_line_errors(env):
    out = run_cli("case", "ack", "case-nope", "--by", "张三", env=env)
    assert out.returncode == 2 and "no such case" in out.stderr
    out = run_cli("case", "ack", "case-k1", env=env)
    assert out.returncode == 2 and "--by" in out.stderr
    out = run_cli("report", "compliance", "--month", "June", env=env)
    assert out.returncode == 2 and "2024-06" in out.stderr
    out = run_cli("case", "level", "ev-nope", "重大", "--by", "张三", env=env)
    assert out.returncode == 2 and "no event ev-nope" in out.stderr


def test_notices_list_what_the_clock_raised(env):
    out = run_cli("notices", "--json", env=env)
    (notice,) = json.loads(out.stdout)
    assert notice["kind"] == "open" and notice["urgent"] is True and notice["delivery"] == {}
    assert "【新案例·重大事故灾难】" in run_cli("notices", env=env).stdout
    listed = run_cli("cases", "--all", env=env).stdout
    assert "case-k1" in listed and "status 起草" in listed
