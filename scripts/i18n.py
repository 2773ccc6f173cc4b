"""Message catalogs: extract from code and templates, merge, translate, check.

python scripts/i18n.py update              extract messages and merge them into ja and en
python scripts/i18n.py translate FILE.json  set ja translations from {"msgid": "訳"}
python scripts/i18n.py check               fail when a ja message is untranslated
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ("ja", "en")
# The kernel, every domain (a package with a domain.py) and the templates.
SOURCE_DIRS = (
    "core",
    *sorted(path.parent.name for path in ROOT.glob("*/domain.py") if path.parent.name != "core"),
    "templates",
)
KEYWORDS = {"_": None, "gettext": None, "lazy": None, "ngettext": (1, 2), "N_": None, "t": None}


def catalog_path(locale: str) -> Path:
    return ROOT / "locale" / locale / "LC_MESSAGES" / "messages.po"


def extract() -> Catalog:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    template = Catalog(project="Kizuna", charset="utf-8")
    for directory in SOURCE_DIRS:
        path = ROOT / directory
        if not path.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(path), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
        ):
            if not message or (isinstance(message, tuple) and not message[0]):
                continue
            template.add(
                message,
                None,
                [(f"{directory}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return template


def load(locale: str) -> Catalog:
    path = catalog_path(locale)
    if not path.exists():
        return Catalog(locale=locale, charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def save(catalog: Catalog, locale: str) -> None:
    path = catalog_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(
            handle, catalog, width=100, sort_output=True, omit_header=False, include_previous=False
        )


def update() -> None:
    template = extract()
    for locale in LOCALES:
        catalog = load(locale)
        catalog.update(template, no_fuzzy_matching=True)
        # Obsolete messages are dropped: the catalog mirrors the code.
        catalog.obsolete.clear()
        save(catalog, locale)
    print(f"{len(template)} messages")


def translate(path: str) -> None:
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    catalog = load("ja")
    missing = []
    for msgid, text in entries.items():
        key = tuple(msgid) if isinstance(msgid, list) else msgid
        message = catalog.get(key)
        if message is None:
            missing.append(msgid)
            continue
        message.string = text
        message.flags.discard("fuzzy")
    save(catalog, "ja")
    if missing:
        print("not in the catalog (run update first):", *missing, sep="\n  ")


def check() -> int:
    catalog = load("ja")
    untranslated = [
        m.id
        for m in catalog
        if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)) or m.fuzzy)
    ]
    for msgid in untranslated:
        print("untranslated:", msgid)
    return 1 if untranslated else 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "translate":
        translate(sys.argv[2])
    else:
        sys.exit(check())
