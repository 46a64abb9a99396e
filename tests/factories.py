"""factory-boy factories for every model. The rulebook rows come from the migration: use `requirement()`."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from actionplan.models import Activity, Target
from compliance.calendar import WorkingCalendar
from compliance.models import Case, ClosedDay, RecomputeJob, RequirementResult, UnitResult
from exemptions.models import (
    Exemption,
    ExemptionApproval,
    ExemptionGroup,
    ExemptionNumber,
    FollowUp,
    SystemCapability,
)
from servicelevel.models import (
    AuditEntry,
    CatalogueChannel,
    CatalogueService,
    CatalogueTemplate,
    ClaimRoleRule,
    Decision,
    Requirement,
    RulebookDraft,
    SchedulePeriod,
    SignInIdentity,
)
from servicelevel.rulebook_file import dump
from servicelevel.rulebooks import file_of
from units.models import (
    AdminRole,
    BookingFigures,
    CareUnit,
    CareUnitGroupObjectPermission,
    CareUnitUserObjectPermission,
    CareUnitVersion,
    Forvaltning,
    Offering,
    Person,
    Provider,
    ProviderGroupObjectPermission,
    ProviderUserObjectPermission,
    Vardomrade,
    VardomradeGroupObjectPermission,
    VardomradeUserObjectPermission,
)


def decision() -> Decision:
    return Decision.objects.get(number="2026-0000277")


def requirement(code: str) -> Requirement:
    return Requirement.objects.get(decision__number="2026-0000277", code=code)


def service(code: str) -> CatalogueService:
    return CatalogueService.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-password-123")


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    number = factory.Sequence(lambda n: f"2030-{n:07d}")
    title = "Ett senare beslut"
    in_force_from = datetime.date(2030, 1, 1)


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    decision = factory.SubFactory(DecisionFactory)
    code = factory.Sequence(lambda n: f"X{n}")
    group = "AH"
    name = "Ett krav"
    section = "1"


class CatalogueServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueService

    code = factory.Sequence(lambda n: f"TJANST-{n}")
    name = "En tjänst"


class CatalogueTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueTemplate

    code = factory.Sequence(lambda n: f"MALL-X{n}")
    name = "En mall"


class RulebookDraftFactory(factory.django.DjangoModelFactory):
    """A draft of a new version of decision 2026-0000277, as "Skapa utkast" makes it."""

    class Meta:
        model = RulebookDraft

    based_on = factory.LazyFunction(decision)
    created_by = factory.SubFactory(UserFactory)
    text = factory.LazyAttribute(
        lambda o: dump(file_of(o.based_on)).replace("version: '2.0'", "version: '2.1'", 1)
    )


class CatalogueChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CatalogueChannel
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"KANAL-X{n}")
    name = "En digital kanal"


class SchedulePeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchedulePeriod

    code = factory.Sequence(lambda n: f"P{n}")
    start_date = datetime.date(2026, 8, 31)
    end_date = datetime.date(2026, 12, 31)


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    action = "test"
    object_type = "unit"


class SignInIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignInIdentity

    user = factory.SubFactory(UserFactory)
    issuer = "https://idp.example.se"
    subject = factory.Sequence(lambda n: f"sub-{n}")


class ClaimRoleRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimRoleRule

    claim_value = factory.Sequence(lambda n: f"grupp-{n}")
    role = "Verksamhetschef"


class ForvaltningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forvaltning
        django_get_or_create = ("name",)

    name = "Primärvård Skåne"


class VardomradeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vardomrade
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Vårdområde {n}")
    forvaltning = factory.SubFactory(ForvaltningFactory)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Vårdgivare {n} AB")


class CareUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareUnit

    hsa_id = factory.Sequence(lambda n: f"SE2321000255-U{n:04d}")
    name = factory.Sequence(lambda n: f"Mottagning {n}")
    vardomrade = factory.SubFactory(VardomradeFactory)
    forvaltning = factory.SelfAttribute("vardomrade.forvaltning")
    unit_kind = "VUE"
    unit_type = "mottagning"
    booking_system = "PASiS"
    has_contact_card = True
    same_day_contact = False


class CareUnitVersionFactory(factory.django.DjangoModelFactory):
    """An earlier version of a unit's attributes, ended before its row's `valid_from` (set it so)."""

    class Meta:
        model = CareUnitVersion

    unit = factory.SubFactory(CareUnitFactory, valid_from=datetime.date(2026, 1, 1))
    valid_from = datetime.date(1900, 1, 1)
    valid_to = factory.SelfAttribute("unit.valid_from")
    name = factory.LazyAttribute(lambda v: f"{v.unit.name} (tidigare)")
    vardomrade = factory.SelfAttribute("unit.vardomrade")
    forvaltning = factory.SelfAttribute("unit.forvaltning")
    unit_kind = "VUE"
    unit_type = "mottagning"
    booking_system = "PASiS"


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    unit = factory.SubFactory(CareUnitFactory)
    kind = "tjanst"
    code = "KONTAKT"
    variant = "regional"
    is_open = True
    catalogue_service = factory.LazyAttribute(
        lambda o: service(o.code) if o.variant == "regional" and o.kind == "tjanst" else None
    )
    catalogue_template = factory.LazyAttribute(
        lambda o: (
            CatalogueTemplate.objects.get(code=o.code)
            if o.variant == "regional" and o.kind == "mall"
            else None
        )
    )
    catalogue_channel = factory.LazyAttribute(
        lambda o: (
            CatalogueChannelFactory(code=o.code) if o.variant == "regional" and o.kind == "kanal" else None
        )
    )


class BookingFiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingFigures

    unit = factory.SubFactory(CareUnitFactory)
    period = factory.SubFactory(SchedulePeriodFactory)
    booked_total = 400
    booked_visible = 400
    booked_cancellable = 400
    booked_reschedulable = 120
    slots_total = 500
    slots_open_invitation = 0
    slots_citizen_bookable = 50
    lookahead_weeks = Decimal("9")


class AdminRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminRole

    person_id = factory.Sequence(lambda n: f"SE2321000255-P{n}")
    unit = factory.SubFactory(CareUnitFactory)
    role = AdminRole.Role.BEHORIGHETSADMINISTRATOR


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    person_id = factory.Sequence(lambda n: f"SE2321000255-P{n}")
    name = factory.Sequence(lambda n: f"Person {n}")


class ClosedDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClosedDay

    date = datetime.date(2026, 5, 15)
    name = "Klämdag"


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    case_id = factory.Sequence(lambda n: f"C{n:07d}")
    unit = factory.SubFactory(CareUnitFactory)
    received_at = datetime.datetime(2026, 10, 7, 8, 0, tzinfo=datetime.UTC)
    deadline = factory.LazyAttribute(
        lambda c: WorkingCalendar().deadline(c.received_at, same_day_contact=c.unit.same_day_contact)
    )
    deadline_same_day = factory.SelfAttribute("unit.same_day_contact")


class ExemptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exemption

    exemption_id = factory.Sequence(lambda n: f"AV-2026-{n:03d}")
    unit = factory.SubFactory(CareUnitFactory)
    requirement = factory.LazyFunction(lambda: requirement("TB3-OPPEN-KALLELSE"))
    reason = Exemption.Reason.TEKNISK
    valid_from = datetime.date(2026, 6, 1)
    valid_until = datetime.date(2026, 12, 31)
    status = Exemption.Status.APPROVED


class ExemptionApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExemptionApproval

    exemption = factory.SubFactory(ExemptionFactory)
    body = ExemptionApproval.Body.KONCERNSTAB
    decided_by = factory.SubFactory(UserFactory)
    approved = True


class ExemptionGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExemptionGroup

    group_id = factory.Sequence(lambda n: f"GB-2026-{n:04d}")
    booking_system = "PMO"
    valid_from = datetime.date(2026, 6, 1)
    valid_until = datetime.date(2026, 12, 31)


class SystemCapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemCapability
        django_get_or_create = ("booking_system", "requirement")

    booking_system = "PMO"
    requirement = factory.LazyFunction(lambda: requirement("TB3-OPPEN-KALLELSE"))
    supported = False


class ExemptionNumberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExemptionNumber
        django_get_or_create = ("prefix", "year")

    prefix = "AV"
    year = 2026


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    exemption = factory.SubFactory(ExemptionFactory)
    due_on = datetime.date(2026, 9, 1)


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    vardomrade = factory.SubFactory(VardomradeFactory)
    period = factory.SubFactory(SchedulePeriodFactory)
    requirement = factory.LazyFunction(lambda: requirement("TB2-OMBOKA-ANDEL"))
    target_share = Decimal("0.2")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = "Införa öppen kallelse i PASiS"
    # An existing period when there is one: periods may not overlap, and the demo brings its own.
    period = factory.LazyFunction(
        lambda: SchedulePeriod.objects.order_by("-start_date").first() or SchedulePeriodFactory()
    )


class ActivityNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "actionplan.ActivityNote"

    activity = factory.SubFactory(ActivityFactory)
    written_on = datetime.date(2026, 11, 2)
    text = "Utbildning genomförd för två enheter."


class PhaseOutFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "actionplan.PhaseOut"

    unit = factory.SubFactory(CareUnitFactory)
    kind = "tjanst"
    code = "Egen receptförnyelse"
    planned_end = datetime.date(2027, 3, 31)
    replacement_service = factory.LazyFunction(lambda: service("FORNYA-RECEPT"))


class ObstacleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "actionplan.Obstacle"

    vardomrade = factory.SubFactory(VardomradeFactory)
    title = "PMO saknar digital kallelse"
    description = "Systemet stöder ännu inte öppen kallelse."
    reported_by = factory.SubFactory(UserFactory)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "compliance.Report"

    kind = "efterlevnad"
    scope = "region"
    as_of = datetime.date(2026, 11, 15)
    requested_by = factory.SubFactory(UserFactory)


class ReminderSentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exemptions.ReminderSent"

    kind = "ends_30"
    exemption = factory.SubFactory(ExemptionFactory)
    recipient = "enhetschef@example.org"
    due_date = datetime.date(2026, 12, 1)


class WorkflowMailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "exemptions.WorkflowMail"

    event = factory.SubFactory(AuditEntryFactory, action="exemption_submitted", object_type="exemption")
    recipient = "koncernstab@example.org"


class UnitResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UnitResult

    as_of = datetime.date(2026, 11, 15)
    unit = factory.SubFactory(CareUnitFactory)
    decision = factory.LazyFunction(decision)
    evaluation_month = "2026-10"


class RequirementResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementResult

    unit_result = factory.SubFactory(UnitResultFactory)
    requirement = factory.LazyFunction(lambda: requirement("TB1-VISA"))
    status = "met"
    reason = "400 av 400 bokade tider syns på 1177.se"


def permission(codename: str):
    from django.contrib.auth.models import Permission

    return Permission.objects.get(codename=codename)


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "auth.Group"
        django_get_or_create = ("name",)

    name = "Verksamhetschef"


class CareUnitUserObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareUnitUserObjectPermission

    user = factory.SubFactory(UserFactory)
    content_object = factory.SubFactory(CareUnitFactory)
    permission = factory.LazyFunction(lambda: permission("view_careunit"))


class CareUnitGroupObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareUnitGroupObjectPermission

    group = factory.SubFactory(GroupFactory)
    content_object = factory.SubFactory(CareUnitFactory)
    permission = factory.LazyFunction(lambda: permission("view_careunit"))


class VardomradeUserObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VardomradeUserObjectPermission

    user = factory.SubFactory(UserFactory)
    content_object = factory.SubFactory(VardomradeFactory)
    permission = factory.LazyFunction(lambda: permission("view_vardomrade"))


class VardomradeGroupObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VardomradeGroupObjectPermission

    group = factory.SubFactory(GroupFactory)
    content_object = factory.SubFactory(VardomradeFactory)
    permission = factory.LazyFunction(lambda: permission("view_vardomrade"))


class ProviderUserObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderUserObjectPermission

    user = factory.SubFactory(UserFactory)
    content_object = factory.SubFactory(ProviderFactory)
    permission = factory.LazyFunction(lambda: permission("view_provider"))


class ProviderGroupObjectPermissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderGroupObjectPermission

    group = factory.SubFactory(GroupFactory)
    content_object = factory.SubFactory(ProviderFactory)
    permission = factory.LazyFunction(lambda: permission("view_provider"))


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "servicelevel.ImportJob"

    kind = "units"
    filename = "enheter.csv"
    path = "/nonexistent/enheter.csv"
    created_by = factory.SubFactory(UserFactory)


class RecomputeJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecomputeJob

    since = datetime.date(2026, 11, 1)
