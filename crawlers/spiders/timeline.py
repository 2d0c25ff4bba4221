"""JSON timelines of social posts (Weibo-like): a field mapping per source."""

from __future__ import annotations

import json
from typing import Any, Iterator

from .base import SourceSpider


def dig(data: Any, path: str | None) -> Any:
    """``a.b.0.c`` → data["a"]["b"][0]["c"]; None when any step is missing."""
    if not path:
        return None
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class TimelineSpider(SourceSpider):
    name = "timeline"
    kind = "timeline"
    default_source = "demo-weibo"

    def parse(self, response, **kwargs: Any) -> Iterator[dict]:
        """A JSON timeline → one item per post.

        @demo_url /api/timeline.json
        @returns items 1
        @scrapes id source url text fetched_at content_hash engagement
        """
        conf = self.source.timeline
        try:
            data = json.loads(response.text)
        except ValueError:
            self.crawler.stats.inc_value("yuqing/invalid_json")
            self.logger.warning("%s: %s is not JSON; skipped", self.source.name, response.url)
            return
        posts = dig(data, conf.get("items")) if conf.get("items") else data
        if not isinstance(posts, list):
            self.crawler.stats.inc_value("yuqing/invalid_json")
            self.logger.warning("%s: no list at '%s' in %s", self.source.name, conf.get("items"), response.url)
            return
        for post in posts:
            if not isinstance(post, dict):
                continue
            native = dig(post, conf.get("id"))
            url = dig(post, conf.get("url")) or (f"{response.url}#{native}" if native is not None else response.url)
            yield self.item(
                url=str(url), item_id=f"{self.source.name}-{native}" if native is not None else None,
                title=dig(post, conf.get("title")), text=dig(post, conf.get("text")),
                author=dig(post, conf.get("author")), published_raw=dig(post, conf.get("published_at")),
                engagement={k: dig(post, conf.get(k)) for k in ("reposts", "comments", "likes")})
