import pytest

from pipeline.errors import InputError
from pipeline.items import normalise, parse_line, parse_time


def test_minimal_item_gets_canonical_fields():
    item = normalise({"id": "a", "text": "正文", "extra": {"kept": 1}})
    assert item["title"] == "" and item["source"] == "" and item["published_at"] is None
    assert item["extra"] == {"kept": 1}
    assert len(item["content_hash"]) == 64


def test_integer_id_is_accepted_as_string():
    assert normalise({"id": 7, "title": "t"})["id"] == "7"


@pytest.mark.parametrize("raw, message", [
    ([1, 2], "JSON object"),
    ({"title": "t"}, "missing 'id'"),
    ({"id": "", "title": "t"}, "missing 'id'"),
    ({"id": True, "title": "t"}, "missing 'id'"),
    ({"id": "a"}, "non-empty 'title' or 'text'"),
    ({"id": "a", "title": "  ", "text": ""}, "non-empty 'title' or 'text'"),
    ({"id": "a", "title": {"x": 1}}, "'title' must be a string"),
    ({"id": "a", "text": "x" * 200_001}, "exceed"),
])
def test_bad_items_say_why(raw, message):
    with pytest.raises(InputError, match=message):
        normalise(raw)


def test_times_keep_their_offset_and_naive_means_shanghai():
    assert parse_time("2024-05-01T08:00:00Z").isoformat() == "2024-05-01T08:00:00+00:00"
    assert parse_time("2024-05-01 08:00").isoformat() == "2024-05-01T08:00:00+08:00"
    assert parse_time(0).isoformat() == "1970-01-01T00:00:00+00:00"
    assert parse_time("1700000000").year == 2023
    assert parse_time(None) is None


def test_content_hash_changes_with_text_only():
    a = normalise({"id": "a", "title": "t", "text": "x", "source": "s1"})
    b = normalise({"id": "b", "title": "t", "text": "x", "source": "s2"})
    c = normalise({"id": "a", "title": "t", "text": "y"})
    assert a["content_hash"] == b["content_hash"] != c["content_hash"]


def test_parse_line_reports_invalid_json():
    with pytest.raises(InputError, match="not valid JSON"):
        parse_line('{"id": ')
    assert parse_line('{"id": "x", "title": "{{ config }}<script>"}')["title"] == "{{ config }}<script>"


def test_a_broken_date_costs_the_date_not_the_item():
    item = normalise({"id": "a", "text": "x", "published_at": "昨天下午"})
    assert item["published_at"] is None and item["published_at_raw"] == "昨天下午"
    assert "neither ISO 8601 nor Unix seconds" in item["warnings"][0]
    assert normalise({"id": "a", "text": "x", "published_at": True})["published_at"] is None


def test_chinese_absolute_dates():
    assert parse_time("2014年1月2日14时左右").isoformat() == "2014-01-02T14:00:00+08:00"
    assert parse_time("2019年7月17日 10:20").isoformat() == "2019-07-17T10:20:00+08:00"
    with pytest.raises(InputError):
        parse_time("2019年2月30日")
    assert parse_time("2009-8-8").isoformat() == "2009-08-08T00:00:00+08:00"
