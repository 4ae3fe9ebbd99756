"""The packages import one way: config ← watcher ← scoring ← ui ← veille (the composition root).

Every import is checked, module-level and inside functions alike, by reading the source (ast): a lower package
never imports a higher one. demo (the offline demo's feed server and config) builds on config and watcher only;
bench may use every product package, never the tests.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RANK = {"config": 0, "watcher": 1, "scoring": 2, "ui": 3, "veille": 4}
SIDE = {"demo": {"config", "watcher", "demo"}, "bench": {*RANK, "demo", "bench"}}
OURS = {*RANK, *SIDE, "tests"}


def imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return found


def violations(package: str) -> list[str]:
    out = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, name in imports(path):
            top = name.split(".")[0]
            where = f"{path.relative_to(ROOT)}:{line}: {package} imports {name}"
            if name.startswith("."):
                out.append(where + " (relative: name the package)")
            elif top not in OURS:
                continue
            elif package in RANK:
                allowed = (top in RANK and RANK[top] <= RANK[package]) or (package == "veille" and top == "demo")
                if not allowed:
                    out.append(where)
            elif top not in SIDE[package]:
                out.append(where)
    return out


def test_no_package_imports_a_higher_one():
    found = [v for package in [*RANK, *SIDE] for v in violations(package)]
    assert not found, "\n".join(found)


def test_the_check_finds_an_upward_import(tmp_path, monkeypatch):
    """The check itself can fail: an upward import inside a function is found."""
    pkg = tmp_path / "watcher"
    pkg.mkdir()
    (pkg / "bad.py").write_text("def f():\n    from ui.services import stories\n", encoding="utf-8")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "bad.py").write_text("import scoring.model\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert violations("watcher") == ["watcher/bad.py:2: watcher imports ui.services"]
    assert violations("demo") == ["demo/bad.py:1: demo imports scoring.model"]
