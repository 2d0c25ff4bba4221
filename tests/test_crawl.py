"""End-to-end crawls (`yuqing crawl`, crawlers/run.py) of local HTTP servers into a real Redis."""

from __future__ import annotations

import json
import zlib

import pytest

from crawlers.demo.server import DemoSite, load_corpus, serve_in_thread
from crawlers.extensions import SOURCE_ALERTS
from crawlers.handoff import seen_key
from pipeline import keys
from pipeline.queues import INGEST, queue

from support import SAMPLE_DATA, PageServer, run_cli

HTML = {"Content-Type": "text/html; charset=utf-8"}


def queued_items(conn) -> list[dict]:
    """Every item in the ingest queue's jobs, read from Redis as JSON (never pickle)."""
    out = []
    for job_id in queue(INGEST, conn).get_job_ids():
        data = json.loads(zlib.decompress(conn.hget(f"rq:job:{job_id}", "data")))
        out.extend(data[2][0])
    return out


def write_sources(tmp_path, url, **portal):
    conf = {"link_selector": "ul.links a::attr(href)", **portal}
    text = json.dumps({"sources": [{"name": "hostile", "kind": "portal", "urls": [f"{url}/list.html"],
                                    "interval": 60, "owner_unit": "测试办", "region": "测试市",
                                    "politeness": {"download_delay": 0}, "portal": conf}]}, ensure_ascii=False)
    (tmp_path / "var").mkdir(exist_ok=True)
    (tmp_path / "var" / "sources.yaml").write_text(text, encoding="utf-8")  # JSON is YAML


@pytest.fixture
def hostile_site():
    links = ["/a/ok.html", "/a/gbk.html", "/a/hostile.html", "/a/malformed.html", "/a/empty.html", "/a/huge.html",
             "/a/binary.bin", "/a/loop1", "/a/500.html", "/a/private.html"]
    listing = "<html><body><ul class='links'>" + "".join(f"<li><a href='{u}'>{u}</a></li>" for u in links) + \
              "</ul></body></html>"
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /a/private.html\n"),
        "/list.html": (200, HTML, listing.encode()),
        "/a/ok.html": (200, {**HTML, "ETag": '"v1"'}, (SAMPLE_DATA / "article_ok.html").read_bytes()),
        # GBK body, header claims UTF-8
        "/a/gbk.html": (200, HTML, (SAMPLE_DATA / "article_gbk.html").read_bytes()),
        "/a/hostile.html": (200, HTML, (SAMPLE_DATA / "article_hostile.html").read_bytes()),
        "/a/malformed.html": (200, HTML, (SAMPLE_DATA / "article_malformed.html").read_bytes()),
        "/a/empty.html": (200, HTML, b""),
        "/a/huge.html": (200, HTML, b"<html><body><p>" + "大".encode() * (7 * 1024 * 1024) + b"</p></body></html>"),
        "/a/binary.bin": (200, {"Content-Type": "application/octet-stream"}, bytes(range(256)) * 100),
        "/a/loop1": (302, {"Location": "/a/loop2"}, b""),
        "/a/loop2": (302, {"Location": "/a/loop1"}, b""),
        "/a/500.html": (500, HTML, b"server error"),
        "/a/private.html": (200, HTML, (SAMPLE_DATA / "article_ok.html").read_bytes()),
    }
    server = PageServer(routes)
    yield server
    server.close()


def _crawl(tmp_path, redis_url, *args):
    return run_cli("crawl", *args, "--no-delay", env={"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")},
                   timeout=300)


def test_hostile_pages_are_counted_and_the_crawl_goes_on(tmp_path, redis_url, redis_conn, hostile_site):
    write_sources(tmp_path, hostile_site.url)
    out = _crawl(tmp_path, redis_url, "hostile")
    assert out.returncode == 0, out.stderr[-3000:]
    items = {i["url"].rsplit("/", 1)[-1]: i for i in queued_items(redis_conn)}
    assert set(items) == {"ok.html", "gbk.html", "hostile.html", "malformed.html"}
    ok = items["ok.html"]
    assert ok["title"] == "关于做好汛期安全工作的通知" and "二、强化隐患排查" in ok["text"]
    assert "网站地图" not in ok["text"] and ok["published_at"] == "2024-06-03T09:30:00+08:00"
    assert ok["source"] == "hostile" and ok["kind"] == "portal" and ok["owner_unit"] == "测试办"
    assert "停水已经三天" in items["gbk.html"]["text"]                       # decoded as GBK
    assert items["gbk.html"]["published_at"] == "2024-06-02T21:15:00+08:00"
    hostile = items["hostile.html"]
    assert hostile["title"] == "县政府回应{{ config.SECRET_KEY }}"  # tags gone, template syntax kept as text
    assert "{% for x in range(10**9) %}" in hostile["text"] and "injected" not in hostile["text"]
    assert hostile["published_at"] is None and hostile["published_at_raw"].endswith("2024年13月45日")
    assert "应该提取出文字" in items["malformed.html"]["text"]
    assert "/a/private.html" not in hostile_site.hits                         # robots.txt obeyed
    assert "hostile: queued=4" in out.stdout
    health = {k.decode(): v.decode() for k, v in redis_conn.hgetall(keys.source_health("hostile")).items()}
    assert health["last_items"] == "4" and health["consecutive_failures"] == "0" and int(health["last_errors"]) >= 1


def test_unchanged_is_skipped_changed_is_an_update(tmp_path, redis_url, redis_conn, hostile_site):
    write_sources(tmp_path, hostile_site.url)
    assert _crawl(tmp_path, redis_url, "hostile").returncode == 0
    first = len(queued_items(redis_conn))
    out = _crawl(tmp_path, redis_url, "hostile")
    assert len(queued_items(redis_conn)) == first and "unchanged=" in out.stdout
    body = (SAMPLE_DATA / "article_ok.html").read_bytes().replace("二、强化".encode(), "二、全面强化".encode())
    hostile_site.routes["/a/ok.html"] = (200, {**HTML, "ETag": '"v2"'}, body)
    _crawl(tmp_path, redis_url, "hostile")
    items = queued_items(redis_conn)
    updates = [i for i in items if i.get("update")]
    assert len(items) == first + 1 and len(updates) == 1 and "全面强化" in updates[0]["text"]


def test_conditional_get_sends_validators_and_304_means_unchanged(tmp_path, redis_url, redis_conn, hostile_site):
    write_sources(tmp_path, hostile_site.url)
    seen_headers = []

    def conditional(handler):
        seen_headers.append(handler.headers.get("If-None-Match"))
        if handler.headers.get("If-None-Match") == '"v1"':
            return 304, {"ETag": '"v1"'}, b""
        return 200, {**HTML, "ETag": '"v1"'}, (SAMPLE_DATA / "article_ok.html").read_bytes()

    hostile_site.routes["/a/ok.html"] = conditional
    _crawl(tmp_path, redis_url, "hostile")
    out = _crawl(tmp_path, redis_url, "hostile")
    assert seen_headers == [None, '"v1"'] and out.returncode == 0


def test_redis_down_spools_then_delivers(tmp_path, redis_url, redis_conn, hostile_site):
    write_sources(tmp_path, hostile_site.url)
    down = run_cli("crawl", "hostile", "--no-delay", env={"REDIS_URL": "redis://127.0.0.1:1/0",
                                                          "YUQING_VAR": str(tmp_path / "var")}, timeout=300)
    assert down.returncode == 0 and "spooled=4" in down.stdout
    assert len(list((tmp_path / "var" / "spool").glob("*.jsonl"))) == 1
    assert queued_items(redis_conn) == []
    _crawl(tmp_path, redis_url, "hostile")  # Redis is back: the spool goes first, then the crawl
    assert list((tmp_path / "var" / "spool").glob("*.jsonl")) == []
    assert len(queued_items(redis_conn)) == 4
    assert redis_conn.hlen(seen_key("hostile")) == 4


def test_failing_source_raises_a_health_alert(tmp_path, redis_url, redis_conn):
    server = PageServer({"/robots.txt": (200, {}, b""), "/list.html": (500, HTML, b"down")})
    try:
        write_sources(tmp_path, server.url)
        for _ in range(3):
            _crawl(tmp_path, redis_url, "hostile")
    finally:
        server.close()
    health = {k.decode(): v.decode() for k, v in redis_conn.hgetall(keys.source_health("hostile")).items()}
    assert health["consecutive_failures"] == "3" and "3 consecutive failed runs" in health["alert"]
    assert json.loads(redis_conn.lindex(SOURCE_ALERTS, 0))["source"] == "hostile"
    status = run_cli("status", env={"REDIS_URL": redis_url}).stdout
    assert "hostile" in status and "consecutive failures 3" in status and "ALERT: 3 consecutive failed runs" in status


def test_demo_source_all_kinds(tmp_path, redis_url, redis_conn):
    server, _ = serve_in_thread(0, DemoSite(load_corpus(), initial=len(load_corpus()), release_every=0))
    try:
        demo = f"http://127.0.0.1:{server.server_address[1]}"
        out = run_cli("crawl", "--all", "--no-delay", env={"REDIS_URL": redis_url, "YUQING_DEMO_URL": demo,
                                                           "YUQING_VAR": str(tmp_path / "var")}, timeout=300)
    finally:
        server.shutdown()
    assert out.returncode == 0, out.stderr[-2000:]
    by_source = {}
    for item in queued_items(redis_conn):
        by_source.setdefault(item["source"], []).append(item)
    assert set(by_source) == {"demo-portal", "demo-board", "demo-rss", "demo-weibo"}
    corpus_titles = {r["title"] for r in load_corpus() if r["kind"] == "board"}
    assert {i["title"] for i in by_source["demo-board"]} == corpus_titles     # GBK board decoded right
    weibo = by_source["demo-weibo"][0]
    assert weibo["id"].startswith("demo-weibo-demo-") and weibo["engagement"]["reposts"] is not None
    assert all(i["published_at"] for items in by_source.values() for i in items)


def test_usage_errors():
    assert run_cli("crawl").returncode == 2
    assert "no source named 'nope'" in run_cli("crawl", "nope").stderr
