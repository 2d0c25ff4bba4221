import json
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from crawlers.demo.server import DemoSite, load_corpus, serve_in_thread


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def site_and_url():
    clock = Clock()
    site = DemoSite(load_corpus(), initial=8, release_every=20, clock=clock)
    server, _ = serve_in_thread(0, site)
    yield site, clock, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def fetch(url, encoding="utf-8"):
    with urllib.request.urlopen(url, timeout=10) as resp:
        return resp.status, resp.read().decode(encoding)


def test_corpus_mixes_every_kind():
    kinds = {row["kind"] for row in load_corpus()}
    assert kinds == {"news", "board", "social"}
    assert all(row["origin"] for row in load_corpus())


def test_new_items_appear_over_time(site_and_url):
    site, clock, url = site_and_url
    before = len(site.published())
    clock.now += 45
    assert len(site.published()) == before + 2
    _, rss = fetch(url + "rss.xml")
    links = [e.text for e in ET.fromstring(rss).iter("link")][1:]
    assert links and all(link.startswith(url + "news/") for link in links)
    status, page = fetch(links[0])
    assert status == 200 and "发布时间" in page


def test_pages_board_and_timeline(site_and_url):
    site, clock, url = site_and_url
    clock.now += 3600
    assert "网民留言" in fetch(url + "board/", "gb18030")[1]  # the board is served in GBK
    posts = json.loads(fetch(url + "api/timeline.json")[1])["statuses"]
    assert posts and {"mid", "text", "created_at", "reposts", "comments", "likes"} <= set(posts[0])
    with pytest.raises(urllib.error.HTTPError) as info:
        fetch(url + "news/9999.html")
    assert info.value.code == 404


def test_unreleased_article_is_not_served(site_and_url):
    site, clock, url = site_and_url
    last = max(n for n, row in enumerate(site.rows) if row["kind"] == "news")
    with pytest.raises(urllib.error.HTTPError):
        fetch(url + f"news/{last}.html")
    clock.now += 3600
    assert fetch(url + f"news/{last}.html")[0] == 200


def test_list_pages_paginate():
    rows = load_corpus() * 10
    site = DemoSite(rows, initial=len(rows), release_every=0)
    first = site.index(1)
    assert first.count("<li>") == 20 and 'class="next" href="/?page=2"' in first
    news = sum(1 for r in rows if r["kind"] == "news")
    last = site.index((news + 19) // 20)
    assert "class=\"next\"" not in last
