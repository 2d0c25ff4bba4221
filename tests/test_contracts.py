"""`scrapy check` inside crawlers/: every spider's contracts hold against the demo source."""

import os
import subprocess
import sys

from crawlers.demo.server import DemoSite, load_corpus, serve_in_thread

from support import ROOT


def test_spider_contracts_hold(tmp_path):
    server, _ = serve_in_thread(0, DemoSite(load_corpus(), initial=len(load_corpus()), release_every=0))
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
        env.update(YUQING_DEMO_URL=f"http://127.0.0.1:{server.server_address[1]}", YUQING_VAR=str(tmp_path),
                   REDIS_URL="redis://127.0.0.1:1/0")
        out = subprocess.run([sys.executable, "-m", "scrapy", "check"], cwd=ROOT / "crawlers", env=env,
                             capture_output=True, text=True, timeout=120)
    finally:
        server.shutdown()
    assert out.returncode == 0, out.stderr[-3000:]
    assert "Ran 9 contracts" in out.stderr and out.stderr.rstrip().endswith("OK")


def test_scrapy_list_inside_crawlers():
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT / "crawlers", capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.split() == ["feed", "portal", "timeline"]
