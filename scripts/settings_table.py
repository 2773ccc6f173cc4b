"""The README's configuration table, generated from the settings sections (field, default,
docstring): core/settings.py, then each domain's settings.py, as settings.Settings holds them.

python scripts/settings_table.py           print the table (markdown)
python scripts/settings_table.py --write   replace the table in README.md between its markers
"""

from __future__ import annotations

import ast
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

README = ROOT / "README.md"
START = "<!-- settings-table:start (python scripts/settings_table.py --write) -->"
END = "<!-- settings-table:end -->"


def docstrings() -> dict[str, str]:
    """Attribute docstrings: the string literal right after each annotated field."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.glob("*/settings.py")):  # the kernel's and each domain's section
        found.update(_docstrings(path))
    return found


def _docstrings(path: Path) -> dict[str, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name.endswith("Settings"):
            for current, following in itertools.pairwise(node.body):
                if (
                    isinstance(current, ast.AnnAssign)
                    and isinstance(current.target, ast.Name)
                    and isinstance(following, ast.Expr)
                    and isinstance(following.value, ast.Constant)
                ):
                    found[current.target.id] = str(following.value.value)
    return found


def table() -> str:
    from settings import Settings

    docs = docstrings()
    lines = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        if name == "var_dir":
            shown = "`var/` in the checkout"
        else:
            shown = "—" if default is None else f"`{default}`"
        meaning = docs.get(name, "").replace("|", "\\|")
        lines.append(f"| `{name.upper()}` | {shown} | {meaning} |")
    return "\n".join(lines)


def readme_with_table(readme: str) -> str:
    """`readme` with the text between the markers replaced by the current table."""
    head, start, rest = readme.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"README.md lacks the markers {START!r} and {END!r}")
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> None:
    if "--write" in sys.argv[1:]:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(table())


if __name__ == "__main__":
    main()
