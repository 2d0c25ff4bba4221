import pytest

from classifiers.numbers import chinese_to_int, to_number


@pytest.mark.parametrize("text, value", [
    ("17", 17), ("１７", 17), ("十七", 17), ("二十三", 23), ("一百零五", 105), ("两", 2), ("两千", 2000),
    ("三十万", 300_000), ("1.2万", 12_000), ("5亿", 500_000_000), ("2,000", 2000), ("十", 10), ("一九九八", 1998),
])
def test_numbers_as_news_writes_them(text, value):
    assert to_number(text) == value


def test_not_a_number():
    assert chinese_to_int("十七人") is None
    assert to_number("万") is None
