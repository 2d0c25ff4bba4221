"""Long work from the dashboard: training and import as jobs on the ops queue, followed by a progress page."""

import io
import json
from itertools import islice

from classifiers import registry
from pipeline import keys
from pipeline.worker import run_worker

from dashboard_support import make_users, signed_in
from support import ROOT


def _ops(settings, redis_conn, clean_env):
    make_users(redis_conn)
    clean_env.setenv("YUQING_VAR", str(settings.var_dir))     # what the worker's jobs read
    clean_env.setenv("REDIS_URL", settings.redis_url)
    return signed_in(settings, "运维小赵")


def test_training_from_the_console_registers_a_version_and_reports_progress(settings, redis_conn, clean_env, tmp_path):
    ops = _ops(settings, redis_conn, clean_env)
    data = tmp_path / "rumor.jsonl"
    with open(ROOT.parent / "shared" / "data" / "weibo_rumor_train.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in islice(fh, 0, 4000, 40)]   # a small spread of real rows
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    refused = ops.post("/console/train", data={"csrf_token": ops.csrf, "head": "rumor", "data": "/nope.jsonl"},
                       follow_redirects=True)
    assert "未开始" in refused.get_data(as_text=True)
    started = ops.post("/console/train", data={"csrf_token": ops.csrf, "head": "rumor", "data": str(data)})
    job_id = started.headers["Location"].rsplit("/", 1)[1]
    assert ops.get(f"/api/tasks/{job_id}").get_json()["status"] == "queued"
    assert "任务进度" in ops.get(f"/tasks/{job_id}").get_data(as_text=True)
    run_worker(redis_conn, burst=True, log_level="WARNING")
    task = ops.get(f"/api/tasks/{job_id}").get_json()
    assert task["status"] == "finished" and task["percent"] == 100 and task["progress"]["step"] == "完成"
    version = task["result"]["version"]
    assert (settings.var_dir / "models" / "rumor" / version / registry.MANIFEST).is_file()
    assert version in ops.get("/console").get_data(as_text=True)
    assert registry.resolve("rumor", settings.var_dir) == registry.shipped_dir("rumor")   # not promoted by itself


def test_an_upload_is_imported_through_the_workers(settings, redis_conn, clean_env):
    ops = _ops(settings, redis_conn, clean_env)
    csv = "标题,内容,时间\n路灯不亮,夜间出行不便,2024-06-01 10:00\n<script>x</script>,{{ config }},2024-06-01 11:00\n".encode("gbk")
    started = ops.post("/console/import", data={"csrf_token": ops.csrf, "source": "hotline-12345",
                                                "file": (io.BytesIO(csv), "12345.csv")},
                       content_type="multipart/form-data")
    job_id = started.headers["Location"].rsplit("/", 1)[1]
    run_worker(redis_conn, burst=True, log_level="WARNING")
    task = ops.get(f"/api/tasks/{job_id}").get_json()
    assert task["status"] == "finished" and task["result"]["accepted"] == 2
    assert redis_conn.zcard(keys.source_timeline("hotline-12345")) == 2
    bad = ops.post("/console/import", data={"csrf_token": ops.csrf, "source": "a b",
                                            "file": (io.BytesIO(csv), "x.csv")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert "未开始" in bad.get_data(as_text=True)
    assert signed_in(settings, "王主任").post("/console/train", data={"csrf_token": "x"}).status_code in (400, 403)
