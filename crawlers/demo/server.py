"""The offline demo source: a small local portal, 留言 board, RSS feed and social timeline.

Served on loopback by `yuqing run` (and by tests) so that the whole system
has something real to crawl with no network. Rows come from ``corpus.jsonl``
(real text, see build_corpus.py); a few are visible at start and one more
appears every ``release_every`` seconds, as on a live site.
"""

from __future__ import annotations

import html
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Callable
from urllib.parse import parse_qs, urlsplit

SHANGHAI = timezone(timedelta(hours=8))


def load_corpus() -> list[dict]:
    text = resources.files("crawlers.demo").joinpath("corpus.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


class DemoSite:
    """Which rows are published at a given moment, and their pages."""

    def __init__(self, rows: list[dict], initial: int = 8, release_every: float = 20.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.rows = rows
        self.initial = initial
        self.release_every = release_every
        self.clock = clock
        self.started = clock()

    def _count(self) -> int:
        elapsed = self.clock() - self.started
        return min(len(self.rows), self.initial + (int(elapsed // self.release_every) if self.release_every > 0 else 0))

    def _when(self, n: int) -> datetime:
        offset = 0.0 if n < self.initial else (n - self.initial + 1) * self.release_every
        return datetime.fromtimestamp(self.started + offset, SHANGHAI).replace(microsecond=0)

    def published(self) -> list[tuple[int, dict, datetime]]:
        """(number, row, publication time) of every row out so far, newest first."""
        return [(n, self.rows[n], self._when(n)) for n in reversed(range(self._count()))]

    def _page(self, title: str, body: str) -> str:
        return (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}'
                f'</title></head><body><div class="nav"><a href="/">首页</a> <a href="/board/">网民留言</a> '
                f'<a href="/rss.xml">RSS</a></div>{body}<div class="footer">演示门户 · 仅供离线测试</div></body></html>')

    PER_PAGE = 20

    def _listing(self, kind: str, title: str, heading: str, prefix: str, page: int, base: str) -> str:
        rows = [(n, row, when) for n, row, when in self.published() if row["kind"] == kind]
        chunk = rows[(page - 1) * self.PER_PAGE: page * self.PER_PAGE]
        links = "".join(
            f'<li><a href="{prefix}{n}.html">{html.escape(row["title"])}</a> <span class="date">'
            f'{when:%Y-%m-%d %H:%M}</span></li>' for n, row, when in chunk)
        more = f'<a class="next" href="{base}?page={page + 1}">下一页</a>' if page * self.PER_PAGE < len(rows) else ""
        return self._page(title, f'<h1>{heading}</h1><ul class="{kind}-list">{links}</ul>{more}')

    def index(self, page: int = 1) -> str:
        return self._listing("news", "演示市人民政府门户网站", "要闻动态", "/news/", page, "/")

    def board(self, page: int = 1) -> str:
        return self._listing("board", "网民留言", "网民留言", "/board/", page, "/board/")

    def article(self, number: int, kind: str) -> str | None:
        if not (0 <= number < self._count() and self.rows[number]["kind"] == kind):
            return None
        row, when = self.rows[number], self._when(number)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in row["text"].split("\n") if p.strip())
        return self._page(row["title"], f'<h1 class="title">{html.escape(row["title"])}</h1>'
                                        f'<div class="meta">发布时间：{when:%Y年%m月%d日 %H:%M}</div>'
                                        f'<div class="content">{paragraphs}</div>')

    def rss(self, base: str) -> str:
        entries = "".join(
            f"<item><title>{html.escape(row['title'])}</title><link>{base}news/{n}.html</link>"
            f"<guid>{base}news/{n}.html</guid><pubDate>{format_datetime(when)}</pubDate>"
            f"<description>{html.escape(row['text'][:200])}</description></item>"
            for n, row, when in self.published() if row["kind"] == "news")
        return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>演示市人民政府 要闻</title><link>{base}</link><description>演示信息源</description>"
                f"{entries}</channel></rss>")

    def timeline(self) -> str:
        posts = [{"mid": f"demo-{n}", "text": row["text"], "user": "演示网友", "created_at": when.isoformat(),
                  "reposts": 10 * (n % 7), "comments": 3 * (n % 5), "likes": 20 * (n % 4)}
                 for n, row, when in self.published() if row["kind"] == "social"]
        return json.dumps({"statuses": posts}, ensure_ascii=False)


def make_handler(site: DemoSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "YuqingDemo/1"

        def log_message(self, fmt: str, *args) -> None:  # quiet: the crawler logs what it fetched
            return

        def _send(self, status: int, body: str, ctype: str, encoding: str = "utf-8") -> None:
            data = body.encode(encoding)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            path = parts.path
            raw_page = parse_qs(parts.query).get("page", ["1"])[0]
            page = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
            base = f"http://{self.headers.get('Host', 'localhost')}/"
            if path in ("/", "/index.html"):
                return self._send(200, site.index(page), "text/html; charset=utf-8")
            if path in ("/board", "/board/"):
                # The message board is an old system: GBK pages, and a header that says nothing.
                return self._send(200, site.board(page).replace('charset="utf-8"', 'charset="gb2312"'), "text/html",
                                  encoding="gb18030")
            if path == "/rss.xml":
                return self._send(200, site.rss(base), "application/rss+xml; charset=utf-8")
            if path == "/api/timeline.json":
                return self._send(200, site.timeline(), "application/json; charset=utf-8")
            if path == "/robots.txt":
                return self._send(200, "User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
            for prefix, kind in (("/news/", "news"), ("/board/", "board")):
                if path.startswith(prefix) and path.endswith(".html"):
                    number = path[len(prefix):-5]
                    page = site.article(int(number), kind) if number.isdigit() else None
                    if page is None:
                        continue
                    if kind == "board":
                        # GBK body under a header that wrongly claims UTF-8, as such boards do.
                        return self._send(200, page.replace('charset="utf-8"', 'charset="gbk"'),
                                          "text/html; charset=utf-8", encoding="gb18030")
                    return self._send(200, page, "text/html; charset=utf-8")
            return self._send(404, site._page("未找到", "<h1>404 页面不存在</h1>"), "text/html; charset=utf-8")

    return Handler


def make_server(port: int, host: str = "127.0.0.1", site: DemoSite | None = None) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(site or DemoSite(load_corpus())))
    server.daemon_threads = True
    return server


def serve_in_thread(port: int = 0, site: DemoSite | None = None) -> tuple[ThreadingHTTPServer, threading.Thread]:
    """For tests: a running demo server and its thread; call ``server.shutdown()`` to stop."""
    server = make_server(port, site=site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
