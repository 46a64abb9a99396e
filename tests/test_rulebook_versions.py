"""Rulebook versions in the database (docs/rulebooks.md, "Versions" and "Commands"): load_rulebook and
export_rulebook, a version never edited, a later version judging only dates from its in_force_from."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from compliance.models import UnitResult
from compliance.services import evaluate, recompute
from servicelevel import rulebooks
from servicelevel.models import AuditEntry, Decision, Requirement
from servicelevel.rulebook_file import dump, parse

from . import factories as f
from .helpers import manage

pytestmark = pytest.mark.django_db

SHIPPED = Path(rulebooks.__file__).parent / "fixtures" / "rulebooks"
SKANE = SHIPPED / "skane-2026-0000277.yaml"


def skane_text() -> str:
    return SKANE.read_text(encoding="utf-8")


def write(tmp_path, text: str, name: str = "regelbok.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def new_version(text: str, version: str, in_force_from: str) -> str:
    text = text.replace('version: "2.0"', f'version: "{version}"', 1)
    return text.replace("in_force_from: 2026-05-11", f"in_force_from: {in_force_from}", 1)


def test_migrate_left_skanes_shipped_file_stored_as_it_is():
    stored = Decision.objects.get(number="2026-0000277", version="2.0")
    assert rulebooks.file_of(stored) == parse(skane_text(), "skane.yaml")
    ran = manage("load_rulebook", SKANE)
    assert ran.code == 0, ran.err
    assert ran.out.strip() == "rulebook: 2026-0000277 2.0 (skane): 16 requirements, unchanged"
    assert Decision.objects.count() == 1


def test_export_gives_a_file_load_rulebook_takes_back_unchanged(tmp_path):
    out = tmp_path / "export.yaml"
    assert manage("export_rulebook", "--output", out).code == 0
    assert parse(out.read_text(encoding="utf-8"), "export.yaml") == parse(skane_text(), "skane.yaml")
    by_version = manage("export_rulebook", "--decision", "2026-0000277", "--version", "2.0")
    assert by_version.out == out.read_text(encoding="utf-8")
    assert "unchanged" in manage("load_rulebook", out).out
    missing = manage("export_rulebook", "--version", "9.9")
    assert missing.code == 2 and "ingen lagrad version" in missing.err


def test_a_changed_file_under_a_stored_version_is_refused_by_line(tmp_path):
    path = write(tmp_path, skane_text().replace("threshold: 0.95", "threshold: 0.9"))
    ran = manage("load_rulebook", path)
    assert ran.code == 1
    line = next(n for n, text in enumerate(skane_text().splitlines(), 1) if text.startswith("  version:"))
    assert ran.errors == [
        f"{path}:{line}: decision.version: 2026-0000277 version 2.0 finns redan med annat innehåll; en "
        "inläst version ändras aldrig – ge den en ny version"
    ]
    assert Requirement.objects.get(code="SV1-SVARSTID").parameters["threshold"] == 0.95
    assert Decision.objects.count() == 1


def test_another_regions_file_is_refused_and_nothing_written(tmp_path):
    ran = manage("load_rulebook", SHIPPED / "halland-RS220477.yaml")
    assert ran.code == 1
    assert (
        len(ran.errors) == 1
        and ": region.code: filen gäller halland, men portalen följer skane" in ran.errors[0]
    )
    assert not Decision.objects.filter(region_code="halland").exists()


def test_a_bad_file_is_refused_with_every_problem_and_a_missing_one_is_usage(tmp_path):
    bad = (
        skane_text()
        .replace("kind: booked_all", "kind: booked_every", 1)
        .replace("at_least: 8", "at_least: -1")
    )
    ran = manage("load_rulebook", write(tmp_path, new_version(bad, "2.1", "2027-01-01")))
    assert ran.code == 1 and len(ran.errors) == 2
    assert all(":" in line.split(" ", 1)[0] for line in ran.errors)
    assert Decision.objects.count() == 1
    assert manage("load_rulebook", tmp_path / "saknas.yaml").code == 2


def sv1_at_share(unit, in_time: int, late: int, month_start: datetime.datetime):
    for n in range(in_time + late):
        received = month_start + datetime.timedelta(days=1 + n % 20, hours=1)
        answered = received + (datetime.timedelta(hours=2) if n < in_time else datetime.timedelta(days=9))
        f.CaseFactory(unit=unit, received_at=received, first_response_at=answered)


def test_a_new_version_with_sv1_at_090_previews_then_judges_from_its_date_while_earlier_results_name_20(
    tmp_path, django_capture_on_commit_callbacks
):
    unit = f.CareUnitFactory()
    sv1_at_share(unit, 23, 2, datetime.datetime(2026, 11, 1, 8, tzinfo=datetime.UTC))  # 92 %
    november = datetime.date(2026, 11, 30)
    recompute(as_of=november)
    assert evaluate(november).units[0].requirements["SV1-SVARSTID"].status == "not_met"

    text = new_version(skane_text().replace("threshold: 0.95", "threshold: 0.9"), "2.1", "2026-12-01")
    path = write(tmp_path, text)
    dry = manage("load_rulebook", "--dry-run", path)
    assert dry.code == 0, dry.err
    assert "2026-0000277 2.1 (skane): 16 requirements, would be loaded" in dry.out
    assert Decision.objects.count() == 1  # nothing written

    with django_capture_on_commit_callbacks(execute=True):
        ran = manage("load_rulebook", path)
    assert ran.out.strip() == "rulebook: 2026-0000277 2.1 (skane): 16 requirements, loaded"
    assert Decision.in_force(november).version == "2.0"
    assert Decision.in_force(datetime.date(2026, 12, 1)).version == "2.1"
    # The stored November results are not rewritten; a November date is still judged by 2.0.
    assert UnitResult.objects.get(unit=unit, as_of=november).decision.version == "2.0"
    assert evaluate(november).context.decision.version == "2.0"
    entry = AuditEntry.objects.get(action="rulebook_loaded")
    assert entry.detail["version"] == "2.1" and entry.detail["in_force_from"] == "2026-12-01"


def test_the_effect_of_a_new_version_names_the_units_it_moves():
    from compliance.rulebook_effect import effect

    period = f.SchedulePeriodFactory(
        start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2027, 2, 28)
    )
    seven = f.BookingFiguresFactory(period=period, lookahead_weeks=Decimal("7")).unit
    nine = f.BookingFiguresFactory(period=period).unit
    text = new_version(skane_text(), "2.1", "2027-01-01").replace("at_least: 8", "at_least: 6")
    result = effect(parse(text, "x.yaml"), datetime.date(2026, 12, 4))
    assert (result.before, result.after) == ("2026-0000277 version 2.0", "2026-0000277 version 2.1")
    assert result.units == 2
    moved = {change.hsa_id: change for change in result.changes}
    assert set(moved) == {seven.hsa_id}
    assert [(s.code, s.before, s.after) for s in moved[seven.hsa_id].statuses] == [
        ("TB2-FRAMFORHALLNING", "not_met", "met")
    ]
    assert nine.hsa_id not in moved
    assert result.transitions == {"TB2-FRAMFORHALLNING": {("not_met", "met"): 1}}


def test_a_deployment_follows_its_regions_files(settings):
    settings.SERVICELEVEL_REGION = "halland"
    outcomes = rulebooks.load_shipped()
    assert [(o.decision.number, o.created) for o in outcomes] == [("RS220477", True)]
    assert Decision.in_force(datetime.date(2026, 12, 4)).number == "RS220477"
    assert [o.created for o in rulebooks.load_shipped()] == [False]
    settings.SERVICELEVEL_REGION = ""
    # Unset, the region is that of the version loaded last.
    assert Decision.in_force(datetime.date(2026, 12, 4)).region_code == "halland"


def test_the_three_shipped_files_round_trip_through_the_database(settings):
    for path in sorted(SHIPPED.glob("*.yaml")):
        parsed = parse(path.read_text(encoding="utf-8"), path.name)
        settings.SERVICELEVEL_REGION = parsed.region.code
        loaded = rulebooks.load(parsed)
        assert rulebooks.file_of(loaded.decision) == parsed, path.name
        assert parse(dump(rulebooks.file_of(loaded.decision)), path.name) == parsed
