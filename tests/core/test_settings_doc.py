"""The README's configuration table is the one generated from core/settings.py."""

from __future__ import annotations

import importlib.util

from core.settings import ROOT
from settings import Settings


def test_readme_lists_every_setting_as_generated():
    spec = importlib.util.spec_from_file_location(
        "settings_table", ROOT / "scripts" / "settings_table.py"
    )
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.readme_with_table(readme) == readme, (
        "README.md is out of date: run `python scripts/settings_table.py --write`"
    )
    for name in Settings.model_fields:
        assert f"| `{name.upper()}` |" in readme
        assert script.docstrings().get(name), f"Settings.{name} has no docstring"
