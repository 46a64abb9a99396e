"""Dates within bounds everywhere: one rule, the importers' 1900–2100, for every date the portal
takes in — its forms, the admin's, query parameters, files (servicelevel/dates.py).

Before it the forms took 9999-12-31 and 0001-01-01, an exemption saved with 9999-12-31 made its page a 500
for every role, `/?per=9999-12-31`, `/handlingsplan/?per=9999-12-31`, `/granskning/?fran=0001-01-01` (on
the embedded SQLite) and `?till=9999-12-31` were 500s, and `/granskning/export.csv` broke off after its
first bytes. Each is a test here; a date outside the rule is now a Swedish message — the field's error, or
the as-of notice "… är ett ogiltigt datum" — never a 500.
"""

import datetime
import html
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compliance.models import UnitResult
from exemptions.models import Exemption
from units.permissions import Roles

from .. import factories as f
from ..helpers import user_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pinned_clock")]

NOW = "2026-11-20 12:00 +01:00"
TODAY = datetime.date(2026, 11, 20)
BOUNDS = "Ange ett datum mellan 1900-01-01 och 2100-12-31."
OUT = ["9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01"]


@pytest.fixture
def unit():
    unit = f.CareUnitFactory(name="Vårdcentralen Exempel", booking_system="PASiS")
    UnitResult.objects.create(
        as_of=datetime.date(2026, 11, 15), unit=unit, decision=f.decision(), evaluation_month="2026-10"
    )
    return unit


@pytest.fixture
def staff(client):
    user = user_in(Roles.KONCERNSTAB)
    client.force_login(user)
    return user


def text_of(response) -> str:
    return html.unescape(response.content.decode())


# --- Query parameters -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", OUT)
@pytest.mark.parametrize("view", ["dashboard", "unit_list", "unit_detail", "comparison", "actionplan"])
def test_an_as_of_date_out_of_bounds_is_the_notice_not_a_500(client, staff, unit, view, day):
    url = reverse(f"portal:{view}", args=[unit.hsa_id] if view == "unit_detail" else [])
    response = client.get(url, {"per": day})
    assert response.status_code == 200
    assert f"”{day}” är ett ogiltigt datum: året ska vara 1900–2100; sidan visar i dag." in text_of(response)


@pytest.mark.parametrize("day", OUT)
@pytest.mark.parametrize("name", ["fran", "till"])
def test_the_audit_trails_dates_out_of_bounds_are_the_fields_error(client, staff, name, day):
    response = client.get(reverse("portal:audit_trail"), {name: day})
    assert response.status_code == 200
    assert response.context["form"].errors[name] == [BOUNDS]
    assert BOUNDS in text_of(response)


def test_the_audit_exports_link_leaves_out_a_field_in_error(client, staff):
    """The page lists what its valid fields ask for; its export link asks for the same."""
    response = client.get(reverse("portal:audit_trail"), {"fran": "0001-01-01", "objekttyp": "units"})
    page = text_of(response)
    assert reverse("portal:audit_export_csv") + "?objekttyp=units" in page
    assert "0001-01-01" not in page.split("Exportera som CSV")[0].rsplit("<a", 1)[-1]


@pytest.mark.parametrize("query", [{"fran": "0001-01-01"}, {"till": "9999-12-31"}, {"fran": "2026-13-01"}])
def test_the_audit_export_with_a_date_out_of_bounds_is_refused_whole_not_broken_off(client, staff, query):
    f.AuditEntryFactory()
    response = client.get(reverse("portal:audit_export_csv"), query)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("Exporten kan inte göras: ")
    assert ("Från och med" if "fran" in query else "Till och med") in body


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1899-12", "2101-01"])
def test_a_cases_month_out_of_bounds_is_404_with_the_words(client, staff, unit, month):
    response = client.get(reverse("portal:unit_cases_csv", args=[unit.hsa_id]), {"manad": month})
    assert response.status_code == 404


def test_a_scorecard_for_a_date_out_of_bounds_is_refused_not_asked_for(client, staff, unit):
    from compliance.models import Report

    url = reverse("portal:report_unit_scorecard", args=[unit.hsa_id])
    response = client.post(url + "?per=9999-12-31")
    assert response.status_code == 400
    assert "”9999-12-31” är ett ogiltigt datum: året ska vara 1900–2100" in response.content.decode()
    assert not Report.objects.exists()


# --- A stored date from before the rule -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["koncernstab", "styrning", "ledning", "enhetschef"])
def test_an_exemption_saved_with_9999_12_31_still_has_its_page_for_every_role(client, unit, role):
    """Saved before the rule (the admin, a form): its page judges its effect and shows it, not a 500."""
    group = {
        "koncernstab": Roles.KONCERNSTAB,
        "styrning": Roles.HS_STYRNING,
        "ledning": Roles.LEDNING,
        "enhetschef": Roles.VERKSAMHETSCHEF,
    }[role]
    client.force_login(user_in(group, [unit] if role == "enhetschef" else ()))
    never = datetime.date(9999, 12, 31)
    stored = [
        f.ExemptionFactory(unit=unit, valid_until=never),
        f.ExemptionFactory(unit=unit, valid_from=never, valid_until=never, status="draft"),
        f.ExemptionFactory(unit=unit, valid_from=datetime.date(1, 1, 1), status="submitted"),
    ]
    for e in stored:
        response = client.get(reverse("portal:exemption_detail", args=[e.exemption_id]))
        assert response.status_code == 200, e
        assert e.valid_until.isoformat().lstrip("0") in response.content.decode()
    assert client.get(reverse("portal:exemption_list")).status_code == 200
    assert client.get(reverse("portal:actionplan")).status_code == 200
    assert client.get(reverse("portal:unit_detail", args=[unit.hsa_id])).status_code == 200


def test_a_common_decision_saved_with_9999_12_31_still_has_its_page(client, staff):
    group = f.ExemptionGroupFactory(
        valid_from=datetime.date(9999, 12, 31), valid_until=datetime.date(9999, 12, 31)
    )
    assert client.get(reverse("portal:exemption_group", args=[group.group_id])).status_code == 200


# --- Forms ------------------------------------------------------------------------------------------------

# Every module of the portal: a form defined anywhere in a feature's folder is found.
FORM_MODULES = [
    m.name
    for m in pkgutil.walk_packages(importlib.import_module("portal").__path__, "portal.")
    if not m.ispkg and not m.name.startswith("portal.templatetags")
]


def portal_forms() -> dict[str, type]:
    """Every form class the portal defines (public names), by "module.Class"."""
    found = {}
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name and not cls_name.startswith("_"):
                found[f"{name}.{cls_name}"] = cls
    return found


def build(name: str, data: dict):
    """Each form with a date field, bound to `data`, with what its view gives it."""
    from exemptions.models import Exemption
    from portal.actionplan import forms as ap
    from portal.audit import views as audit
    from portal.exemptions import forms as ex
    from portal.imports import views as imports
    from portal.reports import forms as reports
    from portal.rulebook import forms as rulebook
    from portal.self_service import forms as self_service
    from portal.unit_history import forms as unit_history
    from servicelevel.models import Requirement
    from units.models import CareUnit

    user = user_in(Roles.KONCERNSTAB)
    unit = CareUnit.objects.first()
    return {
        "portal.exemptions.forms.ProposalForm": lambda: ex.ProposalForm(
            data, units=CareUnit.objects.all(), today=TODAY
        ),
        "portal.exemptions.forms.DraftForm": lambda: ex.DraftForm(
            data,
            units=CareUnit.objects.all(),
            today=TODAY,
            exemption=f.ExemptionFactory(unit=unit, status=Exemption.Status.DRAFT),
        ),
        "portal.exemptions.forms.GroupProposalForm": lambda: ex.GroupProposalForm(data, today=TODAY),
        "portal.exemptions.forms.RevokeForm": lambda: ex.RevokeForm(data),
        "portal.exemptions.forms.CapabilityForm": lambda: ex.CapabilityForm(data, today=TODAY),
        "portal.actionplan.forms.ActivityForm": lambda: ap.ActivityForm(
            data,
            areas=[unit.vardomrade],
            regional=True,
            allowed_units=CareUnit.objects.all(),
            visible_exemptions=Exemption.objects.all(),
            requirements=Requirement.objects.all(),
        ),
        "portal.actionplan.forms.PhaseOutForm": lambda: ap.PhaseOutForm(
            data, instance=f.PhaseOutFactory.build(unit=unit)
        ),
        "portal.reports.forms.ReportForm": lambda: reports.ReportForm(data, user=user),
        "portal.audit.views.AuditFilterForm": lambda: audit.AuditFilterForm(data, actions=[]),
        "portal.rulebook.forms.PublishForm": lambda: rulebook.PublishForm(data, today=TODAY),
        "portal.unit_history.forms.CompareDatesForm": lambda: unit_history.CompareDatesForm(data),
        "portal.self_service.forms.ValidFromForm": lambda: self_service.ValidFromForm(data),
        "portal.imports.views.UploadForm": lambda: imports.UploadForm(data, {}),
    }[name]()


WITH_DATES = {
    "portal.exemptions.forms.ProposalForm",
    "portal.exemptions.forms.DraftForm",
    "portal.exemptions.forms.GroupProposalForm",
    "portal.exemptions.forms.RevokeForm",
    "portal.exemptions.forms.CapabilityForm",
    "portal.actionplan.forms.ActivityForm",
    "portal.actionplan.forms.PhaseOutForm",
    "portal.reports.forms.ReportForm",
    "portal.audit.views.AuditFilterForm",
    "portal.rulebook.forms.PublishForm",
    "portal.unit_history.forms.CompareDatesForm",
    "portal.self_service.forms.ValidFromForm",  # "Gäller från" of the offering and role pages
    "portal.imports.views.UploadForm",  # "Gäller från" of a file kept over time
}


def date_fields(form) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.DateField)]


def test_every_portal_form_with_a_date_field_is_walked_here(unit):
    having = {
        name
        for name, cls in portal_forms().items()
        if any(isinstance(x, forms.DateField) for x in cls.base_fields.values())
    }
    assert having == WITH_DATES


@pytest.mark.parametrize("day", OUT)
@pytest.mark.parametrize("name", sorted(WITH_DATES))
def test_every_date_field_of_every_portal_form_refuses_a_date_out_of_bounds(unit, name, day):
    fields = date_fields(build(name, {}))
    assert fields, name
    for field in fields:
        form = build(name, {field: day})
        assert not form.is_valid()
        assert form.errors.get(field) == [BOUNDS], (name, field, form.errors.get(field))


@pytest.mark.parametrize("name", sorted(WITH_DATES))
def test_every_date_field_offers_only_the_bounds_in_its_picker(unit, name):
    form = build(name, {})
    for field in date_fields(form):
        html_input = str(form[field])
        assert (
            'type="date"' in html_input
            and 'min="1900-01-01"' in html_input
            and 'max="2100-12-31"' in html_input
        )


@pytest.fixture
def manager(client, unit):
    f.SchedulePeriodFactory(
        code="P-NU",
        start_date=TODAY - datetime.timedelta(days=20),
        end_date=TODAY + datetime.timedelta(days=60),
    )
    user = user_in(Roles.VERKSAMHETSCHEF, [unit])
    client.force_login(user)
    return user


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("field", ["valid_from", "valid_until", "follow_up_1"])
def test_the_exemption_proposal_answers_the_fields_error_and_saves_nothing(client, manager, unit, field, day):
    data = {
        "unit": unit.pk,
        "requirements": [f.requirement("TB3-OPPEN-KALLELSE").pk],
        "reason": "teknisk",
        "justification": "PASiS kan inte öppen kallelse här",
        "valid_from": "2026-11-20",
        "valid_until": "2027-02-20",
        "follow_up_1": "2026-12-20",
        "action": "submit",
        field: day,
    }
    response = client.post(reverse("portal:exemption_new"), data)
    assert response.status_code in (200, 400)
    assert BOUNDS in text_of(response)
    assert not Exemption.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_activity_and_a_report_answer_the_fields_error(client, staff, unit, day):
    from actionplan.models import Activity
    from compliance.models import Report

    period = f.SchedulePeriodFactory(
        code="P-NU", start_date=TODAY, end_date=TODAY + datetime.timedelta(days=60)
    )
    response = client.post(
        reverse("portal:actionplan_activity_new"),
        {
            "title": "Öppen kallelse",
            "period": period.pk,
            "omfattning": "region",
            "state": "planned",
            "due_on": day,
        },
    )
    assert response.status_code in (200, 400) and BOUNDS in text_of(response)
    assert not Activity.objects.exists()
    response = client.post(
        reverse("portal:reports"), {"kind": "efterlevnad", "omfattning": "region", "per": day}
    )
    assert response.status_code == 400 and BOUNDS in text_of(response)
    assert not Report.objects.exists()


# --- The models: the admin's forms and the write path ----------------------------------------------------

# Dates and instants the portal sets itself (from a bounded date or the clock), never typed by a person.
SET_BY_THE_PORTAL = {
    "servicelevel.SignInIdentity.last_sign_in",
    "servicelevel.ImportJob.started_at",
    "servicelevel.ImportJob.finished_at",
    "exemptions.ReminderSent.due_date",
    "exemptions.ReminderSent.sent_at",
    "exemptions.WorkflowMail.sent_at",
    "actionplan.Obstacle.answered_at",
    "compliance.Case.deadline",  # computed from received_at by the calendar
    "compliance.UnitResult.as_of",  # the recompute's date (today, or a bounded --as-of)
    "compliance.Report.started_at",
    "compliance.Report.finished_at",
    "servicelevel.Decision.loaded_at",  # the moment a version was stored
    # Facts over time: the moment a version was written, and a correction's job (from a checked date).
    "units.CareUnitVersion.recorded_at",
    "units.Offering.recorded_at",
    "units.AdminRole.recorded_at",
    "compliance.RecomputeJob.since",
    "compliance.RecomputeJob.finished_at",
}
PROJECT_APPS = {"servicelevel", "units", "exemptions", "actionplan", "compliance"}


def project_date_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            # DateTimeField is a DateField too; auto_now(_add) fields are the clock's.
            if isinstance(field, models.DateField) and not field.auto_now and not field.auto_now_add:
                yield f"{model._meta.app_label}.{model.__name__}.{field.name}", field


def test_every_date_a_person_fills_in_holds_the_rule_in_its_model():
    from servicelevel.dates import validate_in_bounds

    missing = [
        name
        for name, field in project_date_fields()
        if name not in SET_BY_THE_PORTAL and validate_in_bounds not in field.validators
    ]
    assert missing == []


def test_the_admin_and_the_write_path_refuse_a_date_out_of_bounds_in_swedish(unit):
    """full_clean (the admin's forms, every service of the write path) answers with field errors; the
    exemption's own rules (12 months at most) are not asked to add twelve months to 9999-12-31."""
    from django.core.exceptions import ValidationError

    e = Exemption(
        exemption_id="AV-X",
        unit=unit,
        requirement=f.requirement("TB3-OPPEN-KALLELSE"),
        reason="teknisk",
        valid_from=datetime.date(9999, 12, 31),
        valid_until=datetime.date(9999, 12, 31),
        status="draft",
    )
    with pytest.raises(ValidationError) as raised:
        e.full_clean()
    assert raised.value.message_dict["valid_from"] == [BOUNDS]
    assert raised.value.message_dict["valid_until"] == [BOUNDS]


def test_the_admins_exemption_page_answers_the_fields_error(client, unit):
    admin = f.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    data = {
        "exemption_id": "AV-ADMIN",
        "unit": unit.pk,
        "requirement": f.requirement("TB3-OPPEN-KALLELSE").pk,
        "reason": "teknisk",
        "justification": "x",
        "valid_from": "9999-12-31",
        "valid_until": "9999-12-31",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "approvals-TOTAL_FORMS": "0",
        "approvals-INITIAL_FORMS": "0",
    }
    response = Client(raise_request_exception=True)
    response.force_login(admin)
    answer = response.post(reverse("admin:exemptions_exemption_add"), data)
    assert answer.status_code == 200
    assert BOUNDS in text_of(answer)
    assert not Exemption.objects.filter(exemption_id="AV-ADMIN").exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_admins_galler_fran_answers_the_fields_error(client, unit, day):
    """The admin's "Gäller från" of a unit (servicelevel/admin_mixins.py: ValidFromAdminForm) is the
    portal's DateField: a date out of bounds is the field's error, and nothing is written."""
    from ..admin_forms import form_data

    client.force_login(f.UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:units_careunit_change", args=[unit.pk])
    data = form_data(client, url) | {"name": "Annat namn", "change_valid_from": day}
    answer = client.post(url, data)
    assert answer.status_code == 200
    assert BOUNDS in text_of(answer)
    unit.refresh_from_db()
    assert unit.name == "Vårdcentralen Exempel"


# --- The rule itself --------------------------------------------------------------------------------------


@given(st.dates())
def test_the_rule_takes_exactly_1900_to_2100_and_every_date_arithmetic_holds_inside(day):
    """For any date: a query parameter is taken iff it lies in 1900–2100, as the validator and the
    importers' parser say; and for every date inside, the calendar's and the rules' arithmetic on it (the
    end of the day, 00:00 of it in UTC, the evaluation month, an exemption's last allowed day) is a value,
    not an OverflowError."""
    from compliance.calendar import end_of_day, local_midnight
    from compliance.engine.response_time import evaluation_month, month_bounds
    from exemptions.rules import last_allowed_day
    from servicelevel.dates import InvalidDay, parse_day, validate_in_bounds
    from servicelevel.importing.fields import FieldError, parse_date

    inside = datetime.date(1900, 1, 1) <= day <= datetime.date(2100, 12, 31)
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    if inside:
        assert parse_day(text) == day
        assert parse_date(text) == day
        validate_in_bounds(day)
        assert end_of_day(day) > local_midnight(day)
        local_midnight(day).astimezone(datetime.UTC)
        month_bounds(evaluation_month(day))
        last_allowed_day(day, months=12)
    else:
        with pytest.raises(InvalidDay):
            parse_day(text)
        with pytest.raises(FieldError):
            parse_date(text)


# --- The command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("export_compliance", "--as-of", "9999-12-31"),
        ("export_cases", "--as-of", "9999-12-31"),
        ("export_cases", "--as-of", "0001-01-01"),
        ("export_cases", "--month", "9999-12"),
        ("recompute_compliance", "--as-of", "9999-12-31"),
    ],
)
def test_a_command_given_a_date_out_of_bounds_exits_2_with_the_reason(args):
    """Wrong usage, as the data-exchange spec says (exit 2), not a traceback from the day after 9999-12-31."""
    from ..helpers import manage

    ran = manage(*args)
    assert ran.code == 2
    assert "året ska vara 1900–2100" in ran.err
