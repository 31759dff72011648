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


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the product's modules it imports (at the top or inside a function)."""
    paths = [path for package in ("matcher", "models", "webapp")
             for path in (ROOT / package).rglob("*.py") if "migrations" not in path.parts]
    modules = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from package import module` names the module; `from module import name`
                # the module itself.
                targets.update(f"{node.module}.{alias.name}"
                               if f"{node.module}.{alias.name}" in modules else node.module
                               for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def test_the_product_modules_import_each_other_without_a_loop():
    # A loop of imports is a knot in the layers: each module in it can only be understood, or
    # moved, together with the others (an import inside a function hides it from Python, not
    # from the reader). Layers import downwards; the app factory imports the features.
    graph, loops = _import_graph(), []
    order, low, stack, on_stack = {}, {}, [], set()

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        order[module] = low[module] = len(order)
        stack.append(module)
        on_stack.add(module)
        for target in graph[module]:
            if target not in order:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], order[target])
        if low[module] == order[module]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == module:
                    break
            if len(component) > 1:
                loops.append(sorted(component))

    for module in sorted(graph):
        if module not in order:
            visit(module)
    assert loops == [], "import loops: " + "; ".join(" <-> ".join(loop) for loop in loops)
