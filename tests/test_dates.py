from datetime import datetime

import pytest

from crawlers.dates import parse
from pipeline.items import SHANGHAI

FETCHED = datetime(2024, 3, 5, 15, 30, tzinfo=SHANGHAI)


@pytest.mark.parametrize("text, expected", [
    ("2019年7月17日 10:20", "2019-07-17T10:20:00+08:00"),
    ("发布时间：2019年7月17日10时20分", "2019-07-17T10:20:00+08:00"),
    ("2019-07-17", "2019-07-17T00:00:00+08:00"),
    ("2019/7/17 10:20:30", "2019-07-17T10:20:30+08:00"),
    ("03-01 09:05", "2024-03-01T09:05:00+08:00"),
    ("12-30 09:05", "2023-12-30T09:05:00+08:00"),
    ("昨天 10:20", "2024-03-04T10:20:00+08:00"),
    ("前天", "2024-03-03T00:00:00+08:00"),
    ("今天 08:00", "2024-03-05T08:00:00+08:00"),
    ("3小时前", "2024-03-05T12:30:00+08:00"),
    ("5分钟前", "2024-03-05T15:25:00+08:00"),
    ("2天前", "2024-03-03T15:30:00+08:00"),
    ("刚刚", "2024-03-05T15:30:00+08:00"),
    ("2024-03-01T01:00:00Z", "2024-03-01T01:00:00+00:00"),
    ("Tue, 05 Mar 2024 06:00:00 +0000", "2024-03-05T06:00:00+00:00"),
])
def test_times_sites_print(text, expected):
    assert parse(text, FETCHED).isoformat() == expected


@pytest.mark.parametrize("text", ["", None, "不详", "2019年13月45日", "99:99", "某年某月"])
def test_broken_dates_are_none(text):
    assert parse(text, FETCHED) is None
