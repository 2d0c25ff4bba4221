"""Numbers as Chinese news writes them: 17, １７, 十七, 一百零五, 两, 1.2万, 3000余, 5亿元."""

from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}
FULLWIDTH = str.maketrans("０１２３４５６７８９．，", "0123456789.,")

# One number: Arabic (optionally with decimals and thousands commas) or Chinese numerals,
# optionally followed by 万/亿 (a second 万 as in 1亿2000万 is read by ``to_number``).
NUMBER = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)(?:[万亿])?"


def chinese_to_int(text: str) -> int | None:
    """十七 → 17, 一百零五 → 105, 两千 → 2000, 三十万 → 300000; None if not a numeral."""
    if not text or any(ch not in DIGITS and ch not in UNITS and ch not in BIG for ch in text):
        return None
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            section += (1 if digit is None else digit) * UNITS[ch]
            digit = None
        else:  # 万 / 亿
            section += digit or 0
            total = (total + section) * BIG[ch]
            section, digit = 0, None
    section += digit or 0
    if len(text) > 1 and all(ch in DIGITS for ch in text):
        # 一九九八 / 二〇二四 written digit by digit
        return int("".join(str(DIGITS[ch]) for ch in text))
    return total + section


def to_number(text: str) -> float | None:
    """One matched NUMBER (with optional 万/亿) → its value."""
    text = text.translate(FULLWIDTH).replace(",", "")
    scale = 1
    while text and text[-1] in BIG:
        scale *= BIG[text[-1]]
        text = text[:-1]
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        as_int = chinese_to_int(text)
        if as_int is None:
            return None
        value = float(as_int)
    return value * scale


def normalise_digits(text: str) -> str:
    return text.translate(FULLWIDTH)


NUMBER_RE = re.compile(NUMBER)
