"""docs/architecture.md names every model and every module of the project's apps, so a newcomer who reads
it meets every piece the code has; a model or module added without a word there fails here."""

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

APPS = ("servicelevel", "units", "exemptions", "actionplan", "compliance", "portal", "api")
ARCHITECTURE = Path(settings.BASE_DIR) / "docs" / "architecture.md"


def architecture() -> str:
    return ARCHITECTURE.read_text(encoding="utf-8")


def project_models() -> list[str]:
    """Every concrete model of the project's apps: abstract models are never registered, proxies are left
    out, and `get_models` leaves out Django's auto-created many-to-many tables."""
    return sorted(m.__name__ for m in apps.get_models() if m._meta.app_label in APPS and not m._meta.proxy)


def project_modules() -> list[str]:
    """Every module of the apps as a path from the repository's root, e.g. `compliance/engine/booking.py`;
    migrations and package `__init__` files are not modules a reader looks for."""
    root = Path(settings.BASE_DIR)
    return sorted(
        str(path.relative_to(root))
        for app in APPS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "__init__.py"
    )


def named(name: str, text: str) -> bool:
    # A whole word: `Report` must not pass because `ReportLimitReached` or `Reports` is written.
    return re.search(rf"(?<![\w/.]){re.escape(name)}(?![\w])", text) is not None


def test_every_model_is_named_in_the_architecture():
    text = architecture()
    assert len(project_models()) > 30  # the probe finds the models at all
    assert [m for m in project_models() if not named(m, text)] == []


def test_every_module_is_named_by_its_path_in_the_architecture():
    """By its path from the repository's root: several features have a `views.py`, so a bare file name
    would not say which one."""
    text = architecture()
    assert "portal/units/views.py" in project_modules()  # the probe walks the feature folders
    assert [m for m in project_modules() if not named(m, text)] == []


def test_the_probe_tells_a_named_word_from_a_longer_one():
    assert named("Report", "`Report` rows")
    assert not named("Report", "`ReportLimitReached` only")
    assert named("portal/units/views.py", "| `portal/units/views.py` |")
    assert not named("units/views.py", "`portal/units/views.py`")
