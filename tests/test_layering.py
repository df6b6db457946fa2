"""The architecture as a test: which package may import which (an AST walk of every import).

Layers, bottom up: core → store → ingest; core → queries (plain data only) → metrics → charts/briefing;
web (the only streamlit user, with app.py and pages/) and tools (the command line) on top.
A wrong-way import fails here with the file and the import that broke the rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("governance", "queries")
# What each package may import of the project (besides itself).
ALLOWED = {
    "governance.core": set(),
    "governance.store": {"governance.core"},
    "governance.ingest": {"governance.core", "governance.store"},
    "queries": set(),
    "governance.metrics": {"governance.core", "queries"},
    "governance.charts": {"governance.core"},
    "governance.briefing": {"governance.core", "governance.metrics", "governance.charts", "queries"},
    "governance.demo": {"governance.core", "governance.store", "governance.ingest"},
    "governance.web": {"governance.core", "governance.store", "governance.ingest", "governance.metrics",
                       "governance.charts", "governance.briefing", "governance.demo", "queries"},
    "governance.tools": {"governance.core", "governance.store", "governance.ingest", "governance.metrics",
                         "governance.charts", "governance.briefing", "governance.demo", "queries"},
    "governance": {"governance.tools"},  # __main__
    "app": {"governance.web"},
    "pages": {"governance.web", "governance.core"},
}
# Third-party packages only some layers may use.
ONLY = {"duckdb": {"queries"}, "streamlit": {"governance.web", "app", "pages"}}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "governance":
        if len(parts) > 2 and parts[1] == "web":
            return "governance.web"
        return ".".join(parts[:2]) if len(parts) > 1 and f"governance.{parts[1]}" in ALLOWED else "governance"
    return parts[0] if parts[0] in ALLOWED else None


def imports(path: Path) -> list[tuple[int, str]]:
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from governance.core import contract` names the module governance.core.contract
            out += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return out


def violations(path: Path, owner: str) -> list[str]:
    bad = []
    for line, name in imports(path):
        top = name.split(".")[0]
        where = f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line} imports {name}"
        if top in ONLY and owner not in ONLY[top]:
            bad.append(f"{where} ({top} is only for {sorted(ONLY[top])})")
        if top in PROJECT:
            target = package_of(name)
            if target and target != owner and target not in ALLOWED[owner]:
                bad.append(f"{where} ({owner} may import only {sorted(ALLOWED[owner]) or 'nothing of the project'})")
    return bad


def owner_of(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return package_of(".".join(rel.parts)) or rel.parts[0]


def project_files() -> list[Path]:
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "queries").rglob("*.py")]
    return files + list((ROOT / "governance").rglob("*.py"))


def test_every_import_follows_the_layers():
    bad = [v for f in project_files() for v in violations(f, owner_of(f))]
    assert bad == [], "wrong-way imports:\n" + "\n".join(bad)


def test_the_walk_sees_every_project_file():
    owners = {owner_of(f) for f in project_files()}
    assert owners <= set(ALLOWED), owners - set(ALLOWED)
    assert {"governance.core", "governance.web", "queries", "pages"} <= owners


def test_a_wrong_way_import_is_caught(tmp_path):
    # A synthetic core module that reaches up into the web layer and into duckdb.
    bad = tmp_path / "bad.py"
    bad.write_text("import duckdb\nfrom governance.web import app_data\nfrom governance.core import periods\n")
    found = violations(bad, "governance.core")
    assert len(found) == 2
    assert "bad.py:1 imports duckdb" in found[0] and "only for ['queries']" in found[0]
    assert "bad.py:2 imports governance.web.app_data" in found[1]
    # the same file is fine for the web layer, except for duckdb
    assert [v for v in violations(bad, "governance.web") if "duckdb" not in v] == []


def test_the_web_layer_reaches_the_engine_and_the_store_only_through_app_data():
    # app_data caches per store version; a view that ran queries or opened the store itself would bypass that
    # (and, with place-bound accounts, the scope the gateway applies).
    bad = []
    for path in (ROOT / "governance" / "web").rglob("*.py"):
        if path.name == "app_data.py":
            continue
        bad += [f"{path.relative_to(ROOT)}:{line} imports {name}" for line, name in imports(path)
                if name.split(".")[0] == "queries" or name.startswith("governance.store")]
    assert bad == [], "\n".join(bad)
