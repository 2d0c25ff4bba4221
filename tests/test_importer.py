import json

from openpyxl import Workbook

from crawlers.importer import read_rows, to_item
from pipeline.queues import INGEST, queue

from support import run_cli


def _jobs_items(conn):
    import zlib
    out = []
    for job_id in queue(INGEST, conn).get_job_ids():
        out.extend(json.loads(zlib.decompress(conn.hget(f"rq:job:{job_id}", "data")))[2][0])
    return out


def test_chinese_headers_csv_in_gbk(tmp_path):
    path = tmp_path / "12345.csv"
    path.write_bytes("留言编号,留言用户,留言主题,留言时间,留言详情,点赞数\nA1,张某,路灯不亮,2019/7/17 10:20,小区路灯坏了一个月,12\n"
                     .encode("gbk"))
    (row,) = list(read_rows(path))
    from datetime import datetime, timezone
    item = to_item(row, "hotline", 1, datetime(2024, 1, 1, tzinfo=timezone.utc))
    assert item["id"] == "hotline-A1" and item["title"] == "路灯不亮" and item["author"] == "张某"
    assert item["published_at"] == "2019-07-17T10:20:00+08:00" and item["engagement"]["likes"] == 12


def test_import_jsonl_competition_format_and_xlsx_through_the_cli(tmp_path, redis_url, redis_conn):
    rows = [{"id": "m1", "title": "反映噪音扰民", "text": "夜间施工噪音很大", "published_at": "2019-07-17 10:20:00",
             "reply": "已责成整改", "replied_at": "2019-07-20"},
            {"id": "m2", "title": "", "text": ""}]
    jsonl = tmp_path / "messages.jsonl"
    jsonl.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    env = {"REDIS_URL": redis_url, "YUQING_VAR": str(tmp_path / "var")}
    out = run_cli("import", str(jsonl), "--source", "board", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "accepted=1 rejected=1 unchanged=0 queued=1 spooled=0"
    again = run_cli("import", str(jsonl), "--source", "board", env=env)
    assert again.stdout.strip() == "accepted=1 rejected=1 unchanged=1 queued=0 spooled=0"
    (item,) = _jobs_items(redis_conn)
    assert item["reply"] == "已责成整改" and item["kind"] == "import" and item["source"] == "board"

    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "标题", "内容", "时间"])
    sheet.append(["x9", "领导信箱来信", "请求解决拖欠工资问题", "2024-03-01 08:00"])
    book.save(tmp_path / "mailbox.xlsx")
    out = run_cli("import", str(tmp_path / "mailbox.xlsx"), "--source", "mailbox", env=env)
    assert out.stdout.strip().startswith("accepted=1 rejected=0")
    assert {i["id"] for i in _jobs_items(redis_conn)} == {"board-m1", "mailbox-x9"}


def test_bad_files_are_one_line_errors(tmp_path, redis_url):
    (tmp_path / "x.txt").write_text("hello", encoding="utf-8")
    out = run_cli("import", str(tmp_path / "x.txt"), "--source", "s", env={"REDIS_URL": redis_url})
    assert out.returncode == 2 and "reads .csv, .xlsx or .jsonl" in out.stderr
    (tmp_path / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    out = run_cli("import", str(tmp_path / "bad.jsonl"), "--source", "s", env={"REDIS_URL": redis_url})
    assert out.returncode == 2 and "bad.jsonl:1: not valid JSON" in out.stderr


def test_the_shared_competition_files_import_whole(tmp_path, redis_url, redis_conn):
    import pytest
    from support import ROOT
    data = ROOT.parent / "shared" / "data" / "gov_messages_with_replies.jsonl"
    if not data.is_file():
        pytest.skip("../shared/data is not beside the repo")
    lines = sum(1 for line in data.open(encoding="utf-8") if line.strip())
    out = run_cli("import", str(data), "--source", "replies", env={"REDIS_URL": redis_url,
                                                                   "YUQING_VAR": str(tmp_path / "var")})
    assert out.stdout.strip() == f"accepted={lines} rejected=0 unchanged=0 queued={lines} spooled=0"
