"""app.parsing is pure: document bytes in, plain data out, with nothing of the web or the database.

Two views of one promise: what the source of every module imports (at any depth, in functions
too), and what importing every module actually loads.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import app.parsing
from tests.conftest import REPO

# What parsing may use beyond the standard library: readers of the formats reports come in, and
# OpenCC for the traditional characters of mirrored reports.
THIRD_PARTY = frozenset({"lxml", "pypdfium2", "charset_normalizer", "opencc", "openpyxl"})
# The web, the database and the API's shapes, and the modules of gkstats built on them.
FORBIDDEN = (
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_settings",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "httpx",
    "httpx2",
    "uvicorn",
    "anyio",
    "app.api",
    "app.models",
    "app.db",
    "app.main",
    "app.config",
    "app.schemas",
    "app.ingest",
    "app.rollup",
    "app.stats",
)


def _source(module: str) -> Path:
    path = REPO.joinpath(*module.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imports(module: str) -> set[str]:
    """Every module named by an import statement in `module`'s source, relative ones resolved."""
    path = _source(module)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            name = ".".join(part for part in (base, node.module) if part)
            found.add(name)
            # `from app.parsing import text` may name a module rather than a function.
            found.update(
                f"{name}.{alias.name}"
                for alias in node.names
                if _source(f"{name}.{alias.name}").exists()
            )
    return found


def _parsing_modules() -> list[str]:
    prefix = f"{app.parsing.__name__}."
    return [app.parsing.__name__] + [
        info.name for info in pkgutil.walk_packages(app.parsing.__path__, prefix)
    ]


def _is_forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN)


def test_parsing_source_imports_no_web_or_database_code() -> None:
    """Follows gkstats modules app.parsing reaches (app.catalog, say) to the end."""
    pending = ["app", *_parsing_modules()]  # importing app.parsing runs app/__init__.py too
    seen = set(pending)
    outside: list[str] = []
    while pending:
        module = pending.pop()
        for name in sorted(_imports(module)):
            root = name.partition(".")[0]
            if _is_forbidden(name) or (
                root not in ("app", "__future__")
                and root not in sys.stdlib_module_names
                and root not in THIRD_PARTY
            ):
                outside.append(f"{module} imports {name}")
            elif root == "app" and name not in seen and _source(name).exists():
                seen.add(name)
                pending.append(name)
    assert outside == []


def test_importing_parsing_loads_no_web_or_database_code() -> None:
    modules = _parsing_modules()
    program = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "app.parsing.document" in loaded
    assert [name for name in loaded if _is_forbidden(name)] == []
