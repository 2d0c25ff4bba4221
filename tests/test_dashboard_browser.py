"""The dashboard in a real headless Chromium (Debian's, driven by Playwright), against a running system.

A real crawl of the demo source goes through real workers; the case it opens
is acknowledged, edited, reviewed, signed and published by people of each
role through the pages, and the countdown stops. Screenshots of each page go
to a temporary folder, or to SCREENSHOTS_DIR when set: `SCREENSHOTS_DIR=docs/screenshots make test`
refreshes the ones README links (a plain test run leaves the work tree untouched).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from crawlers.demo.server import DemoSite, load_corpus, serve_in_thread

from support import ROOT, YUQING, run_cli, wait_for

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "yuqing-screenshots")
PASSWORD = "correct horse battery"


def _chromium() -> str:
    """Debian's Chromium; installed here when missing and we may (root with apt-get), else a loud skip."""
    if not os.path.exists(CHROMIUM) and shutil.which("apt-get") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"]
        if subprocess.run(cmd, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True)
            subprocess.run(cmd, env=env, capture_output=True)
    if os.path.exists(CHROMIUM) and shutil.which("fc-list") and os.geteuid() == 0 and shutil.which("apt-get") and \
            not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout.strip():
        # Without a CJK font the pages render as boxes in the screenshots (the tests would still pass).
        subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "fonts-noto-cjk"],
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"), capture_output=True)
    if not os.path.exists(CHROMIUM):
        message = ("!!! BROWSER TESTS SKIPPED: Debian chromium is not installed at /usr/bin/chromium and could not be "
                   "installed (needs root and apt-get: `apt-get install chromium`) !!!")
        print("\n" + message, file=sys.stderr)
        warnings.warn(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="module")
def system(tmp_path_factory):
    """`yuqing run` with the demo source served by this test (all rows released within seconds)."""
    tmp = tmp_path_factory.mktemp("browser")
    server, _ = serve_in_thread(0, DemoSite(load_corpus(), release_every=0.05))
    demo_url = f"http://127.0.0.1:{server.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("YUQING_") and k != "REDIS_URL"}
    env.update(YUQING_VAR=str(tmp / "var"), YUQING_DEMO_URL=demo_url, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(YUQING + ["run", "--port", "0", "--workers", "2", "--no-demo"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        url = None
        deadline = time.monotonic() + 90
        while url is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError("yuqing run ended early")
            found = re.search(r"(http://127\.0\.0\.1:\d+)", line)
            url = found.group(1) if found and "dashboard" in line.lower() else None
        assert url, "no dashboard URL printed"
        cli_env = {"YUQING_VAR": env["YUQING_VAR"], "YUQING_DEMO_URL": demo_url}
        for name, role in (("张三", "duty"), ("王主任", "leader"), ("运维小赵", "operator")):
            out = run_cli("user", "add", name, "--role", role, "--password-stdin", env=cli_env, input=PASSWORD + "\n")
            assert out.returncode == 0, out.stderr
        time.sleep(2)                                   # let the demo site release every row
        crawl = run_cli("crawl", "--all", "--no-delay", env=cli_env, timeout=300)
        assert crawl.returncode == 0, crawl.stderr[-2000:]

        def opened():
            listed = json.loads(run_cli("cases", "--json", env=cli_env).stdout or "[]")
            return listed or None

        cases = wait_for(opened, timeout=120, what="an incident case from the demo crawl")
        yield {"url": url, "case": cases[0], "env": cli_env}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


def _login(browser, url: str, name: str):
    page = browser.new_page(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page.goto(url + "/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(f"text={name}（")
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_each_role_works_the_case_of_a_crawled_incident_to_publication(system, browser):
    url, case = system["url"], system["case"]
    duty = _login(browser, url, "张三")
    row = duty.locator(f"tr:has(a[href='/cases/{case['id']}'])")
    row.wait_for()
    countdown = row.locator(".countdown")
    assert "countdown done" not in (countdown.get_attribute("class") or "")
    _shot(duty, "queue")

    duty.click(f"a[href='/events/{case['event_id']}']")
    duty.wait_for_selector("svg rect")
    _shot(duty, "event")

    duty.goto(f"{url}/cases/{case['id']}")
    duty.click("button[data-action=ack]")
    duty.wait_for_selector("text=已完成")
    draft = duty.input_value("textarea[name=text]")
    filled = re.sub(r"【待核实：[^】]*】", "", draft)
    duty.fill("textarea[name=text]", filled)
    duty.click("button[data-action=save]")
    duty.wait_for_selector("text=已完成")
    duty.click("button[data-action=submit]")
    duty.wait_for_selector("#status:has-text('审核')")
    _shot(duty, "case-review")

    leader = _login(browser, url, "王主任")
    leader.goto(f"{url}/cases/{case['id']}")
    assert leader.locator("textarea").count() == 0              # leadership reads, the duty officer edits
    leader.click("button[data-action=approve]")
    leader.wait_for_selector("#status:has-text('审签')")
    leader.click("button[data-action=sign]")
    leader.wait_for_selector("#status:has-text('已签发')")
    _shot(leader, "case-signed")
    leader.click("a[href='/digest']")
    leader.wait_for_selector("h1:has-text('政务舆情专报')")
    assert leader.locator("svg rect").count() >= 1 and case["title"][:10] in leader.content()
    _shot(leader, "digest")

    duty.goto(f"{url}/cases/{case['id']}")
    duty.click("button[data-action=publish]")
    duty.wait_for_selector("#status:has-text('已发布')")
    assert "已于" in duty.inner_text("#clock")                  # the countdown stopped at publication
    _shot(duty, "case-published")
    duty.goto(url + "/")
    assert "countdown done" in duty.locator(f"tr:has(a[href='/cases/{case['id']}']) .countdown").get_attribute("class")

    ops = _login(browser, url, "运维小赵")
    ops.goto(url + "/status")
    ops.wait_for_selector("text=系统状态")
    _shot(ops, "status")
    ops.goto(url + "/audit")
    for action in ("确认", "修改稿件", "提交审核", "审核通过", "审签", "发布"):
        assert ops.locator(f"td:text-is('{action}')").count() >= 1
    _shot(ops, "audit")
    ops.goto(url + "/console?test=" + "四川雅江县发生重大道路交通事故")
    ops.wait_for_selector("#test code")
    assert ops.locator("details.confusion").count() >= 3           # one per head in use
    _shot(ops, "console")
    upload = SHOTS.parent / "sample-12345.csv"
    upload.write_bytes("标题,内容,时间\n路灯不亮,夜间出行不便,2024-06-01 10:00\n".encode("gbk"))
    ops.set_input_files("#import input[type=file]", str(upload))
    ops.fill("#import input[name=source]", "hotline-12345")
    ops.click("#import button")
    ops.wait_for_selector("#status:has-text('已完成')", timeout=60000)      # the workers ran the import
    _shot(ops, "task")
    upload.unlink()
    (shown,) = [c for c in json.loads(run_cli("cases", "--json", env=system["env"]).stdout) if c["id"] == case["id"]]
    assert shown["status"] == "已发布" and shown["first_release_at"] and shown["overdue"] is False
