from datetime import datetime

from crawlers.items import clean_text, make_item, url_id
from pipeline.items import SHANGHAI

NOW = datetime(2024, 6, 3, 12, 0, tzinfo=SHANGHAI)


def test_stable_id_from_canonical_url():
    assert url_id("http://x.gov.cn/a?b=2&a=1") == url_id("http://x.gov.cn/a?a=1&b=2")
    assert url_id("http://x.gov.cn/a") != url_id("http://x.gov.cn/b")


def test_clean_text_strips_tags_and_folds_space():
    assert clean_text("<b>县政府</b>&amp;回应\u3000\u3000说明\n\n\n第二段") == "县政府&回应 说明\n第二段"
    assert clean_text(["一", None, "二"]) == "一\n二"


def test_item_fields_and_broken_date():
    item = make_item(source="s", kind="portal", url="http://x/a", title="<i>标题</i>", text="正文",
                     fetched_at=NOW, published_raw="3小时前", engagement={"likes": "1,024", "reposts": -1})
    assert item["title"] == "标题" and item["published_at"] == "2024-06-03T09:00:00+08:00"
    assert item["engagement"] == {"reposts": None, "comments": None, "likes": 1024}
    broken = make_item(source="s", kind="portal", url="http://x/b", title="t", text="", fetched_at=NOW,
                       published_raw="很久以前")
    assert broken["published_at"] is None and broken["published_at_raw"] == "很久以前"
    assert len(item["content_hash"]) == 64
