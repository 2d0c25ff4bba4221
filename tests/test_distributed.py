"""Scale-out: two processes share one crawl through the Redis-backed scheduler (JSON, never pickle)."""

import subprocess

from scrapy.http import Request

from crawlers.demo.server import DemoSite, load_corpus, serve_in_thread
from crawlers.distributed import from_json, to_json

from support import ROOT, YUQING
from test_crawl import queued_items


def test_request_round_trips_through_json():
    request = Request("http://x/a", method="POST", body=b"\x00\xff data", headers={"X-A": "1"},
                      meta={"conditional": True}, cb_kwargs={"page": 2}, priority=3)
    back = from_json(to_json(request.to_dict()))
    assert back["body"] == b"\x00\xff data" and back["meta"] == {"conditional": True}
    assert back["cb_kwargs"] == {"page": 2} and back["priority"] == 3


def test_two_processes_split_one_crawl_without_duplicates(tmp_path, redis_url, redis_conn):
    rows = load_corpus() * 8
    server, _ = serve_in_thread(0, DemoSite(rows, initial=len(rows), release_every=0))
    demo = f"http://127.0.0.1:{server.server_address[1]}"
    (tmp_path / "var").mkdir()
    # Polite enough (one request at a time, 0.25 s apart, per process) that the crawl lasts long enough for the
    # second process to start and join even on a loaded machine (0.1 s was seen to let one process do it all).
    (tmp_path / "var" / "sources.yaml").write_text(
        "sources:\n  - name: shared\n    kind: portal\n"
        f"    urls: ['{demo}/']\n"
        "    politeness: {download_delay: 0.25, concurrent_requests_per_domain: 1, autothrottle: false}\n"
        "    portal: {link_selector: 'ul.news-list a::attr(href)', next_selector: 'a.next::attr(href)', max_pages: 5}\n",
        encoding="utf-8")
    env = {"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")}
    import os
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    full_env.update(env)
    try:
        procs = [subprocess.Popen(YUQING + ["crawl", "shared", "--distributed", "run-1"],
                                  cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in procs]
    finally:
        server.shutdown()
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    pages = [int(o[0].split("pages=")[1].split()[0]) for o in outs]
    assert all(n > 0 for n in pages), pages                   # both processes did part of the work
    items = queued_items(redis_conn)
    news = sum(1 for r in rows if r["kind"] == "news")
    # The portal's first 5 list pages (max_pages) hold 100 articles at most; each fetched once overall.
    expected = min(news, 100)
    assert len(items) == expected and len({i["url"] for i in items}) == expected
