from parsel import Selector

from crawlers.extract import date_text, main_text

from support import SAMPLE_DATA


def test_main_text_skips_navigation_and_footer():
    page = Selector(text=(SAMPLE_DATA / "article_ok.html").read_text(encoding="utf-8"))
    title, text = main_text(page)
    assert title == "关于做好汛期安全工作的通知"
    assert text.startswith("各区县应急管理局：") and "网站地图" not in text and "首页" not in text


def test_date_hint_found():
    page = Selector(text=(SAMPLE_DATA / "article_ok.html").read_text(encoding="utf-8"))
    assert date_text(page).startswith("发布时间：2024年6月3日 09:30")


def test_empty_page():
    assert main_text(Selector(text="<html></html>")) == ("", "")
