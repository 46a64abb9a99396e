"""The engine's inputs and outputs, as plain frozen data."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from servicelevel.kinds import KINDS, with_defaults

MET, NOT_MET, EXEMPT, NOT_APPLICABLE, NO_DATA = "met", "not_met", "exempt", "not_applicable", "no_data"
STATUS_LABELS = {
    MET: "Uppfyllt",
    NOT_MET: "Ej uppfyllt",
    EXEMPT: "Avsteg",
    NOT_APPLICABLE: "Ej tillämpligt",
    NO_DATA: "Uppgift saknas",
}
# What a measured value is (RequirementOutcome.value), so every page writes it with its unit. Each judge
# module declares its requirements' kinds in VALUE_KINDS beside the judges that measure them;
# compliance.engine.values collects them and compliance.engine.text.format_value writes them.
SHARE, COUNT, WEEKS = "share", "count", "weeks"  # a share 0..1 · a number of things · weeks ahead
OUTCOMES = ("in_time", "late_notified", "late", "overdue", "pending")


@dataclass(frozen=True)
class RequirementRule:
    """One requirement of the rulebook: its code and group, its level on the ladder (if any), its kind —
    the rule the engine judges it by (compliance/engine/kinds.py) — with the kind's parameters, and the
    conditions that make it apply (`applies_if`, checked in order: units/applicability.py)."""

    code: str
    group: str
    level: int | None
    name: str
    kind: str = ""
    parameters: dict = field(default_factory=dict, hash=False, compare=False)
    applies_if: tuple[str, ...] = ()

    def __post_init__(self):
        # The kind's defaults (written once, in servicelevel/kinds.py) for what the stored requirement
        # does not set, so every judge can read its parameters without a fallback of its own. A kind this
        # engine does not know keeps its parameters as given (it is judged `no_data`).
        known = self.kind in KINDS
        parameters = with_defaults(self.kind, self.parameters) if known else dict(self.parameters or {})
        object.__setattr__(self, "parameters", parameters)
        object.__setattr__(self, "applies_if", tuple(self.applies_if))

    @property
    def is_trend(self) -> bool:
        return self.kind == "share_trend"


@dataclass(frozen=True)
class Rulebook:
    decision: str
    requirements: tuple[RequirementRule, ...]
    profiles: dict[str, frozenset[str]]  # profile (a unit's profile, else its type) → base-offering services
    digital_contact_codes: frozenset[str]
    # The ladder's name ("Bokningsnivå") when the requirements with a level form one; None: no levels.
    ladder: str | None = "Bokningsnivå"
    channel_profiles: dict[str, frozenset[str]] = field(default_factory=dict, hash=False, compare=False)
    version: str = ""

    def rule(self, code: str) -> RequirementRule:
        return next(r for r in self.requirements if r.code == code)

    def of_kind(self, kind: str) -> RequirementRule | None:
        """The first requirement of a kind (a rulebook has at most one `response_time`)."""
        return next((r for r in self.requirements if r.kind == kind), None)


@dataclass(frozen=True)
class Period:
    code: str
    start_date: datetime.date
    end_date: datetime.date


@dataclass(frozen=True)
class BookingFigures:
    booked_total: int
    booked_visible: int
    booked_cancellable: int
    booked_reschedulable: int
    slots_total: int
    slots_open_invitation: int
    slots_citizen_bookable: int
    lookahead_weeks: Decimal


@dataclass(frozen=True)
class OfferingFact:
    kind: str  # tjanst / mall / kanal
    code: str
    variant: str  # regional / lokal
    is_open: bool


@dataclass(frozen=True)
class ExemptionFact:
    exemption_id: str
    requirement_code: str
    status: str
    valid_from: datetime.date
    valid_until: datetime.date
    ended_on: datetime.date | None


@dataclass
class ResponseCounts:
    """Outcomes of one unit's cases received in one month, at the evaluation instant."""

    month: str
    in_time: int = 0
    late_notified: int = 0
    late: int = 0
    overdue: int = 0
    pending: int = 0
    within_2h: int = 0  # answered (by now) within 2 hours of receipt

    @property
    def assessed(self) -> int:
        return self.in_time + self.late_notified + self.late + self.overdue

    @property
    def answered(self) -> int:
        return self.in_time + self.late_notified + self.late

    @property
    def share_in_time(self) -> float | None:
        return self.in_time / self.assessed if self.assessed else None

    @property
    def share_within_2h(self) -> float | None:
        return self.within_2h / self.answered if self.answered else None


@dataclass(frozen=True)
class UnitFacts:
    unit_id: int
    hsa_id: str
    unit_type: str
    booking_system: str
    has_contact_card: bool
    same_day_contact: bool
    current_period: Period | None = None
    previous_period: Period | None = None
    booking_current: BookingFigures | None = None
    booking_previous: BookingFigures | None = None
    offerings: tuple[OfferingFact, ...] = ()
    # person_id → number of units where the person holds lokal_administrator (region-wide)
    local_admins: dict[str, int] = field(default_factory=dict, hash=False)
    permission_admins: frozenset[str] = frozenset()
    response: ResponseCounts | None = None
    exemptions: tuple[ExemptionFact, ...] = ()
    targets: dict[str, Decimal] = field(default_factory=dict, hash=False)  # requirement code → target share
    profile: str = ""  # the base-offering profile; empty: the unit's type
    # For display only; the rules never look at these. The ids are the unit's organisation on the as-of
    # date, stored with its results (a unit that moves keeps its history where it was).
    name: str = ""
    forvaltning: str = ""
    vardomrade: str = ""
    forvaltning_id: int | None = None
    vardomrade_id: int | None = None
    provider_id: int | None = None


@dataclass(frozen=True)
class Judgement:
    """A requirement's status before exemptions, with the measured value and a Swedish reason."""

    status: str
    reason: str
    value: float | None = None


@dataclass
class RequirementOutcome:
    code: str
    status: str
    reason: str
    value: float | None = None
    exemption_id: str | None = None
    exemption_unneeded: bool = False


@dataclass
class UnitEvaluation:
    facts: UnitFacts
    requirements: dict[str, RequirementOutcome]
    booking_level: int | None
    booking_level_with_exemptions: bool
    response_time: ResponseCounts | None
