"""`make bench`: measured figures, printed as `bench: NAME=VALUE …` lines.

Each benchmark starts its own embedded Redis in a temporary directory and
real worker processes; nothing here asserts a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

from crawlers.demo.server import load_corpus

from .items import normalise
from .queues import enqueue_items
from .redis_server import EmbeddedRedis, free_port


SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SHARED_FILES = ("gov_messages_with_replies.jsonl", "gov_messages_hot_unlabeled.jsonl")


def corpus() -> str:
    """Which texts the benchmarks use; printed, because figures from the two do not compare."""
    return "shared_messages" if all((SHARED_DATA / f).is_file() for f in SHARED_FILES) else "demo_corpus"


def _rows() -> list[dict]:
    if corpus() == "shared_messages":
        import json
        rows = []
        for name in SHARED_FILES:
            with (SHARED_DATA / name).open(encoding="utf-8") as fh:
                rows += [json.loads(line) for line in fh]
        return rows
    return load_corpus()


def real_texts(n: int, chars: int = 300, start: int = 0) -> list[dict]:
    """n distinct ~300-character items cut from real citizen messages (../shared/data), else the demo corpus.

    Each item is a real title and the next slice of all the messages' text run together, so no two
    items repeat: the tokeniser's per-process cache (meant for the stages of one item) must not turn
    repeated benchmark texts into free work. ``start`` continues where an earlier call stopped.
    """
    rows = [r for r in _rows() if r.get("title") or r.get("text")]
    stream = "。".join(r.get("text", "") for r in rows if r.get("text"))
    span = max(1, len(stream) - chars)
    out = []
    for k in range(start, start + n):
        title = rows[k % len(rows)].get("title", "")[: chars // 3]
        position = k * chars
        offset = (position + (position // span) * 97) % span   # a later lap is shifted, so still distinct
        out.append(normalise({"id": f"c{k}", "title": title, "text": stream[offset: offset + chars - len(title)]}))
    return out


def bench_classify(n: int = 6000) -> dict[str, float]:
    """One process: model load time, then all heads on batches of 256 items (after a warm-up batch)."""
    t0 = time.perf_counter()
    from classifiers.classify import Classifier
    from classifiers.tokenizer import load
    load()
    classifier = Classifier()
    load_s = time.perf_counter() - t0
    items = real_texts(n)
    classifier.classify(items[:256])
    t1 = time.perf_counter()
    for k in range(0, n, 256):
        classifier.classify(items[k:k + 256])
    elapsed = time.perf_counter() - t1
    chars = sum(len(i["title"]) + len(i["text"]) for i in items) / n
    return {"classify_items_per_s": round(n / elapsed), "model_load_s": round(load_s, 2),
            "classify_item_chars": round(chars), "corpus": corpus()}


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    env.update(extra)
    return env


def bench_scrapy(seconds: int = 15) -> dict[str, float]:
    """`scrapy bench` (its own local server) in this run, the ceiling for this machine."""
    out = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
                          "-s", "LOG_LEVEL=INFO"], capture_output=True, text=True, env=_env({}), timeout=300)
    import re
    pages = re.search(r"'response_received_count': (\d+)", out.stderr)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", out.stderr)
    if not (pages and elapsed):
        return {"scrapy_bench_pages_per_s": float("nan")}
    return {"scrapy_bench_pages_per_s": round(int(pages.group(1)) / float(elapsed.group(1)))}


def bench_crawl(copies: int = 120) -> dict[str, float]:
    """The demo portal (list pages → articles, parsing and queueing into Redis), delays off, INFO logs."""
    import re
    with tempfile.TemporaryDirectory(prefix="yuqing-crawl-bench-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        url = server.start()
        port = free_port()
        demo = subprocess.Popen([sys.executable, "-m", "pipeline", "demo", "--port", str(port), "--copies",
                                 str(copies)], env=_env({"YUQING_VAR": tmp}), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            (Path(tmp) / "sources.yaml").write_text(
                "sources:\n  - name: bench-portal\n    kind: portal\n"
                f"    urls: ['http://127.0.0.1:{port}/']\n"
                "    politeness: {concurrent_requests_per_domain: 16}\n"
                "    portal: {link_selector: 'ul.news-list a::attr(href)', next_selector: 'a.next::attr(href)',"
                " max_pages: 100000, article: {title: 'h1.title::text', text: 'div.content p::text',"
                " published_at: 'div.meta::text'}}\n", encoding="utf-8")
            _wait_http(f"http://127.0.0.1:{port}/robots.txt")
            out = subprocess.run([sys.executable, "-m", "pipeline", "crawl", "bench-portal", "--no-delay",
                                  "--log-level", "INFO"], capture_output=True, text=True, timeout=600,
                                 env=_env({"YUQING_VAR": tmp, "REDIS_URL": url}))
        finally:
            demo.terminate()
            demo.wait()
            server.stop()
    m = re.search(r"queued=(\d+).*pages=(\d+).*seconds=([\d.]+)", out.stdout)
    if not m:
        return {"crawl_pages_per_s": float("nan")}
    queued, pages, seconds = int(m.group(1)), int(m.group(2)), float(m.group(3))
    return {"crawl_pages_per_s": round(pages / seconds), "crawl_pages": pages, "crawl_items_queued": queued}


def _wait_http(url: str, timeout: float = 20) -> None:
    import urllib.request
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def bench_pipeline(n: int = 6000, workers: int = 2, offered_per_s: int = 200, offered_s: float = 10.0) -> dict:
    """Real items through a real Redis and two real worker processes, every head on.

    Throughput: n items queued in jobs of ``batch_size`` (the setting's default, 250) with the workers
    already up (models loaded).
    Latency: items offered at ``offered_per_s`` in small batches every 0.1 s; enqueue-to-done per item.
    Reference: plain ``jieba.lcut`` on the same texts in this process.
    """
    import statistics

    import jieba

    from .keys import LATENCY, METRICS

    items = real_texts(n)
    texts = [f"{i['title']}。{i['text']}" for i in items]
    jieba.setLogLevel(60)
    jieba.initialize()
    t0 = time.perf_counter()
    for text in texts:
        jieba.lcut(text)
    reference = n / (time.perf_counter() - t0)

    with tempfile.TemporaryDirectory(prefix="yuqing-pipeline-bench-") as tmp:
        server = EmbeddedRedis(Path(tmp) / "redis")
        url = server.start()
        conn = redis.Redis.from_url(url)
        env = _env({"REDIS_URL": url, "YUQING_VAR": tmp, "YUQING_LOG_LEVEL": "WARNING"})
        procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "worker"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
        try:
            deadline = time.monotonic() + 60
            while conn.scard("rq:workers") < workers and time.monotonic() < deadline:
                time.sleep(0.1)

            def processed() -> int:
                return int(conn.hget(METRICS, "items_processed") or 0)

            from .settings import BY_NAME

            t1 = time.perf_counter()
            enqueue_items(conn, items, batch_size=BY_NAME["batch_size"].default)
            while processed() < n:
                time.sleep(0.02)
            throughput = n / (time.perf_counter() - t1)

            conn.delete(LATENCY)
            offered = real_texts(int(offered_per_s * offered_s), start=n)
            for k, item in enumerate(offered):
                item["id"] = f"lat-{k}"
            step = max(1, offered_per_s // 10)
            start = time.perf_counter()
            for k in range(0, len(offered), step):
                target = start + (k / offered_per_s)
                delay = target - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                enqueue_items(conn, offered[k:k + step], batch_size=step)
            while processed() < n + len(offered):
                time.sleep(0.02)
            samples = sorted(float(x) for x in conn.lrange(LATENCY, 0, -1))
            rss = max(_rss_mb(p.pid) for p in procs)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(30)
            server.stop()
    p95 = samples[int(0.95 * (len(samples) - 1))] if samples else float("nan")
    return {"pipeline_items_per_s": round(throughput), "jieba_reference_items_per_s": round(reference),
            "ratio": round(throughput / (reference * workers), 2),
            "p50_latency_s": round(statistics.median(samples), 3) if samples else float("nan"),
            "p95_latency_s": round(p95, 3), "worker_rss_mb": round(rss), "offered_items_per_s": offered_per_s,
            "corpus": corpus()}


def _print(figures: dict) -> None:
    print("bench: " + " ".join(f"{k}={v}" for k, v in figures.items()), flush=True)


def main() -> None:
    pipeline = bench_pipeline()
    _print(pipeline)
    classify = bench_classify()
    # The same 6,000 texts as the pipeline's plain-jieba reference: the machine's speed cancels out.
    classify["classify_vs_jieba"] = round(classify["classify_items_per_s"] / pipeline["jieba_reference_items_per_s"], 2)
    _print(classify)
    crawl = bench_crawl()
    scrapy_ref = bench_scrapy()
    _print({**crawl, **scrapy_ref,
            "crawl_ratio": round(crawl["crawl_pages_per_s"] / scrapy_ref["scrapy_bench_pages_per_s"], 2)})


if __name__ == "__main__":
    main()
