"""What every source spider shares: its Source, the fetch time, and the item builder."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, AsyncIterator

import scrapy

from pipeline.settings import load_settings

from .. import sources
from ..items import make_item


def selector_values(response_or_node, selector: str) -> list[str]:
    """CSS unless the selector looks like XPath (starts with / or ( )."""
    if selector.startswith(("/", "(")):
        return response_or_node.xpath(selector).getall()
    return response_or_node.css(selector).getall()


class SourceSpider(scrapy.Spider):
    kind = ""
    default_source = ""

    def __init__(self, source: sources.Source | str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(source, sources.Source):
            settings = load_settings()
            configured = sources.load(settings.var_dir, settings.sources_file, settings.demo_url)
            source = sources.by_name(configured, source or self.default_source)
        if source.kind != self.kind:
            raise ValueError(f"source {source.name} is a {source.kind}, not a {self.kind}")
        self.source = source
        self.fetched_at = datetime.now(timezone.utc)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.urls:
            yield scrapy.Request(url, callback=self.parse)

    def item(self, **fields: Any) -> dict[str, Any]:
        return make_item(source=self.source.name, kind=self.source.kind, fetched_at=self.fetched_at,
                         owner_unit=self.source.owner_unit, region=self.source.region, **fields)
