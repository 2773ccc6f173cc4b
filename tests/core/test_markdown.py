"""Markdown rendering keeps what members write and removes what could run in a browser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from core.markdown import mentioned_handles, normalize_for_search, plain_text, render_markdown

SAFE_TAGS = {"p", "a", "img", "code", "pre", "em", "strong"}


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def elements_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of `html` as a browser would parse it: (tag, attributes)."""
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.found


def test_code_blocks_keep_their_text_escaped():
    html = render_markdown("```python\nprint('<b>こんにちは</b>')\n```")
    assert '<pre><code class="language-python">' in html
    assert "print('&lt;b&gt;こんにちは&lt;/b&gt;')" in html
    assert "<b>" not in html


def test_tables_lists_and_emphasis_survive():
    source = (
        "| 項目 | 値 |\n|:--|--:|\n| 席数 | 20 |\n\n"
        "- いち\n- に\n\n1. first\n2. second\n\n"
        "**太字** and ~~old~~ and `x < y`\n\n- [x] done"
    )
    html = render_markdown(source)
    for fragment in (
        "<table>",
        '<th style="text-align:left">項目</th>',
        '<td style="text-align:right">20</td>',
        "<ul>",
        "<li>いち</li>",
        "<ol>",
        "<strong>太字</strong>",
        "<s>old</s>",
        "<code>x &lt; y</code>",
        '<input checked="checked" disabled="disabled" type="checkbox"> done',
    ):
        assert fragment in html, fragment


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[docs](https://example.com/ドキュメント) and <https://example.org>")
    assert html.count('rel="nofollow ugc noopener"') == 2
    assert 'href="https://example.com/' in html


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "![x](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        '<svg onload="alert(1)"></svg>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        '<div style="background:url(javascript:alert(1))">x</div>',
    ],
)
def test_script_handlers_and_javascript_urls_are_removed(hostile):
    html = render_markdown(f"前 {hostile} 後")
    elements = elements_of(html)
    assert {tag for tag, _ in elements} <= SAFE_TAGS, html
    for _tag, attributes in elements:
        for name, value in attributes:
            assert not name.startswith("on"), html
            if name in {"href", "src"}:
                assert (value or "").startswith(("http://", "https://", "mailto:", "/")), html
    assert "前" in html and "後" in html


def test_raw_html_is_shown_as_text():
    html = render_markdown('<b onclick="x()">bold</b>')
    assert "&lt;b onclick=" in html
    assert "<b " not in html


def test_mentions_are_linked_outside_code():
    def href(handle: str) -> str | None:
        return f"/members/{handle}" if handle == "yamada" else None

    html = render_markdown("@yamada と @nobody、`@yamada` は code", mention_href=href)
    assert 'href="/members/yamada"' in html
    assert html.count("/members/yamada") == 1
    assert "@nobody" in html
    assert mentioned_handles("hi @yamada and `@code` ```\n@block\n```") == {"yamada"}


def test_plain_text_and_search_normalisation():
    assert plain_text(render_markdown("**請求書** <と> & co")) == "請求書 <と> & co\n"
    assert normalize_for_search("ＡＢＣ ｶﾀｶﾅ Straße") == "abc カタカナ strasse"
