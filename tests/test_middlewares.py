import pytest
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.test import get_crawler

from crawlers.middlewares import EncodingMiddleware, choose_encoding

from support import SAMPLE_DATA

GBK = (SAMPLE_DATA / "article_gbk.html").read_bytes()


@pytest.mark.parametrize("declared, expected", [("utf-8", "gb18030"), ("", "gb18030"), ("gb2312", "gb18030"),
                                                ("gbk", "gb18030"), ("iso-8859-1", "iso-8859-1")])
def test_gbk_body_whatever_is_declared(declared, expected):
    assert choose_encoding(GBK, declared) == expected


def test_utf8_stays_utf8():
    assert choose_encoding("政务公开".encode("utf-8"), "utf-8") == "utf-8"
    assert choose_encoding("政务公开".encode("utf-8"), "gbk") == "utf-8"


def _mw():
    return EncodingMiddleware(get_crawler())


def test_lying_header_is_corrected():
    request = Request("http://x/a.html")
    response = HtmlResponse("http://x/a.html", body=GBK, headers={"Content-Type": "text/html; charset=utf-8"},
                            request=request)
    fixed = _mw().process_response(request, response)
    assert "停水已经三天" in fixed.text


def test_binary_is_refused():
    request = Request("http://x/file.bin")
    response = Response("http://x/file.bin", body=b"\x00\x01\x02" * 10,
                        headers={"Content-Type": "application/octet-stream"}, request=request)
    with pytest.raises(IgnoreRequest):
        _mw().process_response(request, response)
