"""Downloader middlewares: right decoding of Chinese pages, and conditional GET."""

from __future__ import annotations

import json
import logging

import redis
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response, TextResponse

from pipeline import keys

log = logging.getLogger(__name__)

GB_NAMES = {"gbk", "gb2312", "gb18030", "cp936", "x-gbk", "gb_2312-80", "euc-cn", "hz-gb-2312"}
TEXT_TYPES = (b"text/", b"application/json", b"application/xml", b"application/rss", b"application/atom",
              b"application/javascript", b"application/xhtml")


def choose_encoding(body: bytes, declared: str) -> str:
    """The encoding that decodes ``body`` cleanly, trusting the declaration only when it works.

    Sites declare utf-8 and serve GBK, or declare GBK and serve UTF-8, or declare
    nothing. UTF-8 is tried first: GBK text almost never forms valid UTF-8,
    while GB18030 decodes nearly any bytes. Then the declared encoding, then
    gb18030 (a superset of GBK/GB2312).
    """
    declared = (declared or "").lower()
    candidates = ["utf-8", "gb18030" if declared in GB_NAMES else declared, "gb18030"]
    for name in [c for c in candidates if c]:
        try:
            body.decode(name)
            return name
        except (UnicodeDecodeError, LookupError):
            continue
    return "gb18030" if declared in GB_NAMES else (declared or "utf-8")


class EncodingMiddleware:
    """Decode pages in GBK/GB2312/GB18030 correctly whatever their headers claim; refuse binaries."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    def process_response(self, request, response: Response, spider=None) -> Response:
        ctype = response.headers.get(b"Content-Type", b"") or b""
        body = response.body
        if (ctype and not any(t in ctype.lower() for t in TEXT_TYPES)) or b"\x00" in body[:2048]:
            if request.url.endswith("/robots.txt"):
                return response
            self.crawler.stats.inc_value("yuqing/binary_dropped")
            log.warning("skipped %s: not text (%s)", request.url, ctype.decode("latin-1") or "binary body")
            raise IgnoreRequest(f"not a text response: {request.url}")
        if not isinstance(response, TextResponse):
            cls = HtmlResponse if b"html" in ctype.lower() or body.lstrip()[:1] == b"<" else TextResponse
            response = cls(url=response.url, status=response.status, headers=response.headers, body=body,
                           request=request, encoding=choose_encoding(body, ""))
            return response
        chosen = choose_encoding(body, response.encoding)
        if chosen != response.encoding.lower():
            self.crawler.stats.inc_value("yuqing/encoding_fixed")
            return response.replace(encoding=chosen)
        return response


class ConditionalGetMiddleware:
    """ETag / Last-Modified for article pages (meta 'conditional'): a 304 means unchanged, so skip.

    Validators of a 200 are put in ``request.meta['validators']``; the spider
    carries them on the item and the queue pipeline stores them only once the
    item is safely queued, so a page whose item was lost is fetched in full again.
    """

    KEY = f"{keys.PREFIX}:http:validators"

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("YUQING_CONDITIONAL_GET"):
            raise NotConfigured("YUQING_CONDITIONAL_GET is off")
        return cls(crawler)

    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self._redis: redis.Redis | None = None

    def _conn(self) -> redis.Redis | None:
        if self._redis is None:
            from pipeline.connection import connect, resolve_url
            from pipeline.settings import load_settings
            try:
                settings = load_settings()
                self._redis = connect(settings, resolve_url(settings))
            except Exception as exc:  # noqa: BLE001 - without Redis we simply fetch everything
                log.warning("conditional GET off for this run: %s", exc)
                self._redis = False  # type: ignore[assignment]
        return self._redis or None

    def process_request(self, request, spider=None):
        conn = self._conn() if request.meta.get("conditional") else None
        if conn is None:
            return None
        try:
            raw = conn.hget(self.KEY, request.url)
        except redis.RedisError:
            return None
        if raw:
            validators = json.loads(raw)
            if validators.get("etag"):
                request.headers.setdefault(b"If-None-Match", validators["etag"])
            if validators.get("last_modified"):
                request.headers.setdefault(b"If-Modified-Since", validators["last_modified"])
        return None

    def process_response(self, request, response: Response, spider=None) -> Response:
        if not request.meta.get("conditional"):
            return response
        if response.status == 304:
            self.crawler.stats.inc_value("yuqing/not_modified")
            raise IgnoreRequest(f"not modified: {request.url}")
        if response.status == 200:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                request.meta["validators"] = {"url": request.url,
                                              "etag": etag.decode("latin-1") if etag else "",
                                              "last_modified": modified.decode("latin-1") if modified else ""}
        return response


def remember_validators(pipe, validators: dict | None) -> None:
    """Store a page's validators (in a Redis pipeline, beside marking its item seen)."""
    if validators and validators.get("url"):
        pipe.hset(ConditionalGetMiddleware.KEY, validators["url"],
                  json.dumps({"etag": validators.get("etag", ""), "last_modified": validators.get("last_modified", "")}))
