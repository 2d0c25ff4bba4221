import json

import click

from pipeline import keys
from pipeline.cli import cli
from pipeline.queues import INGEST, queue
from pipeline.redis_server import free_port
from pipeline.worker import build_worker

from support import run_cli


def _walk(group):
    for name, command in group.commands.items():
        yield name, command
        if isinstance(command, click.Group):
            yield from _walk(command)


def test_every_command_and_option_has_help():
    assert cli.help
    for name, command in _walk(cli):
        assert command.help, f"command {name} has no help"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"option {param.name} of {name} has no help"
    for param in cli.params:
        if isinstance(param, click.Option) and param.name not in ("help", "version"):
            assert param.help, param.name


def test_ingest_counts_and_explains_rejections(redis_url, redis_conn):
    lines = "\n".join([
        json.dumps({"id": "a", "title": "标题", "text": "{{ config }}"}, ensure_ascii=False),
        "not json",
        json.dumps({"title": "no id"}),
        "",
        json.dumps({"id": "b", "text": "正文", "published_at": 1700000000}),
    ])
    out = run_cli("ingest", "-", env={"REDIS_URL": redis_url}, input=lines)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "accepted=2 rejected=2"
    assert "line 2: rejected: not valid JSON" in out.stderr and "line 3: rejected: missing 'id'" in out.stderr
    assert queue(INGEST, redis_conn).count == 1


def test_ingest_of_missing_file_is_one_line(redis_url, tmp_path):
    out = run_cli("ingest", str(tmp_path / "none.jsonl"), env={"REDIS_URL": redis_url})
    assert out.returncode == 2
    assert out.stderr.strip().startswith("yuqing: error: cannot read") and "Traceback" not in out.stderr


def test_alerts_and_cases_json(redis_url, redis_conn):
    assert json.loads(run_cli("alerts", "--json", env={"REDIS_URL": redis_url}).stdout) == []
    assert json.loads(run_cli("cases", "--json", env={"REDIS_URL": redis_url}).stdout) == []
    alert = {"id": "al-1", "event_id": "ev-1", "title": "<b>标题</b>", "concern": "突发事件与灾害",
             "level": "重大", "reasons": ["incident level 重大"], "created_at": "2024-05-01T08:00:00+08:00", "items": 3}
    redis_conn.set(keys.alert("al-1"), json.dumps(alert, ensure_ascii=False))
    redis_conn.zadd(keys.ALERTS_OPEN, {"al-1": 1714521600})
    assert json.loads(run_cli("alerts", "--json", env={"REDIS_URL": redis_url}).stdout) == [alert]
    assert "<b>标题</b>" in run_cli("alerts", env={"REDIS_URL": redis_url}).stdout


def test_unreachable_redis_is_one_line_and_exit_2(tmp_path):
    out = run_cli("status", env={"REDIS_URL": f"redis://:pw@127.0.0.1:{free_port()}/0"})
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "Redis unreachable at redis://:********@" in out.stderr
    assert "Traceback" not in out.stderr


def test_no_embedded_redis_running_says_to_start_it(tmp_path):
    out = run_cli("status", env={"YUQING_VAR": str(tmp_path / "var")})
    assert out.returncode == 2 and "start the system with `yuqing run`" in out.stderr


def test_bad_settings_file_is_one_line(tmp_path):
    (tmp_path / "yuqing.yaml").write_text("wrokers: 2\n", encoding="utf-8")
    out = run_cli("settings", cwd=tmp_path)
    assert out.returncode == 2
    assert "unknown setting 'wrokers'" in out.stderr and "did you mean 'workers'" in out.stderr


def test_settings_shows_origins_and_masks_secrets(tmp_path):
    out = run_cli("settings", env={"YUQING_SECRET_KEY": "hunter2", "YUQING_WORKERS": "3",
                                   "REDIS_URL": "redis://:pw@127.0.0.1:1/0"}, cwd=tmp_path)
    assert out.returncode == 0
    assert "hunter2" not in out.stdout and ":pw@" not in out.stdout
    assert "environment YUQING_WORKERS" in out.stdout
    assert run_cli("settings", "--markdown", cwd=tmp_path).stdout.startswith("| setting |")


def test_requeue_moves_failed_jobs_back(redis_url, redis_conn):
    q = queue(INGEST, redis_conn)
    q.enqueue("pipeline.jobs.ingest_batch", [{"title": "no id"}])
    build_worker(redis_conn).work(burst=True)
    assert q.failed_job_registry.count == 1
    out = run_cli("requeue", "--all", env={"REDIS_URL": redis_url})
    assert out.stdout.strip() == "requeued=1"
    assert q.count == 1 and q.failed_job_registry.count == 0
    assert run_cli("requeue", env={"REDIS_URL": redis_url}).returncode == 2


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("yuqing ")
    out = run_cli("--help").stdout
    for name in ("run", "worker", "ingest", "alerts", "cases", "status", "settings"):
        assert name in out
