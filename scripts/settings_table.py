"""Print the README's configuration table from core/settings.py (field, default, docstring)."""

from __future__ import annotations

import ast
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def docstrings() -> dict[str, str]:
    """Attribute docstrings: the string literal right after each annotated field."""
    tree = ast.parse((ROOT / "core" / "settings.py").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Settings":
            body = node.body
            for current, following in itertools.pairwise(body):
                if (
                    isinstance(current, ast.AnnAssign)
                    and isinstance(current.target, ast.Name)
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                ):
                    found[current.target.id] = str(following.value.value)
    return found


def main() -> None:
    from core.settings import Settings

    docs = docstrings()
    print("| variable | default | meaning |")
    print("|---|---|---|")
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if name == "var_dir":
            default = "var/ (in the checkout)"
        shown = "—" if default is None else f"`{default}`"
        print(f"| `{name.upper()}` | {shown} | {docs.get(name, '')} |")


if __name__ == "__main__":
    main()
