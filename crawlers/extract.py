"""Main-text extraction for article pages that have no configured selectors.

Scores each block element by the text of its own paragraphs minus link text
(navigation is mostly links), and keeps the best block's paragraphs. Small
and predictable; good enough for government portals and message boards.
"""

from __future__ import annotations

from parsel import Selector

_DROP = "//script|//style|//noscript|//nav|//header|//footer|//form|//iframe|//template"
_BLOCKS = "//article|//main|//div|//section|//td"
_DATE_HINTS = ("发布时间", "发布日期", "时间：", "日期：", "留言时间", "来源")


def _text_of(node: Selector) -> str:
    return "".join(node.xpath(".//text()").getall()).strip()


def main_text(page: Selector) -> tuple[str, str]:
    """(title, text) of the page's main content; empty strings when nothing is found."""
    for node in page.xpath(_DROP):
        node.drop()
    title = ("".join(page.xpath("(//h1)[1]//text()").getall()).strip()
             or (page.xpath("//title/text()").get() or "").strip())
    best, best_score = None, 0
    for block in page.xpath(_BLOCKS):
        paragraphs = block.xpath("./p")
        body = sum(len(_text_of(p)) for p in paragraphs)
        links = sum(len(t) for t in block.xpath("./p//a//text()").getall())
        score = body - 2 * links
        if score > best_score:
            best, best_score = block, score
    if best is not None:
        lines = [t for t in (_text_of(p) for p in best.xpath("./p")) if t and t != title]
        return title, "\n".join(lines)
    # No paragraphs anywhere (text in <br>-separated cells): the leaf block with the most plain text.
    leaves = page.xpath("//div[not(descendant::div)]|//td[not(descendant::td)]")
    scored = [(len(_text_of(n)) - 2 * sum(len(t) for t in n.xpath(".//a//text()").getall()), n) for n in leaves]
    scored = [(s, n) for s, n in scored if s > 0]
    if not scored:
        return title, ""
    node = max(scored, key=lambda pair: pair[0])[1]
    lines = [t.strip() for t in node.xpath(".//text()").getall() if t.strip() and t.strip() != title]
    return title, "\n".join(lines)


def date_text(page: Selector) -> str:
    """A short string near a date hint (发布时间：…), for the date parser to read."""
    for text in page.xpath("//body//text()").getall():
        text = text.strip()
        if any(h in text for h in _DATE_HINTS) and len(text) < 80:
            return text
    return ""
