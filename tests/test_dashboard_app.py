"""Dashboard app (dashboard/app.py), served by Flask's test client against the real Redis."""

from pipeline.redis_server import free_port
from pipeline.settings import load_settings

from dashboard.app import create_app


def test_status_page_shows_redis_and_queues_in_chinese(settings, redis_conn):
    client = create_app(settings).test_client()
    page = client.get("/status").get_data(as_text=True)
    assert "系统状态" in page and "正常" in page and "yuqing-ingest" in page
    assert "没有运行中的处理进程" in page


def test_api_status_and_health(settings):
    client = create_app(settings).test_client()
    data = client.get("/api/status").get_json()
    assert data["redis"]["ok"] is True and data["queues"][0]["name"] == "yuqing-ingest"
    assert client.get("/healthz").status_code == 200


def test_unreachable_redis_gives_503_and_an_explaining_page(tmp_path, clean_env):
    s = load_settings(environ={"REDIS_URL": f"redis://:pw@127.0.0.1:{free_port()}/0"}, cwd=tmp_path)
    client = create_app(s).test_client()
    assert client.get("/healthz").status_code == 503
    page = client.get("/status").get_data(as_text=True)
    assert "不可用" in page and "Redis unreachable" in page and ":pw@" not in page


def test_source_names_are_escaped(settings, redis_conn):
    from pipeline import keys
    redis_conn.sadd(keys.SOURCES, "<script>alert(1)</script>")
    page = create_app(settings).test_client().get("/status").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_secret_key_is_generated_once_with_mode_0600(settings):
    import os
    import stat

    from dashboard.app import secret_key
    first = secret_key(settings)
    path = settings.var_dir / "secret_key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert secret_key(settings) == first and len(first) > 40
    assert secret_key(settings.replace(secret_key="given")) == "given"


def test_times_are_shown_in_beijing_time():
    from dashboard.app import shanghai_time
    assert shanghai_time("2024-05-01T00:00:00+00:00") == "2024-05-01 08:00:00"
    assert shanghai_time(None) == "—" and shanghai_time("bad") == "bad"


def test_prometheus_metrics(settings, redis_conn):
    from pipeline.keys import LATENCY, METRICS
    redis_conn.hset(METRICS, mapping={"items_processed": 200, "seconds_total": 0.5, "seconds_classify": 0.2,
                                      "seconds_events": 0.2, "batches_processed": 2})
    redis_conn.lpush(LATENCY, 0.1, 0.2, 0.3)
    body = create_app(settings).test_client().get("/metrics").get_data(as_text=True)
    assert 'yuqing_queue_depth{queue="yuqing-ingest"} 0' in body
    assert "yuqing_items_processed_total 200" in body and 'yuqing_latency_seconds{quantile="0.5"} 0.2' in body
    assert 'yuqing_stage_seconds_total{stage="classify"} 0.2' in body
