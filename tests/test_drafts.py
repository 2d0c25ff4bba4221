"""Drafts per incident type and per kind, in the register of official notices; crawled text stays data."""

from datetime import datetime, timezone

import pytest

from responders.drafts import DRAFT_KINDS, draft_for, environment, event_phrase

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=timezone.utc)


def _case(type_, title="某县发生事故", **incident):
    return {"id": "case-d", "kind": "incident", "unit": "某县人民政府", "title": title, "t0": "2024-06-03T06:00:00+00:00",
            "region": {"place": "某县"}, "releases": [],
            "incident": {"type": type_, "level": "重大", "occurred_at": "2024-06-03T14:00:00+08:00", **incident}}


@pytest.mark.parametrize("type_,expect", [
    ("事故灾难", "启动应急预案"), ("自然灾害", "抢险救灾"), ("公共卫生事件", "卫生健康主管部门"), ("社会安全事件", "警情通报")])
def test_each_incident_type_has_its_own_notice(type_, expect):
    text = draft_for("incident", _case(type_, deaths=10, injured=2), {}, NOW)
    assert expect in text
    assert "6月3日14时许" in text and "某县" in text and "10人死亡" in text and "2人受伤" in text
    assert "某县人民政府" in text and "\n2024年6月3日\n（此件公开发布）" in text


def test_unknown_facts_are_visible_placeholders():
    text = draft_for("incident", {**_case("事故灾难"), "incident": {"type": "事故灾难"}, "region": {}}, {}, NOW)
    assert "【待核实：地点】" in text and "【待核实：发生时间】" in text and "【待核实：伤亡人数】" in text
    assert "【待核实：事故类别】事故" in text


def test_the_accident_kind_comes_from_the_title():
    assert event_phrase("雅江县煤矿瓦斯爆炸致12人死亡") == "瓦斯爆炸"
    text = draft_for("incident", _case("事故灾难", title="G5高速发生交通事故", deaths=3), {}, NOW)
    assert "发生一起交通事故。" in text


@pytest.mark.parametrize("kind,expect", [("followup", "续报（第1次发布）"), ("rebuttal", "该信息系"),
                                         ("response", "现将有关情况回应如下")])
def test_followup_rebuttal_and_response_drafts(kind, expect):
    text = draft_for(kind, _case("事故灾难", title="网传某县水库溃坝", deaths=1), {}, NOW)
    assert expect in text and "（此件公开发布）" in text


def test_crawled_text_is_rendered_literally_and_personal_data_masked():
    hostile = "{{ config }}{% for x in range(9) %}爆炸{% endfor %}<script>alert(1)</script>"
    text = draft_for("rebuttal", _case("事故灾难", title=hostile + "村民李明华电话13912345678"), {}, NOW)
    assert hostile in text
    assert "李某" in text and "139****5678" in text and "13912345678" not in text


def test_operators_override_a_template_in_their_folder(tmp_path):
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "rebuttal.txt.j2").write_text("本单位辟谣：{{ title }}\n", encoding="utf-8")
    assert draft_for("rebuttal", _case("事故灾难", title="网传停水"), {}, NOW, str(tmp_path)) == "本单位辟谣：网传停水\n"
    assert "回应如下" in draft_for("response", _case("事故灾难"), {}, NOW, str(tmp_path))     # others still shipped
    with pytest.raises(ValueError, match="unknown draft kind"):
        draft_for("poem", _case("事故灾难"), {}, NOW)
    assert set(DRAFT_KINDS) == {"incident", "followup", "rebuttal", "response"}


def test_templates_are_sandboxed():
    from jinja2.exceptions import SecurityError, UndefinedError
    env = environment()
    with pytest.raises(SecurityError):
        env.from_string("{{ ''.__class__.__mro__[1].__subclasses__() }}").render()
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
