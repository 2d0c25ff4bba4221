"""`yuqing`: the one command-line entry point.

Errors meant for people (StartupError, InputError) become one line and exit
status 2 here, at the edge; an unexpected exception becomes one line and
status 1 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

import click
import redis

from .connection import connect, resolve_url
from .errors import InputError, StartupError
from .settings import REGISTRY, Settings, load_settings, markdown_table


class YuqingGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, click.ClickException):
            raise
        except (StartupError, InputError) as exc:
            click.echo(f"yuqing: error: {exc}", err=True)
            ctx.exit(2)
        except redis.RedisError as exc:
            click.echo(f"yuqing: error: Redis: {exc}; check `yuqing status`", err=True)
            ctx.exit(2)
        except Exception as exc:  # noqa: BLE001 - the CLI edge
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"yuqing: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
                       err=True)
            ctx.exit(1)


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    obj = ctx.find_root().obj
    if "settings" not in obj:
        base = load_settings(obj.get("config"))
        obj["settings"] = base.replace(var=obj.get("var"), log_level=obj.get("log_level"))
        logging.basicConfig(level=obj["settings"].log_level,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return obj["settings"].replace(**overrides)


def redis_of(ctx: click.Context) -> redis.Redis:
    settings = settings_of(ctx)
    return connect(settings, resolve_url(settings))


@click.group(cls=YuqingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", type=click.Path(dir_okay=False), envvar="YUQING_CONFIG",
              help="Settings file (YAML). Default: ./yuqing.yaml when it exists.")
@click.option("--var", type=click.Path(file_okay=False), default=None,
              help="Directory for everything the system keeps (overrides YUQING_VAR).")
@click.option("--log-level", type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"]), default=None,
              help="Logging level (overrides YUQING_LOG_LEVEL).")
@click.option("--debug", is_flag=True, help="Show full tracebacks of internal errors.")
@click.version_option(package_name="yuqing", message="yuqing %(version)s")
@click.pass_context
def cli(ctx: click.Context, config: str | None, var: str | None, log_level: str | None, debug: bool) -> None:
    """政务舆情 monitoring and response: crawl, classify, alert, and answer within five hours."""
    ctx.ensure_object(dict)
    ctx.obj.update(config=config, var=var, log_level=log_level, debug=debug)


# -- the running system ------------------------------------------------------

@cli.command()
@click.option("--port", type=int, default=None, help="Dashboard port (overrides YUQING_PORT); 0 picks a free one.")
@click.option("--workers", type=int, default=None, help="Worker processes; 0 means one per core.")
@click.option("--no-demo", is_flag=True, help="Do not serve the offline demo source.")
@click.pass_context
def run(ctx: click.Context, port: int | None, workers: int | None, no_demo: bool) -> None:
    """Start the whole system in the foreground until Ctrl-C or SIGTERM."""
    from .supervisor import Supervisor

    settings = settings_of(ctx, port=port, workers=workers, demo=False if no_demo else None)
    Supervisor(settings, say=lambda line: click.echo(line)).run_forever()


@cli.command()
@click.option("--burst", is_flag=True, help="Exit when the queues are empty instead of waiting for work.")
@click.option("--queue", "queue_names", multiple=True,
              help="Queue to work on (repeatable). Default: all of the product's queues.")
@click.pass_context
def worker(ctx: click.Context, burst: bool, queue_names: tuple[str, ...]) -> None:
    """Run one worker process (SimpleWorker, JSON serializer)."""
    from .queues import ALL_QUEUES
    from .worker import run_worker

    settings = settings_of(ctx)
    run_worker(redis_of(ctx), queue_names or ALL_QUEUES, burst=burst, log_level=settings.log_level)


@cli.command()
@click.option("--once", is_flag=True, help="Run one pass of due tasks and exit.")
@click.pass_context
def scheduler(ctx: click.Context, once: bool) -> None:
    """Run the scheduler: periodic crawls and maintenance."""
    import signal
    import threading

    from .scheduler import CrawlLauncher, Scheduler, crawl_tasks, default_tasks

    settings = settings_of(ctx)
    launcher = CrawlLauncher(settings, settings.max_queue_jobs)
    from .archive import archive_old
    from .scheduler import Task

    from responders.tasks import ResponsePass

    archive = Task("archive", 3600.0, lambda conn: archive_old(conn, settings.var_dir, settings.retention_days))
    respond = Task("respond", min(5.0, settings.scheduler_tick), ResponsePass(settings))
    sched = Scheduler(redis_of(ctx), default_tasks() + [archive, respond] + crawl_tasks(settings, launcher))
    if once:
        click.echo("ran: " + (", ".join(sched.run_pending()) or "nothing due"))
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        sched.run_forever(settings.scheduler_tick, stop)
    finally:
        launcher.stop()


@cli.command()
@click.option("--port", type=int, default=None, help="Port to serve on (overrides YUQING_PORT).")
@click.pass_context
def dashboard(ctx: click.Context, port: int | None) -> None:
    """Serve the web dashboard alone (`yuqing run` starts it for you)."""
    from dashboard.app import serve

    settings = settings_of(ctx, port=port)
    serve(settings, settings.port)


@cli.command()
@click.option("--port", type=int, default=None, help="Port to serve on (overrides YUQING_DEMO_PORT).")
@click.option("--release-every", type=float, default=20.0, show_default=True,
              help="Seconds between newly appearing demo items.")
@click.option("--copies", type=int, default=1, show_default=True,
              help="Repeat the corpus this many times, all published at once (benchmarks).")
@click.pass_context
def demo(ctx: click.Context, port: int | None, release_every: float, copies: int) -> None:
    """Serve the offline demo source on loopback (`yuqing run` starts it for you)."""
    import signal

    from crawlers.demo.server import DemoSite, load_corpus, make_server

    settings = settings_of(ctx, demo_port=port)
    rows = load_corpus() * max(1, copies)
    site = DemoSite(rows, release_every=release_every) if copies <= 1 else DemoSite(rows, initial=len(rows),
                                                                                      release_every=0)
    server = make_server(settings.demo_port, site=site)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    click.echo(f"demo source on http://127.0.0.1:{server.server_address[1]}/")
    server.serve_forever()


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "crawl_all", is_flag=True, help="Crawl every configured source.")
@click.option("--no-delay", is_flag=True, help="Politeness delays and AutoThrottle off (local testing, benchmarks).")
@click.option("--log-level", "scrapy_log", default=None, help="Scrapy log level for this crawl (default INFO).")
@click.option("--distributed", "run_id", default=None, metavar="RUN_ID",
              help="Share this crawl with every process started with the same RUN_ID (Redis-backed scheduler).")
@click.pass_context
def crawl(ctx: click.Context, names: tuple[str, ...], crawl_all: bool, no_delay: bool, scrapy_log: str | None,
          run_id: str | None) -> None:
    """Crawl sources (by name, or --all) into the ingest queue, then print each source's counts."""
    from crawlers import sources as source_config
    from crawlers.run import crawl as run_crawl

    settings = settings_of(ctx)
    configured = source_config.load(settings.var_dir, settings.sources_file, settings.demo_url)
    if crawl_all == bool(names):
        raise click.UsageError("name sources to crawl, or give --all")
    chosen = configured if crawl_all else [source_config.by_name(configured, n) for n in names]
    if not chosen:
        raise StartupError("no sources are configured (add <var>/sources.yaml, or run with the demo source)")
    overrides = {"LOG_LEVEL": scrapy_log or settings.log_level, "YUQING_BATCH_SIZE": settings.batch_size}
    logging.getLogger("scrapy").setLevel(overrides["LOG_LEVEL"].upper())
    if no_delay:
        overrides.update(DOWNLOAD_DELAY=0, AUTOTHROTTLE_ENABLED=False, DOWNLOAD_DELAY_JITTER=0)
    if run_id:
        # Few requests in hand per process, so the shared queue stays in Redis for the others to take.
        overrides.update(SCHEDULER="crawlers.distributed.RedisScheduler", YUQING_RUN_ID=run_id, CONCURRENT_REQUESTS=4)
    stats = run_crawl(chosen, overrides)
    for name, s in stats.items():
        click.echo(f"{name}: queued={s.get('yuqing/items_queued', 0)} spooled={s.get('yuqing/items_spooled', 0)} "
                   f"unchanged={s.get('yuqing/unchanged', 0)} dropped={s.get('item_dropped_count', 0) - s.get('yuqing/unchanged', 0)} "
                   f"pages={s.get('response_received_count', 0)} errors={s.get('log_count/ERROR', 0)} "
                   f"seconds={s.get('elapsed_time_seconds', 0):.2f}")


@cli.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--source", required=True, help="Name these items are filed under (e.g. 12345, leader-mailbox).")
@click.pass_context
def import_(ctx: click.Context, path: str, source: str) -> None:
    """Import a message-board or hotline export (CSV, XLSX or JSON Lines) into the ingest queue."""
    from crawlers.handoff import Handoff
    from crawlers.importer import import_file

    settings = settings_of(ctx)
    if not source.replace("-", "").replace("_", "").isalnum():
        raise click.UsageError("--source takes letters, digits, - and _")
    counts = import_file(Path(path), source, Handoff(settings, settings.batch_size), settings.batch_size)
    click.echo(" ".join(f"{k}={counts[k]}" for k in ("accepted", "rejected", "unchanged", "queued", "spooled")))


def _open_input(path: str) -> TextIO:
    if path == "-":
        return sys.stdin
    try:
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None


@cli.command()
@click.argument("path", default="-")
@click.pass_context
def ingest(ctx: click.Context, path: str) -> None:
    """Put items from JSON Lines (PATH or - for stdin) on the ingest queue."""
    from .items import parse_line
    from .queues import enqueue_items

    settings = settings_of(ctx)
    connection = redis_of(ctx)
    accepted: list[dict] = []
    rejected = 0
    with _open_input(path) as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                accepted.append(parse_line(line))
            except InputError as exc:
                rejected += 1
                click.echo(f"line {number}: rejected: {exc}", err=True)
    enqueue_items(connection, accepted, batch_size=settings.batch_size, job_timeout=settings.job_timeout)
    click.echo(f"accepted={len(accepted)} rejected={rejected}")


def _records(connection: redis.Redis, index: str, key_of) -> list[dict]:
    ids = [i.decode() for i in connection.zrevrange(index, 0, -1)]
    if not ids:
        return []
    raw = connection.mget([key_of(i) for i in ids])
    return [json.loads(r) for r in raw if r is not None]


CASE_FIELDS = ("id", "event_id", "title", "type", "level", "t0", "deadlines", "status", "unit", "first_release_at",
               "overdue", "draft")


def model_versions(settings: Settings) -> list[dict[str, str]]:
    """The version of each head in use (promoted, else shipped), read from manifests only."""
    from classifiers import registry
    from classifiers.classify import HEADS

    out = []
    for head in HEADS:
        try:
            directory = registry.resolve(head, settings.var_dir)
            manifest = json.loads((directory / registry.MANIFEST).read_text(encoding="utf-8"))
            out.append({"head": head, "version": manifest["version"]})
        except (StartupError, OSError, ValueError, KeyError):
            out.append({"head": head, "version": "missing"})
    return out


def _print_records(index: str, key_of, as_json: bool, empty: str, line) -> None:
    rows = _records(redis_of(click.get_current_context()), index, key_of)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    if not rows:
        click.echo(empty)
    for row in rows:
        click.echo(line(row))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (the contract's format).")
def alerts(as_json: bool) -> None:
    """List open alerts, newest first."""
    from . import keys

    _print_records(keys.ALERTS_OPEN, keys.alert, as_json, "没有未处理的预警 (no open alerts)",
                   lambda a: f"{a['created_at']}  [{a.get('level') or '-'}] {a.get('concern', '')}  {a['title']}  "
                             f"({a.get('items', 0)} items)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array (the contract's format).")
@click.option("--all", "all_kinds", is_flag=True, help="Also list 48-hour response cases (回应关切, 辟谣).")
def cases(as_json: bool, all_kinds: bool) -> None:
    """List incident cases and their deadlines, newest first."""
    from responders.cases import list_cases

    rows = list_cases(redis_of(click.get_current_context()), kind=None if all_kinds else "incident")
    if as_json:
        click.echo(json.dumps([{k: c[k] for k in CASE_FIELDS} for c in rows], ensure_ascii=False))
        return
    if not rows:
        click.echo("没有突发事件处置案例 (no cases)")
    for c in rows:
        deadline = c["deadlines"].get("release") or c["deadlines"].get("response")
        click.echo(f"{c['id']}  [{c.get('level') or '回应'}] {c['title']}  T0 {c['t0']}  due {deadline}"
                   f"  status {c['status']}" + ("  超时 OVERDUE" if c["overdue"] else ""))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def status(ctx: click.Context, as_json: bool) -> None:
    """Report Redis, queue depths and lag, workers, failed jobs, models and source health."""
    from .status import format_text, gather

    settings = settings_of(ctx)
    url = resolve_url(settings)
    report = gather(connect(settings, url), url, embedded=not settings.redis_url, models=model_versions(settings))
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_text(report))


@cli.command()
@click.option("--all", "requeue_all", is_flag=True, help="Requeue every failed job.")
@click.argument("job_ids", nargs=-1)
@click.pass_context
def requeue(ctx: click.Context, requeue_all: bool, job_ids: tuple[str, ...]) -> None:
    """Put failed jobs (the dead-letter registry) back on their queue."""
    from .queues import ALL_QUEUES, queue

    if not requeue_all and not job_ids:
        raise click.UsageError("name job ids or give --all")
    connection = redis_of(ctx)
    done = 0
    for name in ALL_QUEUES:
        registry = queue(name, connection).failed_job_registry
        wanted = registry.get_job_ids() if requeue_all else [j for j in job_ids if j in registry]
        for job_id in wanted:
            registry.requeue(job_id)
            done += 1
    click.echo(f"requeued={done}")


@cli.command()
def bench() -> None:
    """Run the benchmarks and print `bench: NAME=VALUE …` lines."""
    from .bench import main as bench_main

    bench_main()


def _model_overrides(specs: tuple[str, ...]) -> dict[str, Path]:
    out = {}
    for spec in specs:
        head, sep, directory = spec.partition("=")
        if not sep or not head or not directory:
            raise click.UsageError(f"--model takes HEAD=DIR, got {spec!r}")
        out[head.strip()] = Path(directory)
    return out


@cli.command()
@click.argument("path", default="-")
@click.option("--model", "models", multiple=True, metavar="HEAD=DIR",
              help="Use the model in DIR for HEAD instead of the installed one (repeatable).")
@click.option("--batch", type=int, default=256, show_default=True, help="Items classified together.")
@click.pass_context
def classify(ctx: click.Context, path: str, models: tuple[str, ...], batch: int) -> None:
    """Classify JSON Lines items (PATH or - for stdin) and write one JSON line per input line."""
    from classifiers.classify import HEADS, OPTIONAL_HEADS, Classifier

    from .items import parse_line

    settings = settings_of(ctx)
    overrides = _model_overrides(models)
    unknown = set(overrides) - set(HEADS) - set(OPTIONAL_HEADS)
    if unknown:
        raise click.UsageError(f"unknown head(s) {', '.join(sorted(unknown))}; "
                               f"heads are {', '.join(HEADS + OPTIONAL_HEADS)}")
    classifier = Classifier.from_settings(settings, overrides)
    failed = 0
    pending: list[tuple[int, dict]] = []
    results: list[str | None] = []

    def flush() -> None:
        for (slot, _), result in zip(pending, classifier.classify([item for _, item in pending])):
            results[slot] = json.dumps(result, ensure_ascii=False)
        pending.clear()
        for line in results:
            click.echo(line)
        results.clear()

    with _open_input(path) as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                item = parse_line(line)
            except InputError as exc:
                failed += 1
                try:
                    raw_id = json.loads(line).get("id")
                except (ValueError, AttributeError):
                    raw_id = None
                raw_id = raw_id if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
                results.append(json.dumps({"id": raw_id, "error": str(exc)}, ensure_ascii=False))
                continue
            pending.append((len(results), item))
            results.append(None)
            if len(pending) >= batch:
                flush()
    flush()
    if failed:
        ctx.exit(3)


@cli.command()
@click.option("--head", required=True, help="Head to train: rumor, domain, incident_type, or one of the taxonomy.")
@click.option("--data", "data_path", required=True, type=click.Path(dir_okay=False),
              help="JSON Lines rows {id, title?, text, label}.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Directory to write the self-contained model to.")
@click.option("--with-feedback", is_flag=True,
              help="Add the operators' relabels of this head (from the running system's Redis) to the data.")
@click.pass_context
def train(ctx: click.Context, head: str, data_path: str, out_dir: str, with_feedback: bool) -> None:
    """Train one head and write a model directory (held-out metrics in its manifest)."""
    from classifiers.training import train_and_save

    extra = None
    if with_feedback:
        from classifiers.feedback import export

        extra = export(redis_of(ctx), head)
        click.echo(f"feedback: {len(extra)} relabelled rows added", err=True)
    manifest = train_and_save(head, Path(data_path), Path(out_dir), extra_rows=extra)
    held = manifest["metrics"].get("held_out", {})
    click.echo(f"trained {head} on {manifest['metrics']['n_rows']} rows → {out_dir}"
               + (f"  (held-out macro_f1={held['macro_f1']})" if held else ""))


@cli.command()
@click.option("--model", "model_dir", required=True, type=click.Path(file_okay=False),
              help="Model directory written by `yuqing train` (or a registry version).")
@click.option("--data", "data_path", required=True, type=click.Path(dir_okay=False),
              help="JSON Lines rows {id, title?, text, label}.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False), default=None,
              help="Also write an HTML report with confusion matrix, PR curve and worst mistakes here.")
@click.pass_context
def evaluate(ctx: click.Context, model_dir: str, data_path: str, report_dir: str | None) -> None:
    """Print one JSON object: macro_f1, accuracy, n, per_class (and the confusion matrix)."""
    from classifiers.training import evaluate_dir

    result = evaluate_dir(Path(model_dir), Path(data_path))
    if report_dir:
        from classifiers.report import write_report

        write_report(Path(model_dir), Path(data_path), Path(report_dir), settings_of(ctx).templates_dir)
        click.echo(f"report: {Path(report_dir) / 'report.html'}", err=True)
    click.echo(json.dumps(result, ensure_ascii=False))


@cli.group(invoke_without_command=False)
def label() -> None:
    """Operators' relabels (feedback) of stored items."""


@label.command(name="add")
@click.argument("item_id")
@click.argument("head")
@click.argument("value")
@click.option("--by", default="operator", show_default=True, envvar="USER", help="Who relabels (recorded).")
@click.pass_context
def label_add(ctx: click.Context, item_id: str, head: str, value: str, by: str) -> None:
    """Record that ITEM_ID is VALUE for HEAD (e.g. `yuqing label add 123 rumor non-rumor`)."""
    from classifiers.feedback import add

    record = add(redis_of(ctx), item_id, head, value, by)
    click.echo(f"labelled {record['id']} {head}={value} by {by}")


@label.command(name="export")
@click.argument("head")
@click.pass_context
def label_export(ctx: click.Context, head: str) -> None:
    """Print the relabels of HEAD as training rows (JSON Lines)."""
    from classifiers.feedback import export

    for row in export(redis_of(ctx), head):
        click.echo(json.dumps(row, ensure_ascii=False))


@cli.group()
def model() -> None:
    """The model registry: list, add, promote and roll back head versions."""


@model.command(name="list")
@click.pass_context
def model_list(ctx: click.Context) -> None:
    """Show each head's versions; the one in use is marked with *."""
    from classifiers import registry
    from classifiers.classify import HEADS

    var = settings_of(ctx).var_dir
    for head in HEADS:
        current = registry.resolve(head, var)
        base = var / "models" / head
        versions = sorted(p for p in base.iterdir() if (p / registry.MANIFEST).is_file()) if base.is_dir() else []
        for directory in [registry.shipped_dir(head)] + versions:
            manifest = json.loads((directory / registry.MANIFEST).read_text(encoding="utf-8"))
            held = manifest.get("metrics", {}).get("held_out", {})
            mark = "*" if directory == current else " "
            where = "shipped" if directory == registry.shipped_dir(head) else "registry"
            click.echo(f"{mark} {head:<14} {manifest['version']}  {where:<8}  macro_f1={held.get('macro_f1', '-')}")


@model.command(name="add")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option("--promote", "and_promote", is_flag=True, help="Also make it the version in use.")
@click.pass_context
def model_add(ctx: click.Context, directory: str, and_promote: bool) -> None:
    """Copy a trained model directory into the registry as a new version."""
    from classifiers import registry

    var = settings_of(ctx).var_dir
    target = registry.register(var, Path(directory))
    click.echo(f"registered {target.parent.name} {target.name}")
    if and_promote:
        registry.promote(var, target.parent.name, target.name)
        click.echo(f"promoted {target.parent.name} {target.name}")


@model.command(name="promote")
@click.argument("head")
@click.argument("version")
@click.pass_context
def model_promote(ctx: click.Context, head: str, version: str) -> None:
    """Make VERSION of HEAD the one in use (workers pick it up without a restart)."""
    from classifiers import registry

    registry.promote(settings_of(ctx).var_dir, head, version)
    click.echo(f"promoted {head} {version}")


@model.command(name="rollback")
@click.argument("head")
@click.pass_context
def model_rollback(ctx: click.Context, head: str) -> None:
    """Go back to the version of HEAD that was in use before the last promotion."""
    from classifiers import registry

    click.echo(f"rolled back {head} to {registry.rollback(settings_of(ctx).var_dir, head)}")


@cli.command(name="settings")
@click.option("--markdown", is_flag=True, help="Print the settings table of README.md instead.")
@click.pass_context
def settings_cmd(ctx: click.Context, markdown: bool) -> None:
    """Show every setting, its value and where the value came from (secrets masked)."""
    if markdown:
        click.echo(markdown_table())
        return
    settings = settings_of(ctx)
    width = max(len(s.name) for s in REGISTRY)
    for s in REGISTRY:
        click.echo(f"{s.name:<{width}}  {settings.shown(s.name)!s:<28}  ({settings.origins[s.name]})")


from . import cli_cases  # noqa: E402,F401  (registers `case`, `report`, `notices` on the group)


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="yuqing", obj={})


if __name__ == "__main__":
    main()
