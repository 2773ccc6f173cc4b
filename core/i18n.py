"""Translations: Babel catalogs for ja (default) and en, and the locale of the current request."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from core.settings import ROOT

LOCALES: tuple[str, ...] = ("ja", "en")
LOCALE_DIR = ROOT / "locale"
LOCALE_NAMES = {"ja": "日本語", "en": "English"}

_current_locale: ContextVar[str] = ContextVar("kizuna_locale", default="ja")
_catalogs: dict[str, Translations] = {}
_compiled_from: dict[str, tuple[int, int]] = {}  # locale: (mtime_ns, size) of its .po file


def load_catalogs() -> None:
    """Compile the .po catalogs in memory (no build step, no binaries in the repository);
    a catalog whose file has not changed since it was compiled is kept (an app is created
    per test, and compiling both catalogs costs a quarter of a second)."""
    for locale in LOCALES:
        path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
        stat = path.stat()
        if locale in _catalogs and _compiled_from.get(locale) == (stat.st_mtime_ns, stat.st_size):
            continue
        _compiled_from[locale] = (stat.st_mtime_ns, stat.st_size)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        _catalogs[locale] = Translations(fp=buffer)


def _catalog(locale: str | None = None) -> Translations:
    if not _catalogs:
        load_catalogs()
    return _catalogs.get(locale or _current_locale.get()) or _catalogs["ja"]


def get_locale() -> str:
    return _current_locale.get()


def set_locale(locale: str) -> None:
    _current_locale.set(locale if locale in LOCALES else "ja")


@contextmanager
def using_locale(locale: str) -> Iterator[None]:
    """Render in another member's language (emails), then restore."""
    token = _current_locale.set(locale if locale in LOCALES else "ja")
    try:
        yield
    finally:
        _current_locale.reset(token)


def gettext(message: str, **params: Any) -> str:
    """Translate `message` into the current locale; `%(name)s` placeholders take `params`."""
    text = _catalog().gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    text = _catalog().ngettext(singular, plural, n)
    return text % {"num": n, **params}


_ = gettext


@dataclass(frozen=True)
class Text:
    """A message translated when it is shown, not when it is made: a flash message is read on
    the next page, after the member may have switched their language or time zone."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def translated(self) -> str:
        return gettext(self.msgid, **self.params)


def lazy(message: str, **params: Any) -> Text:
    """`gettext(message, **params)`, later (see Text). Extracted like gettext."""
    return Text(message, params)


def raw_gettext(message: str) -> str:
    """Jinja's newstyle gettext does its own formatting and escaping."""
    return _catalog().gettext(message)


def raw_ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def negotiate(preferred: str | None, accept_language: str | None, default: str) -> str:
    """The member's preference, then the browser's Accept-Language, then the default."""
    if preferred in LOCALES:
        return str(preferred)
    for tag in _parse_accept_language(accept_language or ""):
        base = tag.split("-")[0].lower()
        if base in LOCALES:
            return base
    return default if default in LOCALES else "ja"


def _parse_accept_language(header: str) -> list[str]:
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]
