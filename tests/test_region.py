import pytest

from classifiers.region import find_places, jurisdiction_prefixes, most_specific, region


def test_most_specific_place_wins():
    assert most_specific("四川省甘孜藏族自治州雅江县发生山体滑坡").name == "雅江县"
    assert most_specific("兰州市发布暴雨预警").name == "兰州市"
    assert most_specific("没有地名的一句话") is None


def test_namesakes_resolved_by_their_province():
    place = most_specific("吉林省长春市朝阳区一小区停水")
    assert place.name == "朝阳区" and place.code.startswith("2201")
    place = most_specific("北京市朝阳区一小区停水")
    assert place.code.startswith("1101")


def test_short_province_and_city_names():
    assert {p.name for p in find_places("四川和兰州")} >= {"四川省", "兰州市"}


def test_jurisdiction_scope():
    assert region("雅江县发生事故", "四川省") == {"place": "雅江县", "in_scope": True}
    assert region("兰州市发生事故", "四川省")["in_scope"] is False
    assert region("某地发生事故", "四川省")["in_scope"] is True  # unknown place stays in scope
    assert region("兰州市发生事故")["in_scope"] is True  # default: everywhere


def test_unknown_jurisdiction_name_is_an_error():
    with pytest.raises(ValueError, match="not a known place"):
        jurisdiction_prefixes("火星省")


def test_places_come_in_order_of_first_mention_once_each():
    # the order breaks ties between equally specific places (most_specific prefers the first named)
    names = [p.name for p in find_places("先说成都市的事，后说四川省，再说成都市和武侯区")]
    assert names[:2] == ["成都市", "四川省"] and names.count("成都市") == 1 and "武侯区" in names
    assert find_places("今天天气晴朗") == []
