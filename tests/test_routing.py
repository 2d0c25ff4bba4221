"""Who answers: 属地管理 by place words, domains, lead body when several units are involved."""

from responders.routing import route

CFG = {"default_unit": "信息处", "lead_unit": "市政府办公室", "units": [
    {"unit": "雅江县人民政府", "places": ["雅江县"]},
    {"unit": "市应急管理局", "places": ["雅江县", "康定市"], "domains": ["城乡建设"]},
    {"unit": "康定市人民政府", "places": ["康定市"]},
]}


def test_one_unit_answers_for_its_place():
    assert route({"region": {"place": "雅江县"}, "domain": "教育文体"}, CFG) == ("雅江县人民政府", ["雅江县人民政府"])


def test_several_units_involved_means_the_lead_body_answers():
    unit, involved = route({"region": {"place": "雅江县"}, "domain": "城乡建设"}, CFG)
    assert unit == "市政府办公室" and involved == ["雅江县人民政府", "市应急管理局"]


def test_the_title_counts_and_nothing_matching_goes_to_the_default():
    assert route({"region": {"place": None}, "title": "康定市停水"}, CFG)[0] == "康定市人民政府"
    assert route({"region": {}, "title": "某地停电"}, CFG) == ("信息处", [])
    assert route({"title": "康定市与雅江县交界处山火"}, dict(CFG, lead_unit=""))[0] == "雅江县人民政府"
