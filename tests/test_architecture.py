"""The layout's promises: the engine is pure, models hold only tables."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_ENGINE = ("flask", "flask_htmx", "flask_babel", "sqlmodel", "sqlalchemy",
                       "webapp", "models", "fixtures")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_engine_imports_neither_flask_nor_the_database():
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & set(FORBIDDEN_IN_ENGINE))
        for path in (ROOT / "matcher").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_models_do_not_import_the_web_layer():
    for path in (ROOT / "models").rglob("*.py"):
        assert not imported_modules(path) & {"flask", "webapp", "matcher"}, path
