"""The requirement kinds a rulebook file may use, each written once: its parameters (type, default or
required, allowed values, a Swedish description), the booking figures they may name, and the
applicability conditions.

A region's decision is data (docs/rulebooks.md): a rulebook says which requirements it has, of which
kind, with which parameters. This module is what the file's checker (`servicelevel/rulebook_file/`)
and anything else that reads parameters ask: `with_defaults` fills the omitted ones in,
`parameter_problems` says, in Swedish, what is wrong with the given ones. Pure Python, no database.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

# The unit's booking figures for a schedule period (the `booking` import's columns), in Swedish.
FIGURES: dict[str, str] = {
    "booked_total": "bokade tider totalt",
    "booked_visible": "bokade tider som syns på 1177.se",
    "booked_cancellable": "bokade tider som kan avbokas",
    "booked_reschedulable": "bokade tider som kan ombokas",
    "slots_total": "bokningsbara tider totalt",
    "slots_open_invitation": "tider via öppen kallelse",
    "slots_citizen_bookable": "tider som invånaren själv kan boka",
    "lookahead_weeks": "veckors framförhållning",
}
FIGURE_NAMES = tuple(FIGURES)

# condition → when it fails (the reason a requirement is then not applicable), in Swedish.
CONDITIONS: dict[str, str] = {
    "contact_card": "enheten saknar kontaktkort på 1177",
    "booking_system": "enheten har inget bokningssystem (ingen)",
}
CONDITION_NAMES = tuple(CONDITIONS)

ROLES = ("lokal_administrator", "behorighetsadministrator")


class _Required:
    """The default of a parameter the file must set."""

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED = _Required()

# Value types of a parameter. A `choice` is one text of `choices`; `figures` a non-empty list of
# distinct figure names; `number` an int or a float; `whole` an int only. Booleans are never numbers
# (YAML reads `yes` as true).
CHOICE, FIGURES_LIST, NUMBER, WHOLE = "choice", "figures", "number", "whole"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    description: str
    default: object = REQUIRED
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False  # `null` allowed (role_count's max: no upper bound)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """What the parameter takes, in Swedish: the tail of every message about it."""
        if self.type == CHOICE:
            text = "en av " + ", ".join(self.choices)
        elif self.type == FIGURES_LIST:
            text = "en lista med minst ett av " + ", ".join(self.choices) + ", utan upprepning"
        else:
            text = "ett heltal" if self.type == WHOLE else "ett tal"
            if self.minimum is not None and self.maximum is not None:
                text += f" från {_number(self.minimum)} till {_number(self.maximum)}"
            elif self.minimum is not None:
                text += f" ≥ {_number(self.minimum)}"
        if self.nullable:
            text += " eller null"
        return text

    def problem(self, value) -> str | None:
        """The Swedish message when `value` is not allowed, else None."""
        if value is None and self.nullable:
            return None
        if self.type == CHOICE:
            ok = isinstance(value, str) and value in self.choices
        elif self.type == FIGURES_LIST:
            ok = (
                isinstance(value, list)
                and bool(value)
                and all(isinstance(v, str) and v in self.choices for v in value)
                and len(set(value)) == len(value)
            )
        else:
            ok = _is_number(value, whole=self.type == WHOLE) and self._in_range(value)
        return None if ok else f"ska vara {self.allowed()}"

    def _in_range(self, value) -> bool:
        low_ok = self.minimum is None or value >= self.minimum
        return low_ok and (self.maximum is None or value <= self.maximum)


@dataclass(frozen=True)
class Kind:
    name: str
    description: str  # when a requirement of this kind is met, in Swedish
    parameters: tuple[Parameter, ...] = ()
    ordered: tuple[tuple[str, str], ...] = field(default=())  # (low, high): low <= high when both set

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def _figure(name: str, description: str, choices: tuple[str, ...] = FIGURE_NAMES) -> Parameter:
    return Parameter(name, CHOICE, description, choices=choices)


_KINDS = (
    Kind(
        "booked_all",
        "alla bokade tider har egenskapen: figure är lika med booked_total, som är större än 0 "
        "(uppgift saknas när booked_total är 0)",
        (
            _figure(
                "figure",
                "den andel av de bokade tiderna som ska omfatta alla",
                ("booked_visible", "booked_cancellable", "booked_reschedulable"),
            ),
        ),
    ),
    Kind(
        "any_positive",
        "minst en av figurerna är större än 0",
        (Parameter("figures", FIGURES_LIST, "figurerna, varav minst en ska vara > 0", choices=FIGURE_NAMES),),
    ),
    Kind(
        "minimum",
        "figuren når minst at_least",
        (
            _figure("figure", "figuren som jämförs"),
            Parameter("at_least", NUMBER, "det minsta värde figuren ska ha", minimum=0),
        ),
    ),
    Kind(
        "share_trend",
        "andelen numerator/denominator är 1 eller större än förra perioden, och når handlingsplanens "
        "mål när det finns ett (uppgift saknas när nämnaren är 0; ej tillämpligt utan förra perioden)",
        (
            _figure("numerator", "täljaren: figuren vars andel ska öka"),
            _figure(
                "denominator",
                "nämnaren: alla bokade eller alla bokningsbara tider",
                ("booked_total", "slots_total"),
            ),
        ),
    ),
    Kind("contact_card", "enheten har ett kontaktkort på 1177"),
    Kind(
        "digital_contact",
        "enheten erbjuder minst en öppen, regional tjänst som i katalogen är digital kontakt",
    ),
    Kind(
        "regional_services",
        "enheten erbjuder minst en tjänst, och varje tjänst den erbjuder är regional och öppen",
    ),
    Kind(
        "regional_templates",
        "enheten använder minst en mall, och varje mall den använder är regional",
    ),
    Kind(
        "base_offering",
        "allt i enhetens profils lista erbjuds (tjänster regionala och öppna, kanaler finns); "
        "en tom lista är uppfylld; uppgift saknas när enhetens profil inte finns i regelboken",
        (
            Parameter(
                "of", CHOICE, "vilken lista i profilen som gäller", "services", ("services", "channels")
            ),
        ),
    ),
    Kind(
        "response_time",
        "under utvärderingsmånaden är andelen ärenden besvarade i tid minst threshold "
        "(uppgift saknas utan bedömda ärenden); högst ett krav av denna sort per regelbok",
        (
            Parameter(
                "threshold", NUMBER, "andelen ärenden som ska besvaras i tid", 0.95, minimum=0, maximum=1
            ),
            Parameter(
                "working_days",
                WHOLE,
                "svar senast vid slutet av så många vardagar efter mottagningsdagen",
                2,
                minimum=1,
                maximum=60,
            ),
            Parameter(
                "same_day_hours",
                WHOLE,
                "timmar vardagstid för enheter med vårdgarantins kontakt samma dag",
                24,
                minimum=1,
                maximum=240,
            ),
            Parameter(
                "stretch_hours",
                NUMBER,
                "timmar för indikatorn svar inom kort tid (share_within_2h)",
                2,
                minimum=0,
                maximum=240,
            ),
        ),
    ),
    Kind(
        "local_admin_wide_mandate",
        "varje person som är lokal administratör vid enheten är det vid minst min_units enheter; "
        "ingen lokal administratör är uppfyllt",
        (
            Parameter(
                "min_units", WHOLE, "det minsta antal enheter en lokal administratör ska ha", 2, minimum=1
            ),
        ),
    ),
    Kind(
        "role_count",
        "antalet olika personer med rollen vid enheten ligger mellan min och max",
        (
            Parameter("role", CHOICE, "rollen som räknas", choices=ROLES),
            Parameter("min", WHOLE, "minsta antal personer", 1, minimum=0),
            Parameter(
                "max", WHOLE, "högsta antal personer (null: ingen övre gräns)", 2, minimum=0, nullable=True
            ),
        ),
        ordered=(("min", "max"),),
    ),
)

KINDS: dict[str, Kind] = {kind.name: kind for kind in _KINDS}
KIND_NAMES = tuple(KINDS)


def with_defaults(kind: str, params: Mapping | None) -> dict:
    """The parameters with the kind's defaults for those not given, in the kind's order (a parameter
    the kind does not know is kept, last: `parameter_problems` is the one that refuses it)."""
    given = dict(params or {})
    filled = {}
    for parameter in KINDS[kind].parameters:
        if parameter.name in given:
            filled[parameter.name] = given.pop(parameter.name)
        elif not parameter.required:
            filled[parameter.name] = parameter.default
    return {**filled, **given}


def parameter_problems(kind: str, params) -> dict[str, str]:
    """Per parameter name, the Swedish message when the given parameters are not allowed for `kind`:
    unknown names, required ones missing, wrong types, out of range, and `min > max`. `"-"` names a
    problem with the whole (not a mapping). Empty when they are allowed."""
    spec = KINDS[kind]
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        return {"-": "ska vara en mappning (namn: värde)"}
    problems = {}
    for name in params:
        if spec.parameter(name) is None:
            problems[str(name)] = _unknown(spec)
    for parameter in spec.parameters:
        if parameter.name not in params:
            if parameter.required:
                problems[parameter.name] = f"saknas: {kind} kräver den ({parameter.allowed()})"
            continue
        message = parameter.problem(params[parameter.name])
        if message:
            problems[parameter.name] = message
    filled = with_defaults(kind, params)
    for low, high in spec.ordered:
        if low in problems or high in problems or filled.get(low) is None or filled.get(high) is None:
            continue
        if filled[low] > filled[high]:
            problems[high] = f"får inte vara mindre än {low} ({_number(filled[low])})"
    return problems


def _unknown(spec: Kind) -> str:
    if not spec.parameters:
        return f"okänd parameter: {spec.name} tar inga parametrar"
    return f"okänd parameter för {spec.name}; tillåtna: " + ", ".join(p.name for p in spec.parameters)


def _is_number(value, *, whole: bool) -> bool:
    if isinstance(value, bool):
        return False
    if whole:
        return isinstance(value, int)
    return isinstance(value, int | float) and math.isfinite(value)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
