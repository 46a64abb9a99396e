"""Apps depend one way (docs/architecture.md): servicelevel ← units ← exemptions, actionplan ← compliance ← portal."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

MAY_IMPORT = {
    "servicelevel": set(),
    "units": {"servicelevel"},
    "exemptions": {"servicelevel", "units"},
    "actionplan": {"servicelevel", "units"},
    "compliance": {"servicelevel", "units", "exemptions", "actionplan"},
    "portal": {"servicelevel", "units", "exemptions", "actionplan", "compliance"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(MAY_IMPORT)


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_apps_import_only_the_apps_below_them(app):
    wrong = {}
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        bad = imported_apps(path) - MAY_IMPORT[app] - {app}
        if bad:
            wrong[str(path.relative_to(settings.BASE_DIR))] = sorted(bad)
    # The Django project's wiring (settings, urls, Celery app) names every app by design.
    wrong = {p: b for p, b in wrong.items() if p not in ("servicelevel/settings.py", "servicelevel/urls.py")}
    assert wrong == {}


def test_no_module_imports_another_modules_private_name():
    """A leading underscore means "this module's own": another module that needs it gets a public name
    (reports once imported `_exemption_rows`, the audit view `_csv_response`, the exemption selector
    `_inactive`)."""
    wrong = []
    for app in MAY_IMPORT:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (
                    node.level or (node.module or "").split(".")[0] in MAY_IMPORT
                ):
                    wrong += [
                        f"{path.relative_to(settings.BASE_DIR)}: {a.name}"
                        for a in node.names
                        if a.name.startswith("_") and not a.name.startswith("__")
                    ]
    assert wrong == []
