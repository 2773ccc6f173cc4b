"""Markdown to safe HTML, rendered once at write time (markdown-it-py, then nh3)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
    .use(tasklists_plugin)
)

_ALLOWED_TAGS = {
    "a",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "span",
    "input",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "code": {"class"},
    "th": {"style"},
    "td": {"style"},
    "span": {"class"},
    "input": {"type", "checked", "disabled"},
    "li": {"class"},
    "ul": {"class"},
}
_MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_][A-Za-z0-9_.\-]{0,63})")


def render_markdown(text: str, mention_href: Callable[[str], str | None] | None = None) -> str:
    """Markdown source to sanitised HTML; links are marked nofollow ugc noopener.

    `mention_href(handle)` returns a profile URL for a known @handle (or None to leave it plain).
    """
    html = _md.render(text)
    if mention_href is not None:
        html = _link_mentions(html, mention_href)
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc noopener",
        allowed_classes={"a": {"mention"}},
        filter_style_properties={"text-align"},
    )


def _link_mentions(html: str, mention_href: Callable[[str], str | None]) -> str:
    # Only in text nodes outside <code>/<pre>/<a>: split on tags and track those.
    parts = re.split(r"(<[^>]+>)", html)
    skip_depth = 0
    for index, part in enumerate(parts):
        if part.startswith("<"):
            tag = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if tag and tag.group(1).lower() in {"code", "pre", "a"}:
                skip_depth += -1 if part.startswith("</") else 1
            continue
        if skip_depth > 0:
            continue

        def replace(match: re.Match[str]) -> str:
            href = mention_href(match.group(1))
            if href is None:
                return match.group(0)
            return f'<a href="{href}" class="mention">@{match.group(1)}</a>'

        parts[index] = _MENTION.sub(replace, part)
    return "".join(parts)


def mentioned_handles(text: str) -> set[str]:
    """The @handles written in Markdown source (outside code)."""
    without_code = re.sub(r"```.*?```|`[^`]*`", " ", text, flags=re.S)
    return {match.group(1).rstrip(".-") for match in _MENTION.finditer(without_code)}


def plain_text(html: str) -> str:
    """Text content of rendered HTML (for search and email previews)."""
    return (
        nh3.clean(html, tags=set()).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    )


def normalize_for_search(text: str) -> str:
    """NFKC and case folding: full-width and half-width forms, upper and lower case meet."""
    return unicodedata.normalize("NFKC", text).casefold()
