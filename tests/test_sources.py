import pytest

from crawlers.sources import by_name, load, parse
from pipeline.errors import StartupError


def _one(**over):
    base = {"name": "site", "kind": "feed", "urls": ["https://example.gov.cn/rss.xml"]}
    return parse({"sources": [{**base, **over}]}, "s.yaml")


def test_minimal_source_and_politeness_overrides():
    (src,) = _one(politeness={"download_delay": 2, "concurrent_requests_per_domain": 1})
    assert src.interval == 600 and src.scrapy_settings() == {"DOWNLOAD_DELAY": 2, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


@pytest.mark.parametrize("over, message", [
    ({"kind": "ftp"}, "kind must be one of"),
    ({"urls": []}, "non-empty list"),
    ({"urls": ["ftp://x"]}, "http:// or https://"),
    ({"interval": 1}, "at least 10"),
    ({"name": "bad name!"}, "letters, digits"),
    ({"politeness": {"delay": 1}}, "unknown key"),
    ({"kind": "portal"}, "link_selector or portal.link_pattern"),
    ({"kind": "timeline"}, "timeline.text"),
    ({"colour": "red"}, "unknown key"),
])
def test_bad_entries_say_what_to_fix(over, message):
    with pytest.raises(StartupError, match=message):
        _one(**over)


def test_duplicate_names_refused():
    raw = {"name": "a", "kind": "feed", "urls": ["http://x/"]}
    with pytest.raises(StartupError, match="used twice"):
        parse({"sources": [raw, raw]}, "s.yaml")


def test_demo_sources_need_the_demo_url(tmp_path):
    assert load(tmp_path) == []
    demo = load(tmp_path, demo_url="http://127.0.0.1:9/")
    assert {s.name for s in demo} == {"demo-portal", "demo-board", "demo-rss", "demo-weibo"}
    assert by_name(demo, "demo-rss").urls == ("http://127.0.0.1:9/rss.xml",)


def test_operator_file_adds_sources_and_disabled_ones_are_skipped(tmp_path):
    (tmp_path / "sources.yaml").write_text(
        "sources:\n  - {name: a, kind: feed, urls: ['http://x/a.xml']}\n"
        "  - {name: b, kind: feed, urls: ['http://x/b.xml'], enabled: false}\n", encoding="utf-8")
    assert [s.name for s in load(tmp_path)] == ["a"]
    with pytest.raises(StartupError, match="no source named 'b'"):
        by_name(load(tmp_path), "b")
    with pytest.raises(StartupError, match="does not exist"):
        load(tmp_path, sources_file=str(tmp_path / "missing.yaml"))
