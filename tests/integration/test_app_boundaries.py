"""Each app's only cross-app surface is its selectors.py and services.py (issue #10 §1, ADR 0003).

An AST scan of every module under microcredit/apps (module-level and function-level imports
alike): a module of app A may import from app B only `B.selectors` (scoped reads) and
`B.services` (audited writes), plus the infrastructure listed in INFRASTRUCTURE. Enumerations
other apps need are re-exported by the owning app's selectors. Migrations are not scanned
(Django writes them; foreign keys name their targets as 'app.Model' strings).

`microcredit/web` is the shell over every app: it too may use only selectors, services and the
infrastructure. `microcredit/demo` is a data generator that writes rows in bulk; it may use
models and is not scanned.
"""

from __future__ import annotations

import ast
from pathlib import Path

import microcredit

PACKAGE = Path(microcredit.__file__).parent
PUBLIC = {"selectors", "services"}
# Infrastructure every app uses: app → modules (None: all of them).
INFRASTRUCTURE: dict[str, set[str] | None] = {
    "core": None,  # clock, registries, panels, forms/api types, tables, excel, masking, params
    "accounts": {"scope", "roles", "current", "lockout", "tokens"},  # who may see what; request identity
    "jobs": {"runner", "schedule", "exports"},  # the job, schedule and export registries, enqueue
    "portal": {"access"},  # the one guard that confines a household's session and token (ADR 0011)
}


def _imports(path: Path):
    """(line, imported module) for every import of microcredit.apps.* in the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("microcredit.apps."):
            if node.module.count(".") == 2:  # from microcredit.apps.funds import selectors
                yield from ((node.lineno, f"{node.module}.{a.name}") for a in node.names)
            else:  # a private name (from …services import _helper) counts as its own module
                yield node.lineno, node.module
                yield from ((node.lineno, f"{node.module}.{a.name}") for a in node.names if a.name.startswith("_"))
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, a.name) for a in node.names if a.name.startswith("microcredit.apps."))


def _allowed(own_app: str | None, module: str) -> bool:
    _, _, app, *rest = module.split(".")
    if app == own_app:
        return True
    if any(part.startswith("_") for part in rest):
        return False
    sub = rest[0] if rest else ""
    infrastructure = INFRASTRUCTURE.get(app, set())
    return sub in PUBLIC or infrastructure is None or sub in infrastructure


def violations() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = [p for p in (PACKAGE / "apps").rglob("*.py") if "migrations" not in p.parts]
    for path in files + sorted((PACKAGE / "web").rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent)
        own_app = rel.parts[2] if rel.parts[1] == "apps" else None
        for _, module in _imports(path):
            if not _allowed(own_app, module):
                found.setdefault(rel.as_posix(), set()).add(module)
    return found


def test_apps_import_only_selectors_services_and_infrastructure_of_other_apps():
    found = violations()
    assert not found, "cross-app imports other than selectors/services:\n" + "\n".join(
        f"{f}: {sorted(m)}" for f, m in sorted(found.items()))


def test_scan_sees_every_kind_of_import(tmp_path):
    (tmp_path / "m.py").write_text(
        "from microcredit.apps.loans.models import Loan\nfrom microcredit.apps.funds import subsidy\n"
        "def f():\n    import microcredit.apps.rating.facts\n", encoding="utf-8")
    assert [m for _, m in _imports(tmp_path / "m.py")] == [
        "microcredit.apps.loans.models", "microcredit.apps.funds.subsidy", "microcredit.apps.rating.facts"]
    assert not _allowed("funds", "microcredit.apps.loans.servicing")
    assert not _allowed("funds", "microcredit.apps.loans.services._private")
    assert _allowed("funds", "microcredit.apps.loans.selectors") and _allowed("funds", "microcredit.apps.core.clock")
