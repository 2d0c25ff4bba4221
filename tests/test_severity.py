"""Severity extraction on sentences written for the tests (not copied from the data sets)."""

from datetime import datetime

import pytest

from classifiers.severity import declared_level, extract, grade, occurrence_time
from pipeline.items import SHANGHAI

REF = datetime(2024, 6, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text, deaths, injured, missing", [
    ("某县一化工厂发生爆炸，已造成12人死亡、35人受伤。", 12, 35, None),
    ("事故造成十七人遇难，另有三人失踪。", 17, None, 3),
    ("大巴侧翻致6死21伤。", 6, 21, None),
    ("截至发稿，死亡人数已上升至31人，失联人员仍在搜救中。", 31, None, None),
    ("火灾中共有3名工人死亡，其中1人经抢救无效死亡。", 3, None, None),
    ("目前已造成5人死亡，18人不同程度受伤。", 5, 18, None),
    ("地震已造成200余人死亡、1000多人受伤。", 200, 1000, None),
    ("此次事故中８人死亡，４人重伤。", 8, 4, None),
    ("所幸无人员伤亡。", 0, 0, None),
    ("目前人员伤亡情况不详。", None, None, None),
])
def test_casualties(text, deaths, injured, missing):
    f = extract(text, REF)
    assert (f.deaths, f.injured, f.missing) == (deaths, injured, missing)


def test_update_takes_the_larger_figure():
    f = extract("事故初步造成9人死亡。最新消息：死亡人数已增至14人。", REF)
    assert f.deaths == 14


@pytest.mark.parametrize("text, yuan", [
    ("直接经济损失约1.2亿元。", 120_000_000),
    ("直接经济损失达3500万元。", 35_000_000),
    ("初步统计直接财产损失80余万元。", 800_000),
])
def test_economic_loss(text, yuan):
    assert extract(text, REF).economic_loss_yuan == yuan


def test_occurrence_time_prefers_a_stated_hour_over_the_dateline():
    when = occurrence_time("新华社5月30日电 5月29日22时40分许，某市一居民楼发生燃气爆炸。", REF)
    assert when.isoformat() == "2024-05-29T22:40:00+08:00"
    assert occurrence_time("昨日下午3时许发生险情", REF) is None  # no date: not guessed
    assert occurrence_time("12月30日凌晨2时", datetime(2025, 1, 2, tzinfo=SHANGHAI)).year == 2024
    assert occurrence_time("30日晚上8时许", REF).isoformat() == "2024-05-30T20:00:00+08:00"


@pytest.mark.parametrize("deaths, injured, loss, level", [
    (30, None, None, "特别重大"), (29, None, None, "重大"), (10, None, None, "重大"), (9, None, None, "较大"),
    (3, None, None, "较大"), (2, None, None, "一般"), (None, 100, None, "特别重大"), (None, 50, None, "重大"),
    (None, 10, None, "较大"), (None, 9, None, "一般"), (None, None, 100_000_000, "特别重大"),
    (None, None, 50_000_000, "重大"), (None, None, 10_000_000, "较大"), (None, None, 9_999_999, "一般"),
])
def test_production_safety_thresholds(deaths, injured, loss, level):
    from classifiers.severity import Figures
    graded = grade(Figures(deaths=deaths, injured=injured, economic_loss_yuan=loss), "事故灾难")
    assert graded["level"] == level and graded["estimated"] is False


def test_missing_count_as_dead_for_accidents():
    from classifiers.severity import Figures
    assert grade(Figures(deaths=6, missing=4), "事故灾难")["level"] == "重大"


def test_earthquake_uses_its_own_tiers_and_social_security_is_estimated():
    from classifiers.severity import Figures
    assert grade(Figures(deaths=40), "自然灾害", "某地发生6.1级地震")["level"] == "较大"
    assert grade(Figures(deaths=40), "自然灾害", "山洪暴发")["level"] == "特别重大"
    graded = grade(Figures(deaths=12), "社会安全事件")
    assert graded["level"] == "重大" and graded["estimated"] is True


def test_no_figures_is_estimated_and_uses_a_declared_grade():
    from classifiers.severity import Figures
    graded = grade(Figures(), "事故灾难", "某市发生一起重大火灾事故")
    assert graded == {"level": "重大", "estimated": True, "scheme": "default", "because": ["declared in text"]}
    assert grade(Figures(), "事故灾难", "某路口两车相撞")["level"] == "一般"
    assert declared_level("一起特大交通事故") == "特别重大"


def test_annotation_file_is_well_formed():
    """The hand annotations (classifiers/eval) the README's extraction figure comes from."""
    import json
    from importlib import resources
    lines = resources.files("classifiers").joinpath("eval", "casualties_cec.jsonl").read_text(encoding="utf-8")
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    assert len(rows) >= 30 and len({r["id"] for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == {"id", "deaths", "injured", "missing", "economic_loss_yuan"}
