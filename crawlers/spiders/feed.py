"""RSS 2.0 and Atom feeds: one item per entry, text from its description or content."""

from __future__ import annotations

from typing import Any, Iterator

from .base import SourceSpider


class FeedSpider(SourceSpider):
    name = "feed"
    kind = "feed"
    default_source = "demo-rss"

    def parse(self, response, **kwargs: Any) -> Iterator[dict]:
        """An RSS/Atom document → items.

        @demo_url /rss.xml
        @returns items 1
        @returns requests 0 0
        @scrapes id source url title fetched_at content_hash
        """
        response.selector.remove_namespaces()
        entries = response.xpath("//channel/item") or response.xpath("//entry")
        for entry in entries:
            link = entry.xpath("./link/@href").get() or (entry.xpath("./link/text()").get() or "").strip()
            url = response.urljoin(link) if link else ""
            title = entry.xpath("./title/text()").get()
            text = (entry.xpath("./description/text()").get() or entry.xpath("./content/text()").get()
                    or entry.xpath("./summary/text()").get() or "")
            published = (entry.xpath("./pubDate/text()").get() or entry.xpath("./published/text()").get()
                         or entry.xpath("./updated/text()").get())
            guid = (entry.xpath("./guid/text()").get() or entry.xpath("./id/text()").get() or "").strip()
            if not url and not guid:
                self.crawler.stats.inc_value("yuqing/entry_without_link")
                continue
            yield self.item(url=url or guid, title=title, text=text, published_raw=published,
                            author=entry.xpath("./author//text()").get())
