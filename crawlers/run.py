"""Running crawls: one process, one Twisted reactor, any number of sources at once.

`yuqing crawl SOURCE|--all` and the scheduler (which starts `yuqing crawl`
as a subprocess per due source) both end here.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from . import settings as crawler_settings
from .sources import Source
from .spiders.feed import FeedSpider
from .spiders.portal import PortalSpider
from .spiders.timeline import TimelineSpider

SPIDERS = {"feed": FeedSpider, "portal": PortalSpider, "timeline": TimelineSpider}


def spider_for(source: Source) -> type:
    """A subclass per source, so that its politeness overrides become its custom settings."""
    base = SPIDERS[source.kind]
    return type(f"{base.__name__}_{source.name.replace('-', '_')}", (base,),
                {"name": source.name, "custom_settings": source.scrapy_settings()})


def project_settings(overrides: dict[str, Any] | None = None) -> Settings:
    settings = Settings()
    settings.setmodule(crawler_settings, priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def crawl(sources: list[Source], overrides: dict[str, Any] | None = None) -> dict[str, dict]:
    """Crawl the sources to completion; returns each source's final Scrapy stats."""
    settings = project_settings(overrides)
    process = CrawlerProcess(settings)
    crawlers = {}
    for source in sources:
        crawler = process.create_crawler(spider_for(source))
        crawlers[source.name] = crawler
        process.crawl(crawler, source=source)
    process.start()
    return {name: crawler.stats.get_stats() for name, crawler in crawlers.items()}
