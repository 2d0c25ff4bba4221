"""Scrapy settings of the yuqing crawlers: polite by default, JSON hand-off to Redis.

Used by `yuqing crawl`, by the scheduler and by plain `scrapy crawl` inside
crawlers/. Per-source overrides come from the source's `politeness` entry.
"""

BOT_NAME = "yuqing"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

# Politeness (per-source overrides in sources.yaml)
ROBOTSTXT_OBEY = True
USER_AGENT = "yuqing-monitor/0.1 (政务舆情监测; government information office crawler)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30

# Hostile input: cap sizes, retries and redirects; a bad page is logged and counted, the crawl goes on.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
HTTPERROR_ALLOWED_CODES: list[int] = []
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_INSTALL_ROOT_HANDLER = False  # the CLI already logs to stderr

DOWNLOADER_MIDDLEWARES = {
    "crawlers.middlewares.ConditionalGetMiddleware": 560,
    "crawlers.middlewares.EncodingMiddleware": 580,
}
ITEM_PIPELINES = {
    "crawlers.pipelines.ValidatePipeline": 100,
    "crawlers.pipelines.DedupePipeline": 200,
    "crawlers.pipelines.QueuePipeline": 300,
}
EXTENSIONS = {
    "crawlers.extensions.SourceHealth": 500,
}
SPIDER_CONTRACTS = {
    "crawlers.contracts.DemoUrlContract": 10,
}

# yuqing's own crawler settings
YUQING_BATCH_SIZE = 250          # items per ingest job (the yuqing batch_size setting overrides it)
YUQING_CONDITIONAL_GET = True    # ETag / Last-Modified on article pages
YUQING_FAILURE_ALERT_AFTER = 3   # consecutive failed runs before a source-health alert
YUQING_DISTRIBUTED_IDLE = 10.0   # --distributed: seconds a process with nothing to do waits for the others (Scrapy polls every 5 s)

FEED_EXPORT_ENCODING = "utf-8"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
