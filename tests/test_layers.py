"""The packages depend on each other one way only (README, "Architecture"): each may import the
ones listed for it and no other of the project's packages, at module level or inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("core", "accounts", "campaigns", "teams", "judging")
# what each package may import, besides itself
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "accounts": frozenset(DOMAIN[:1]),
    "campaigns": frozenset(DOMAIN[:2]),
    "teams": frozenset(DOMAIN[:3]),
    "judging": frozenset(DOMAIN[:4]),
    "incubation": frozenset(DOMAIN),
    "insights": frozenset({*DOMAIN, "incubation"}),
    "notifications": frozenset(DOMAIN),
    "automation": frozenset({*DOMAIN, "incubation", "notifications"}),
    "schema": frozenset({*DOMAIN, "incubation", "notifications"}),
    "web": frozenset({*DOMAIN, "incubation", "insights", "notifications", "automation", "schema"}),
    "migrations": frozenset({"core", "schema"}),
}


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """The project's packages a module imports, with the line of each import."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in ALLOWED}
    return found


def test_every_package_imports_only_the_layers_below_it() -> None:
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            for imported, line in sorted(imported_packages(path)):
                if imported != package and imported not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert wrong == [], "\n".join(wrong)


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom web.app import create_app\n\ndef f():\n    import judging.models\n")
    assert imported_packages(module) == {("web", 2), ("judging", 5)}
