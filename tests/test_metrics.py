from pipeline.keys import LATENCY, METRICS
from pipeline.metrics import pipeline_figures, prometheus


def test_figures_from_counters(redis_conn):
    assert pipeline_figures(redis_conn)["items_processed"] == 0
    redis_conn.hset(METRICS, mapping={"items_processed": 100, "seconds_total": 0.1})
    redis_conn.lpush(LATENCY, *[i / 100 for i in range(100)])
    figures = pipeline_figures(redis_conn)
    assert figures["seconds_per_item"]["total"] == 0.001
    assert figures["latency_p50_s"] == 0.495 and figures["latency_p95_s"] == 0.94


def test_label_values_are_escaped():
    text = prometheus({"redis": {"ok": True}, "queues": [], "workers": [], "sources": [{"name": 'a"b\\c', "consecutive_failures": 1}]})
    assert 'yuqing_source_consecutive_failures{source="a\\"b\\\\c"} 1' in text
