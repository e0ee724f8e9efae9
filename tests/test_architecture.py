"""The packages form one direction of flow: each may import only from the layers below it.

The imports are read from the source with `ast`, every one of them: module level, inside
functions, and under `if TYPE_CHECKING:`.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tickpy"

# Bottom first. A module may import from its own layer and from layers before it.
LAYERS = [
    {"golang"},
    {"diagnostics", "filenames", "grammar", "datafiles"},
    {"syntax"},
    {"lang", "influxql"},
    {"check"},
    {"runtime"},
    {"alerting"},
    {"observe"},
    {"api", "udf"},
    {"testing", "serve", "lsp"},
    {"cli", "__main__"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _unit_of(parts: tuple[str, ...]) -> str | None:
    """The layer unit of a module path below tickpy/ (`runtime`, `api`, ...); None for tickpy itself."""
    if not parts or parts == ("__init__",):
        return None
    return parts[0]


def _module_path(path: pathlib.Path, root: pathlib.Path) -> tuple[str, ...]:
    return path.relative_to(root).with_suffix("").parts


def imported_modules(path: pathlib.Path, root: pathlib.Path = ROOT) -> list[tuple[int, str]]:
    """(line, dotted module) of every tickpy import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = ("tickpy",) + _module_path(path, root)[:-1]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                module = ".".join(base + ((node.module,) if node.module else ()))
            else:
                module = node.module or ""
            if node.module is None:
                found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return [(line, name) for line, name in found if name == "tickpy" or name.startswith("tickpy.")]


def upward_edges(root: pathlib.Path = ROOT) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        source_unit = _unit_of(_module_path(path, root))
        if source_unit is None:
            continue
        assert source_unit in RANK, f"{path}: package {source_unit!r} has no layer: add it to LAYERS"
        for line, module in imported_modules(path, root):
            target_unit = _unit_of(tuple(module.split(".")[1:]))
            if target_unit is None or target_unit == source_unit:
                continue
            assert target_unit in RANK, f"{path}:{line}: {module} is in no layer: add it to LAYERS"
            if RANK[target_unit] > RANK[source_unit]:
                problems.append(f"{path.relative_to(root.parent)}:{line}: {source_unit} imports {module} "
                                f"({target_unit} is above {source_unit})")
    return problems


def test_no_package_imports_from_a_layer_above_it():
    assert upward_edges() == []


def test_golang_imports_nothing_else_from_tickpy():
    for path in sorted((ROOT / "golang").rglob("*.py")):
        for line, module in imported_modules(path):
            assert module.startswith("tickpy.golang"), f"{path}:{line}: {module}"


def test_the_check_sees_an_upward_import(tmp_path):
    """The test above would fail on an upward edge, function-local or not."""
    tree = tmp_path / "tickpy"
    (tree / "golang").mkdir(parents=True)
    (tree / "runtime").mkdir()
    (tree / "golang" / "gojson.py").write_text("def f():\n    from tickpy.runtime import engine\n")
    (tree / "runtime" / "engine.py").write_text("from ..golang import gojson\n")
    problems = upward_edges(tree)
    assert len(problems) == 1
    assert "golang imports tickpy.runtime" in problems[0]


@pytest.mark.parametrize("unit", sorted(RANK))
def test_every_layer_exists(unit):
    assert (ROOT / unit).is_dir() or (ROOT / f"{unit}.py").is_file(), f"LAYERS names {unit!r}, which is gone"


def _commented(lines: list[str], node: ast.stmt, function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function-local import says why it is there: a comment on its lines, on the
    import or blank lines just above it, or one heading the function's body."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    if any("#" in lines[i] for i in range(first, last + 1)):
        return True
    i = first - 1
    while i >= 0:
        text = lines[i].strip()
        if text.startswith("#"):
            return True
        if text and not text.startswith(("import ", "from ")) and not text.endswith((",", "(", ")")):
            break
        if "#" in lines[i]:
            return True
        i -= 1
    body_start = function.body[0].lineno - 1
    head = lines[function.lineno - 1:body_start + 1]
    return any(text.strip().startswith("# deferred") for text in head)


def function_local_imports_without_a_reason(root: pathlib.Path = ROOT) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text()
        lines = text.splitlines()
        for function in ast.walk(ast.parse(text)):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and not _commented(lines, node, function):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return sorted(set(found))


def test_function_local_imports_say_why():
    """Imports go at the top of a module; one inside a function saves start-up time or breaks a
    cycle inside a package, and its comment says which."""
    assert function_local_imports_without_a_reason() == []
