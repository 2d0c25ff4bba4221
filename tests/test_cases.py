"""Incident cases opened by the pipeline: one per event, T0 and the five-hour deadline, a safe draft."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from classifiers.classify import Classifier
from pipeline.ingest import process_batch
from responders.cases import list_cases
from responders.drafts import environment

from support import run_cli

REPORT = ("6月3日14时许，四川省雅江县一煤矿发生瓦斯爆炸事故，截至目前已造成12人死亡、5人受伤，事故原因正在调查中。"
          "应急管理局负责同志已赶赴现场指导救援，伤者已送医救治。")


@pytest.fixture(scope="module")
def classifier():
    return Classifier()


def _items(title="雅江县煤矿瓦斯爆炸致12人死亡"):
    return [{"id": "c1", "title": title, "text": REPORT, "source": "news", "published_at": "2024-06-03T16:00:00+08:00"}]


def test_major_incident_opens_one_case_with_the_five_hour_deadline(redis_conn, redis_url, classifier):
    process_batch(redis_conn, _items(), classifier)
    process_batch(redis_conn, _items(), classifier)   # the same incident again
    out = run_cli("cases", "--json", env={"REDIS_URL": redis_url})
    (case,) = json.loads(out.stdout)
    assert set(case) == {"id", "event_id", "title", "type", "level", "t0", "deadlines", "status", "unit",
                         "first_release_at", "overdue", "draft"}
    t0 = datetime.fromisoformat(case["t0"])
    assert t0 == datetime(2024, 6, 3, 6, 0, tzinfo=timezone.utc)          # 14:00 Beijing time, occurred_at
    assert datetime.fromisoformat(case["deadlines"]["release"]) == t0 + timedelta(hours=5)
    assert datetime.fromisoformat(case["deadlines"]["press_conference"]) == t0 + timedelta(hours=24)
    assert case["type"] == "事故灾难" and case["level"] == "重大" and case["overdue"] is True
    draft = case["draft"]
    assert "雅江县" in draft and "安全事故" in draft and "12人死亡" in draft and "5人受伤" in draft
    assert "6月3日14时许" in draft and "此件公开发布" in draft


def test_overdue_follows_the_clock(redis_conn, classifier):
    process_batch(redis_conn, _items(), classifier)
    (case,) = list_cases(redis_conn, clock=lambda: datetime(2024, 6, 3, 10, 59, tzinfo=timezone.utc))
    assert case["overdue"] is False
    (case,) = list_cases(redis_conn, clock=lambda: datetime(2024, 6, 3, 11, 1, tzinfo=timezone.utc))
    assert case["overdue"] is True


def test_crawled_template_syntax_stays_text(redis_conn, classifier):
    hostile = "{{ config }}{% for x in range(9) %}爆炸{% endfor %}<script>alert(1)</script>"
    process_batch(redis_conn, _items(title=hostile + "致12人死亡"), classifier)
    (case,) = list_cases(redis_conn)
    assert hostile in case["draft"] and hostile in case["title"]


def test_templates_are_sandboxed():
    from jinja2.exceptions import SecurityError, UndefinedError
    env = environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
