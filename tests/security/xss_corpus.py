"""Hostile Markdown and HTML for the XSS tests, and an HTML audit that finds what got through."""

from __future__ import annotations

import re
from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript:alert`1`)",
    "![img](javascript:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '[x](https://example.com" onclick="alert(1))',
    '![x](https://example.com/a.png" onerror="alert(1))',
    '[x](https://example.com "title\\" onmouseover=\\"alert(1)")',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="java&#0000115;cript:alert(1)">x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<body onload=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script>',
    '<img src="x" onerror="alert(1)"//',
    "<img src=`javascript:alert(1)`>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<style>@import 'javascript:alert(1)';</style>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
    "<marquee onstart=alert(1)>x</marquee>",
    '<base href="javascript:alert(1)//">',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "| a | b |\n|---|---|\n| <script>alert(1)</script> | <img src=x onerror=alert(1)> |",
    "> <img src=x onerror=alert(1)>\n> [q](javascript:alert(1))",
    "- [ ] <img src=x onerror=alert(1)>\n- [x] <svg onload=alert(1)>",
    "@<img src=x onerror=alert(1)> @admin<script>alert(1)</script>",
    "```html\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    '<a href="https://example.com" style="position:fixed;top:0">overlay</a>',
    "![](x 'onerror=alert(1)')",
]

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "background", "xlink:href"}
_FORBIDDEN_IN_POSTS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "base",
    "meta",
    "link",
    "style",
    "noscript",
    "video",
    "source",
    "details",
    "marquee",
    "body",
}


class _Audit(HTMLParser):
    def __init__(self, in_post: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.in_post = in_post
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        our_script = tag == "script" and (found.get("src") or "").startswith("/static/")
        # Task-list checkboxes are the one input Markdown itself makes (disabled).
        checkbox = tag == "input" and "disabled" in found
        dangerous = tag == "script" or (self.in_post and tag in _FORBIDDEN_IN_POSTS)
        if dangerous and not our_script and not checkbox:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")
            if name in _URL_ATTRIBUTES and value is not None:
                url = re.sub(r"[\x00-\x20]", "", value).lower()
                if url.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{name}={value!r} on <{tag}>")
            if name == "style" and value and ("url(" in value or "position" in value):
                self.problems.append(f"style={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def audit(html: str, *, in_post: bool = True) -> list[str]:
    """What in `html` could run script or take over the page (empty when it is safe)."""
    parser = _Audit(in_post)
    parser.feed(html)
    parser.close()
    if in_post and re.search(r"<\s*script", html, re.I):
        parser.problems.append("<script in text")
    return parser.problems


def post_bodies(page: str) -> list[str]:
    return re.findall(r'<div class="post-body">(.*?)</div>', page, re.S)


# --- plain text fields (names, titles, places, notes) --------------------------------------


def hostile(field: str) -> str:
    """Plain text that runs if it is ever shown unescaped: it closes an attribute and a tag,
    opens a script and an event handler, holds a template expression and starts like a
    spreadsheet formula. `field` names it, so a test knows which input reached a page."""
    return (
        f'=HYPERLINK("{field}")"\'><script>alert(1)</script><img src=x onerror=alert(1)>{{{{7*7}}}}'
    )


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.extend(value for _, value in attrs if value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def texts(html: str) -> list[str]:
    """The text of `html` (one string: a <mark> may split a value) and every attribute value,
    as a browser reads them (entities decoded)."""
    parser = _Texts()
    parser.feed(html)
    parser.close()
    return ["".join(parser.text), *parser.attributes]


def shown_as_text(html: str, value: str) -> bool:
    """`value` is on the page whole, as text or an attribute value: neither run nor lost."""
    return any(value in text for text in texts(html))


def page_problems(html: str, *values: str) -> list[str]:
    """What could run on a whole page, plus each of `values` that the page does not show as text
    (a test that expects a value on a page must see it, or it proves nothing)."""
    problems = audit(html, in_post=False)
    problems += [
        f"not shown as text: {value!r}" for value in values if not shown_as_text(html, value)
    ]
    return problems
