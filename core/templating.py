"""Jinja2 environment: i18n, time-zone filters, the shared page context, email rendering."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from core import i18n
from core.settings import ROOT
from core.timeutil import to_zone, utcnow

TEMPLATE_DIR = ROOT / "templates"
_current_timezone: ContextVar[str] = ContextVar("kizuna_timezone", default="Asia/Tokyo")

_FORMATS = {
    "ja": {"datetime": "%Y年%-m月%-d日 %H:%M", "date": "%Y年%-m月%-d日", "time": "%H:%M"},
    "en": {"datetime": "%b %-d, %Y %H:%M", "date": "%b %-d, %Y", "time": "%H:%M"},
}


def set_timezone(zone: str) -> None:
    _current_timezone.set(zone)


def viewer_today() -> date:
    """Today's date in the viewer's time zone (the default zone outside a request)."""
    return to_zone(utcnow(), get_timezone()).date()


def get_timezone() -> str:
    return _current_timezone.get()


def localtime(moment: datetime | None, style: str = "datetime", zone: str | None = None) -> str:
    """`moment` in the viewer's zone, formatted for the current locale."""
    if moment is None:
        return ""
    local = to_zone(moment, zone or _current_timezone.get())
    return local.strftime(_FORMATS.get(i18n.get_locale(), _FORMATS["ja"])[style])


def isotime(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return to_zone(moment, _current_timezone.get()).isoformat(timespec="minutes")


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def create_environment(escape_html: bool = True) -> Environment:
    """The pages' environment; `escape_html=False` gives the one for email subjects and text."""
    escaping = select_autoescape(["html", "xml"], default_for_string=True) if escape_html else False
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=escaping,  # noqa: S701 - False only for plain text (see text_environment)
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        auto_reload=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.raw_gettext, i18n.raw_ngettext, newstyle=True
    )
    env.filters.update(localtime=localtime, isotime=isotime, number=number)
    from core.web import flashes, navigation

    env.globals.update(
        flashes=flashes,
        navigation=navigation,
        current_locale=i18n.get_locale,
        current_timezone=get_timezone,
        locale_names=i18n.LOCALE_NAMES,
        locales=i18n.LOCALES,
    )
    return env


_environment: Environment | None = None
_text_environment: Environment | None = None


def environment() -> Environment:
    global _environment
    if _environment is None:
        _environment = create_environment()
    return _environment


def text_environment() -> Environment:
    """Templates compiled without HTML escaping, for plain text only (never for HTML)."""
    global _text_environment
    if _text_environment is None:
        _text_environment = create_environment(escape_html=False)
    return _text_environment


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment()))


def render_email(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """(subject, text, html) from an email template's three blocks, in `locale`.

    Subject and text are plain text: they come from templates compiled without escaping, so a
    title with "<" or "&" reads as written, even through macros (whose escaping is fixed when
    they are compiled). The HTML block comes from the escaping environment.
    """
    with i18n.using_locale(locale):
        subject, text = _render_blocks(text_environment(), template, context, "subject", "text")
        [html] = _render_blocks(environment(), template, context, "html")
    return " ".join(subject.split()), text.strip() + "\n", html.strip()


def _render_blocks(
    env: Environment, template: str, context: dict[str, Any], *names: str
) -> list[str]:
    tmpl = env.get_template(template)
    ctx = tmpl.new_context(context)
    for _ in tmpl.root_render_func(ctx):  # registers the blocks inherited via {% extends %}
        pass
    return ["".join(ctx.blocks[name][0](ctx)) for name in names]


def safe(html: str) -> Markup:
    """Stored HTML that was sanitised at write time."""
    return Markup(html)  # noqa: S704 - only for HTML produced by core.markdown
