"""SQL lives only in bot/store/: no other module of bot/ or connectors/ imports SQLite or holds a SQL statement.

This keeps a PostgreSQL backend a change to bot/store/ alone (docs/architecture.md).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import REPO

SQL = re.compile(r"^\s*(SELECT\b.*\bFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM|"
                 r"CREATE\s+(TABLE|INDEX|TRIGGER|VIEW)|DROP\s+(TABLE|INDEX)|ALTER\s+TABLE|PRAGMA\s+\w+|BEGIN\b|COMMIT\b)",
                 re.IGNORECASE | re.DOTALL)
DRIVERS = {"sqlite3", "sqlite_utils", "apsw", "psycopg", "psycopg2", "sqlalchemy"}


def _docstrings(tree: ast.Module) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def problems(path: Path) -> list[str]:
    """SQL statements and database-driver imports in one source file, as ``path:line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip \
                and SQL.match(node.value):
            found.append(f"{path}:{node.lineno}: SQL {node.value[:40]!r}")
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module or ""] if isinstance(node, ast.ImportFrom) else []
        found += [f"{path}:{node.lineno}: imports {n}" for n in names if n.split(".")[0] in DRIVERS]
    return found


def test_sql_and_sqlite_stay_in_bot_store() -> None:
    store = REPO / "bot" / "store"
    files = [p for folder in ("bot", "connectors") for p in (REPO / folder).rglob("*.py") if store not in p.parents]
    assert len(files) > 50
    assert [p for f in files for p in problems(f)] == []


def test_the_check_finds_sql_outside_the_store(tmp_path: Path) -> None:
    sample = tmp_path / "leak.py"
    sample.write_text('"""Docs may say SELECT x FROM y."""\nimport sqlite3\nQ = "select id from mentions"\n'
                      'OK = "update the settings"\n', encoding="utf-8")
    assert [p.split(": ", 1)[1] for p in problems(sample)] == ["imports sqlite3", "SQL 'select id from mentions'"]
