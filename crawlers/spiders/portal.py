"""List-and-article sites (portals, news sites, message boards).

List pages give article links (CSS/XPath selector and/or URL pattern) and a
next-page link; article fields come from configured selectors, or from
automatic main-text extraction where none are given.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

import scrapy
from parsel import Selector

from ..extract import date_text, main_text
from .base import SourceSpider, selector_values


class PortalSpider(SourceSpider):
    name = "portal"
    kind = "portal"
    default_source = "demo-portal"

    def parse(self, response, page: int = 1, **kwargs: Any) -> Iterator[scrapy.Request]:
        """A list page → article requests (and the next list page).

        @demo_url /
        @returns requests 1
        @returns items 0 0
        """
        conf = self.source.portal
        links = selector_values(response, conf["link_selector"]) if conf.get("link_selector") else \
            response.css("a::attr(href)").getall()
        pattern = re.compile(conf["link_pattern"]) if conf.get("link_pattern") else None
        seen = set()
        for href in links:
            url = response.urljoin(href.strip())
            if url in seen or (pattern and not pattern.search(url)):
                continue
            seen.add(url)
            yield scrapy.Request(url, callback=self.parse_article, meta={"conditional": True})
        if conf.get("next_selector") and page < int(conf.get("max_pages", 1)):
            nxt = selector_values(response, conf["next_selector"])
            if nxt:
                yield scrapy.Request(response.urljoin(nxt[0]), callback=self.parse, cb_kwargs={"page": page + 1})

    def parse_article(self, response, **kwargs: Any) -> Iterator[dict]:
        """An article page → one item.

        @demo_url /news/1.html
        @returns items 1 1
        @scrapes id source url title text fetched_at content_hash
        """
        article = self.source.portal.get("article") or {}
        if article.get("title") or article.get("text"):
            title = " ".join(v.strip() for v in selector_values(response, article["title"])) if article.get("title") else ""
            text = "\n".join(v.strip() for v in selector_values(response, article["text"])) if article.get("text") else ""
        else:
            title, text = main_text(Selector(text=response.text))
        if article.get("published_at"):
            published = " ".join(selector_values(response, article["published_at"]))
        else:
            published = date_text(Selector(text=response.text))
        author = " ".join(selector_values(response, article["author"])) if article.get("author") else None
        item = self.item(url=response.url, title=title, text=text, published_raw=published, author=author)
        if response.meta.get("validators"):
            item["_validators"] = response.meta["validators"]
        yield item
