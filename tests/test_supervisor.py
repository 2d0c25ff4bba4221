"""`yuqing run` as a real process: embedded Redis, workers, scheduler, dashboard, demo; clean stops."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta

import pytest

from pipeline.errors import StartupError
from pipeline.redis_server import EmbeddedRedis
from pipeline.settings import load_settings
from pipeline.supervisor import Supervisor

from support import ROOT, YUQING, run_cli, wait_for


def _descendants(pid: int) -> set[int]:
    """Every live process whose ancestry leads to pid (via /proc), plus processes sharing our var dir."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Run:
    def __init__(self, tmp_path, *extra):
        env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
        env.update(YUQING_VAR=str(tmp_path / "var"), PYTHONUNBUFFERED="1")
        self.env = env
        self.proc = subprocess.Popen(YUQING + ["run", "--port", "0", "--workers", "2", *extra], env=env,
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []

    def read_until(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise AssertionError("yuqing run ended early:\n" + "".join(self.lines))
            self.lines.append(line)
            m = re.search(pattern, line)
            if m:
                return m
        raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(self.lines))


@pytest.fixture
def running(tmp_path, request):
    run = Run(tmp_path, *getattr(request, "param", ()))
    yield run
    if run.proc.poll() is None:
        run.proc.kill()
        run.proc.wait()


def _status(run) -> dict:
    out = run_cli("status", "--json", env={"YUQING_VAR": run.env["YUQING_VAR"]})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_run_starts_everything_and_stops_cleanly(running, stop_signal):
    url = running.read_until(r"Dashboard 仪表盘: (http://\S+)").group(1)
    wait_for(lambda: len(_status(running)["workers"]) == 2, what="two workers registered")
    report = _status(running)
    assert report["redis"]["ok"] and report["redis"]["mode"] == "embedded"
    assert report["queues"][0]["name"] == "yuqing-ingest"
    assert wait_for(lambda: _status(running)["scheduler"], what="scheduler heartbeat")
    with urllib.request.urlopen(url, timeout=10) as resp:        # people are asked to sign in first
        assert "登录" in resp.read().decode("utf-8") and resp.url.startswith(url + "login")
    with urllib.request.urlopen(url + "status", timeout=10) as resp:
        assert "系统状态" in resp.read().decode("utf-8")
    tree = _descendants(running.proc.pid)
    assert len(tree) >= 6  # redis, 2 workers, scheduler, dashboard, demo
    running.proc.send_signal(stop_signal)
    assert running.proc.wait(60) == 0
    wait_for(lambda: not any(_alive(p) for p in tree), timeout=20, what="every child gone")


@pytest.mark.parametrize("running", [("--no-demo",)], indirect=True)
def test_ingest_reaches_workers_and_data_survives_a_supervisor_crash(running, tmp_path):
    running.read_until(r"Dashboard 仪表盘")
    env = {"YUQING_VAR": running.env["YUQING_VAR"]}
    out = run_cli("ingest", "-", env=env, input='{"id": "x1", "title": "某县发生山体滑坡", "text": "正文"}\n')
    assert out.stdout.strip() == "accepted=1 rejected=0"
    wait_for(lambda: _status(running)["items"] == 1, what="item stored by a worker")
    time.sleep(1.2)  # AOF everysec
    tree = _descendants(running.proc.pid)
    running.proc.kill()  # a crash: no chance to stop children itself
    running.proc.wait()
    wait_for(lambda: not any(_alive(p) for p in tree), timeout=20, what="children die with the supervisor")
    again = Run(tmp_path, "--no-demo")
    try:
        again.read_until(r"Dashboard 仪表盘")
        assert _status(again)["items"] == 1
    finally:
        again.proc.send_signal(signal.SIGTERM)
        again.proc.wait(60)


def test_taken_port_is_refused_before_anything_starts(tmp_path, clean_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        s = load_settings(environ={"YUQING_VAR": str(tmp_path / "var")}, cwd=tmp_path).replace(port=port)
        sup = Supervisor(s, say=lambda line: None)
        with pytest.raises(StartupError, match=f"port {port} on 127.0.0.1 for the dashboard is already in use"):
            sup.start()
    assert EmbeddedRedis(tmp_path / "var" / "redis").running_url() is None


def test_external_redis_url_is_used_and_not_stopped(tmp_path, redis_url, redis_conn, clean_env):
    s = load_settings(environ={"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")},
                      cwd=tmp_path).replace(port=0, workers=1, demo=False)
    lines: list[str] = []
    sup = Supervisor(s, say=lines.append)
    sup.start()
    try:
        assert sup.redis is None and any("Redis (external)" in ln for ln in lines)
        wait_for(lambda: len(redis_conn.smembers("rq:workers")) == 1, what="worker on the external Redis")
    finally:
        sup.stop()
    assert redis_conn.ping()  # the supervisor leaves a Redis it did not start alone


def test_dead_child_is_restarted(tmp_path, redis_url, redis_conn, clean_env):
    s = load_settings(environ={"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")},
                      cwd=tmp_path).replace(port=0, workers=1, demo=False)
    sup = Supervisor(s, say=lambda line: None)
    sup.start()
    try:
        worker = sup.children[0]
        first_pid = worker.proc.pid
        worker.proc.kill()
        worker.proc.wait()

        def restarted():
            sup.check_children()
            return worker.proc.pid != first_pid and worker.proc.poll() is None
        wait_for(restarted, timeout=10, what="worker restarted")
    finally:
        sup.stop()


def test_run_crawls_the_demo_source_into_the_store(running):
    """The scheduler crawls the demo source and the workers store what it found."""
    running.read_until(r"Dashboard 仪表盘")
    wait_for(lambda: _status(running)["items"] >= 8, timeout=90, what="demo items stored")
    sources = {s["name"] for s in _status(running)["sources"]}
    assert sources == {"demo-portal", "demo-board", "demo-rss", "demo-weibo"}
    running.proc.send_signal(signal.SIGTERM)
    assert running.proc.wait(60) == 0


def _real_major_accident() -> dict:
    """A real CEC accident report stating ≥ 10 deaths that the shipped models grade 重大 or worse."""
    from classifiers.classify import Classifier

    rows = [json.loads(line) for line in (ROOT.parent / "shared" / "data" / "cec_incidents_train.jsonl")
            .read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if re.search(r"\d+人死亡", r["text"])]
    results = Classifier().classify([{"id": r["id"], "title": r.get("title") or "", "text": r["text"]} for r in rows])
    for row, result in zip(rows, results):
        incident = result["incident"]
        if (incident["deaths"] or 0) >= 10 and result["triggers_response"] and result["region"]["place"]:
            return row
    raise AssertionError("no real accident report with ≥ 10 deaths in shared/data")


@pytest.mark.parametrize("running", [("--no-demo",)], indirect=True)
def test_a_real_accident_report_opens_its_case_within_a_minute(running):
    row = _real_major_accident()
    running.read_until(r"http://127\.0\.0\.1:\d+")
    env = {"YUQING_VAR": running.env["YUQING_VAR"]}
    item = {"id": row["id"], "title": row.get("title") or "", "text": row["text"], "source": "news"}
    started = time.monotonic()
    out = run_cli("ingest", "-", env=env, input=json.dumps(item, ensure_ascii=False) + "\n")
    assert out.stdout.strip() == "accepted=1 rejected=0", out.stderr

    def opened():
        listed = json.loads(run_cli("cases", "--json", env=env).stdout)
        return listed[0] if listed else None

    case = wait_for(opened, timeout=60, what="a case opened")
    assert time.monotonic() - started < 60
    t0 = datetime.fromisoformat(case["t0"])
    assert datetime.fromisoformat(case["deadlines"]["release"]) == t0 + timedelta(hours=5)
    full = json.loads(run_cli("case", "show", case["id"], "--json", env=env).stdout)
    draft = case["draft"]
    assert {"事故灾难": "安全事故的情况通报", "自然灾害": "自然灾害灾情的情况通报", "公共卫生事件": "突发公共卫生事件的情况通报",
            "社会安全事件": "警情通报"}[case["type"]] in draft
    assert full["region"]["place"] in draft
    assert f"{full['facts']['deaths']}人死亡" in draft and full["facts"]["deaths"] >= 10
