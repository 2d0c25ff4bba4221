from pipeline import keys
from pipeline.scheduler import Scheduler, Task


class Clock:
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


def test_tasks_run_once_per_interval(redis_conn):
    calls = []
    clock = Clock()
    sched = Scheduler(redis_conn, [Task("a", 60, lambda c: calls.append("a")),
                                   Task("b", 10, lambda c: calls.append("b"))], clock=clock)
    assert sched.run_pending() == ["a", "b"]
    clock.now += 11
    assert sched.run_pending() == ["b"]
    clock.now += 50
    assert sched.run_pending() == ["a", "b"]
    assert float(redis_conn.get(keys.SCHEDULER_HEARTBEAT)) == clock.now


def test_restart_does_not_rerun_what_just_ran(redis_conn):
    clock = Clock()
    calls = []
    Scheduler(redis_conn, [Task("a", 60, lambda c: calls.append(1))], clock=clock, owner="x").run_pending()
    redis_conn.delete(keys.SCHEDULER_LOCK)
    assert Scheduler(redis_conn, [Task("a", 60, lambda c: calls.append(1))], clock=clock, owner="y").run_pending() == []
    assert calls == [1]


def test_only_one_scheduler_holds_the_lock(redis_conn):
    tasks = [Task("a", 1, lambda c: None)]
    first = Scheduler(redis_conn, tasks, clock=Clock(), owner="one")
    second = Scheduler(redis_conn, tasks, clock=Clock(5e6), owner="two")
    assert first.run_pending() == ["a"]
    assert second.run_pending() == []


def test_a_failing_task_does_not_stop_the_others(redis_conn):
    def boom(_):
        raise ValueError("broken source")
    calls = []
    sched = Scheduler(redis_conn, [Task("bad", 1, boom), Task("good", 1, lambda c: calls.append(1))], clock=Clock())
    assert sched.run_pending() == ["bad", "good"]
    assert calls == [1]



def test_crawl_tasks_launch_once_and_respect_backpressure(redis_conn, tmp_path, settings):
    from pipeline.items import normalise
    from pipeline.queues import enqueue_items
    from pipeline.scheduler import CrawlLauncher, crawl_tasks

    (settings.var_dir).mkdir(parents=True, exist_ok=True)
    (settings.var_dir / "sources.yaml").write_text(
        "sources:\n  - {name: s1, kind: feed, urls: ['http://127.0.0.1:1/rss.xml'], interval: 30}\n", encoding="utf-8")
    launcher = CrawlLauncher(settings, max_queue_jobs=1)
    tasks = crawl_tasks(settings, launcher)
    assert [(t.name, t.interval) for t in tasks] == [("crawl:s1", 30.0)]
    clock = Clock()
    sched = Scheduler(redis_conn, tasks, clock=clock)
    enqueue_items(redis_conn, [normalise({"id": str(i), "title": "t"}) for i in range(2)], batch_size=1)
    assert sched.run_pending() == []            # two jobs waiting > bound 1: deferred, not marked as run
    redis_conn.delete("rq:queue:yuqing-ingest")
    try:
        assert sched.run_pending() == ["crawl:s1"]
        proc = launcher.running["s1"]
        clock.now += 31
        assert tasks[0].run(redis_conn) in ("still running", "started")
        proc.wait(120)
        assert (settings.var_dir / "log" / "crawl-s1.log").is_file()
    finally:
        launcher.stop()
