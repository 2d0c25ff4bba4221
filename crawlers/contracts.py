"""Spider contracts that point at the offline demo source, wherever it is served.

``@demo_url /rss.xml`` resolves against ``YUQING_DEMO_URL`` (set by the
tests and by `yuqing run`), so `scrapy check` runs offline on loopback.
"""

from __future__ import annotations

import os

from scrapy.contracts import Contract
from scrapy.exceptions import ContractFail


class DemoUrlContract(Contract):
    name = "demo_url"

    def adjust_request_args(self, args: dict) -> dict:
        base = os.environ.get("YUQING_DEMO_URL", "")
        if not base:
            raise ContractFail("YUQING_DEMO_URL is not set: start the demo source (`yuqing demo`) and set it")
        args["url"] = base.rstrip("/") + self.args[0]
        return args
