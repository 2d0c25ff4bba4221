import json
from collections import Counter
from pathlib import Path

import pytest

from classifiers import tokenizer

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def test_domain_words_and_places_stay_whole():
    tokens = tokenizer.cut("甘孜藏族自治州雅江县应急管理局通报一起道路交通事故")
    for word in ("甘孜藏族自治州", "雅江县", "应急管理局", "道路交通事故"):
        assert word in tokens


def test_tokenize_drops_punctuation_and_stopwords():
    tokens = tokenizer.tokenize("关于学区划分的问题，我们希望尽快答复！ABC")
    assert "，" not in tokens and "！" not in tokens and "的" not in tokens and "我们" not in tokens
    assert "学区划分" in tokens and "abc" in tokens


def test_operator_words_are_added_without_code(tmp_path):
    extra = tmp_path / "userdict.txt"
    extra.write_text("# 运维添加\n云岭先锋号 n\n", encoding="utf-8")
    try:
        tokenizer.load(backend=tokenizer.backend_name(), extra=[extra])  # same backend: cached, reload below
        tokenizer._backend = None
        tokenizer.load(extra=[extra])
        assert "云岭先锋号" in tokenizer.cut("云岭先锋号发布通知")
    finally:
        tokenizer._backend = None
        tokenizer.load()
    assert "云岭先锋号" not in tokenizer.cut("云岭先锋号发布通知")


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the repo")
def test_fast_backend_agrees_with_jieba_on_real_text():
    """rjieba must give jieba's tokens (same dictionary, same user words) on real messages."""
    with open(SHARED / "gov_messages_with_replies.jsonl", encoding="utf-8") as fh:
        texts = [json.loads(line)["text"][:300] for _, line in zip(range(300), fh)]
    try:
        tokenizer._backend = None
        assert tokenizer.load(backend="jieba") == "jieba"
        reference = [tokenizer.cut(t) for t in texts]
        tokenizer._backend = None
        assert tokenizer.load(backend="rjieba") == "rjieba"
        fast = [tokenizer.cut(t) for t in texts]
    finally:
        tokenizer._backend = None
        tokenizer.load()
    total = sum(len(r) for r in reference)
    same = sum(sum((Counter(r) & Counter(f)).values()) for r, f in zip(reference, fast))
    identical = sum(r == f for r, f in zip(reference, fast)) / len(texts)
    assert same / total >= 0.995, f"token recall {same / total:.4f}"
    assert identical >= 0.85, f"identical items {identical:.3f}"


def test_tokenize_is_cut_through_keep():
    # fastvec maps cut's tokens through keep straight to vocabulary columns; that is exact only if this holds
    from classifiers.tokenizer import cut, keep, tokenize
    for text in ["市政府召开常务会议，部署防汛工作！", "ABC公司 的 工资 拖欠了 3 个月……", "{{ x }}<b>网传</b>", ""]:
        assert tuple(k for k in map(keep, cut(text)) if k) == tokenize(text)
    assert keep("，") == "" and keep("的") == "" and keep("ABC") == "abc"
