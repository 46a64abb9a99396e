"""Importers for the kinds the units app owns: units, offerings, booking, admin_roles."""

from decimal import Decimal
from functools import lru_cache

from servicelevel.importing.base import (
    Column,
    Importer,
    RowProblem,
    WriteResult,
    check,
    length_of,
    raise_problems,
)
from servicelevel.importing.fields import (
    FieldError,
    choice,
    parse_bool,
    parse_count,
    parse_decimal,
    parse_text,
    quote,
)
from servicelevel.importing.write import existing_by, replace_per_unit, upsert
from servicelevel.models import CatalogueService, CatalogueTemplate, SchedulePeriod, UnitType

from . import rules
from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Provider, Vardomrade
from .validators import HSA_ID_MAX, HSA_ID_MIN, hsa_id_problem


@lru_cache(maxsize=8192)  # a cases file names the same few thousand units a million times
def parse_hsa_id(text: str) -> str:
    value = text.strip()
    # The length first, so a huge cell is never quoted whole; then ASCII only, as the validator's \d also
    # takes other scripts' digits and a full-width id would be stored looking like a real one.
    if len(value) > HSA_ID_MAX:
        raise FieldError(
            f"ogiltigt HSA-id {quote(value)}: ska vara {HSA_ID_MIN}–{HSA_ID_MAX} tecken, är {len(value)}"
        )
    if not value.isascii():
        raise FieldError(
            f"ogiltigt HSA-id {quote(value)}: bara SE, siffror 0–9, '-' och bokstäver A–Z/a–z är tillåtna"
        )
    problem = hsa_id_problem(value)
    if problem:
        raise FieldError(problem)
    return value


def unit_ids_by_hsa() -> dict[str, int]:
    return dict(CareUnit.objects.values_list("hsa_id", "id"))


class UnitRowsImporter(Importer):
    """A kind whose rows name a stored unit in `unit_hsa_id`: `prepare` loads `self.units`
    (unit_ids_by_hsa), and the unit's id is `unit_id`."""

    units: dict[str, int]

    @check("unit_hsa_id")
    def unit(self, values):
        values["unit_id"] = self.lookup(self.units, values["unit_hsa_id"], "unit_hsa_id", "enheten")


class UnitsImporter(Importer):
    kind = "units"
    key = ("hsa_id",)
    columns = (
        Column("hsa_id", parse_hsa_id),
        Column("name", parse_text, max_length=length_of(CareUnit.name)),
        Column("forvaltning", parse_text, max_length=length_of(Forvaltning.name)),
        Column("vardomrade", parse_text, max_length=length_of(Vardomrade.name)),
        Column("unit_kind", choice(*CareUnit.Kind.values, case_sensitive=False)),
        Column("unit_type", choice(*UnitType.values, case_sensitive=False)),
        Column("booking_system", choice(*CareUnit.BookingSystem.values, case_sensitive=False)),
        Column("has_contact_card", parse_bool),
        Column("same_day_contact", parse_bool),
        Column("provider", parse_text, required=False, default="", max_length=length_of(Provider.name)),
        Column("active", parse_bool, required=False, default=True),
    )

    def prepare(self):
        self.vardomrade_owner = dict(Vardomrade.objects.values_list("name", "forvaltning__name"))

    @check("vardomrade", "forvaltning")
    def area_owner(self, values):
        owner = self.vardomrade_owner.setdefault(values["vardomrade"], values["forvaltning"])
        problem = rules.area_owner_problem(values["vardomrade"], owner, values["forvaltning"])
        if problem:
            raise RowProblem("vardomrade", problem)

    def write(self, rows):
        forvaltningar = {f.name: f for f in Forvaltning.objects.all()}
        for name in {r.values["forvaltning"] for r in rows} - forvaltningar.keys():
            forvaltningar[name] = Forvaltning.objects.create(name=name)
        vardomraden = {v.name: v for v in Vardomrade.objects.all()}
        for name, fvg in {(r.values["vardomrade"], r.values["forvaltning"]) for r in rows}:
            if name not in vardomraden:
                vardomraden[name] = Vardomrade.objects.create(name=name, forvaltning=forvaltningar[fvg])
        providers = {p.name: p.id for p in Provider.objects.all()}
        for name in {r.values["provider"] for r in rows if r.values["provider"]} - providers.keys():
            providers[name] = Provider.objects.create(name=name).id
        records = [
            {
                "hsa_id": v["hsa_id"],
                "name": v["name"],
                "forvaltning_id": forvaltningar[v["forvaltning"]].id,
                "vardomrade_id": vardomraden[v["vardomrade"]].id,
                "unit_kind": v["unit_kind"],
                "unit_type": v["unit_type"],
                "booking_system": v["booking_system"],
                "has_contact_card": v["has_contact_card"],
                "same_day_contact": v["same_day_contact"],
                "provider_id": providers.get(v["provider"]) if v["provider"] else None,
                "active": v["active"],
            }
            for v in (r.values for r in rows)
        ]
        existing = existing_by(CareUnit, "hsa_id", [r["hsa_id"] for r in records])
        same_day_before = {u.hsa_id: u.same_day_contact for u in existing}
        result = upsert(CareUnit, records, ("hsa_id",), existing)
        same_day_changed = {u.id for u in result.updated if same_day_before[u.hsa_id] != u.same_day_contact}
        return WriteResult(
            result.counts,
            unit_ids={u.id for u in result.created} | {u.id for u in result.updated},
            same_day_changed=same_day_changed,
        )


class OfferingsImporter(UnitRowsImporter):
    kind = "offerings"
    key = ("unit_hsa_id", "kind", "code")
    columns = (
        Column("unit_hsa_id", parse_hsa_id),
        Column("kind", choice(*Offering.Kind.values, case_sensitive=False)),
        Column("code", parse_text, max_length=length_of(Offering.code)),
        Column("variant", choice(*Offering.Variant.values, case_sensitive=False)),
        Column("open", parse_bool, required=False, default=True),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()
        self.services = dict(CatalogueService.objects.values_list("code", "id"))
        self.templates = dict(CatalogueTemplate.objects.values_list("code", "id"))

    @check("kind", "code", "variant")
    def catalogue_entry(self, values):
        values["catalogue_service_id"] = values["catalogue_template_id"] = None
        if values["variant"] == Offering.Variant.REGIONAL:
            if values["kind"] == Offering.Kind.TJANST:
                values["catalogue_service_id"] = self.lookup(
                    self.services, values["code"], "code", "den regionala tjänsten"
                )
            else:
                values["catalogue_template_id"] = self.lookup(
                    self.templates, values["code"], "code", "den regionala mallen"
                )

    @check("kind")
    def templates_are_open(self, values):
        if values["kind"] == Offering.Kind.MALL:
            # 'open' applies to services only (spec): a template is never closed (rules.template_open_problem
            # refuses a closed one in forms), so the file's cell is not read for templates.
            values["open"] = True

    def write(self, rows):
        records = [
            {
                "unit_id": v["unit_id"],
                "kind": v["kind"],
                "code": v["code"],
                "variant": v["variant"],
                "is_open": v["open"],
                "catalogue_service_id": v["catalogue_service_id"],
                "catalogue_template_id": v["catalogue_template_id"],
            }
            for v in (r.values for r in rows)
        ]
        result = replace_per_unit(Offering, records, ("unit_id", "kind", "code"))
        return WriteResult(result.counts, unit_ids=result.unit_ids())


BOOKED_PARTS, SLOT_PARTS = BookingFigures.BOOKED_PARTS, BookingFigures.SLOT_PARTS


def parse_weeks(text: str) -> Decimal:
    value = parse_decimal(text)
    if value < 0:
        raise FieldError(f"ska vara ett tal ≥ 0, inte {quote(text)}")
    # The bound first: quantize() of a number with more digits than the context's precision raises.
    if value >= 10000 or value != value.quantize(Decimal("0.01")):
        raise FieldError(f"högst två decimaler och under 10 000 veckor, inte {quote(text)}")
    return value


class BookingImporter(UnitRowsImporter):
    kind = "booking"
    key = ("unit_hsa_id", "period")
    columns = (
        Column("unit_hsa_id", parse_hsa_id),
        Column("period", parse_text, max_length=length_of(SchedulePeriod.code)),
        Column("booked_total", parse_count),
        *(Column(name, parse_count) for name in BOOKED_PARTS),
        Column("slots_total", parse_count),
        *(Column(name, parse_count) for name in SLOT_PARTS),
        Column("lookahead_weeks", parse_weeks),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()
        self.periods = dict(SchedulePeriod.objects.values_list("code", "id"))

    @check("period")
    def schedule_period(self, values):
        values["period_id"] = self.lookup(self.periods, values["period"], "period", "perioden")

    @check()
    def parts_within_wholes(self, values):
        # Every part above its whole, as BookingFigures.clean; a figure that did not parse is absent from
        # `values`, and the rule skips what it cannot compare.
        raise_problems(rules.booking_part_problems(values))

    def write(self, rows):
        fields = BookingFigures.FIGURES
        records = [
            {
                "unit_id": r.values["unit_id"],
                "period_id": r.values["period_id"],
                **{f: r.values[f] for f in fields},
            }
            for r in rows
        ]
        existing = existing_by(BookingFigures, "unit_id", {r["unit_id"] for r in records})
        result = upsert(BookingFigures, records, ("unit_id", "period_id"), existing)
        return WriteResult(result.counts, unit_ids=result.unit_ids())


class AdminRolesImporter(UnitRowsImporter):
    kind = "admin_roles"
    key = ("person_id", "unit_hsa_id", "role")
    columns = (
        Column("person_id", parse_text, max_length=length_of(AdminRole.person_id)),
        Column("unit_hsa_id", parse_hsa_id),
        Column("role", choice(*AdminRole.Role.values, case_sensitive=False)),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()

    def write(self, rows):
        records = [
            {"unit_id": r.values["unit_id"], "person_id": r.values["person_id"], "role": r.values["role"]}
            for r in rows
        ]
        result = replace_per_unit(AdminRole, records, ("unit_id", "person_id", "role"))
        # AR1 looks at how many units a local administrator holds the role at: a change at one unit can
        # change the result at every other unit where the same person holds it.
        touched = result.unit_ids()
        persons = {r["person_id"] for r in records} | {k[1] for k in result.deleted_keys}
        touched |= set(AdminRole.objects.filter(person_id__in=persons).values_list("unit_id", flat=True))
        return WriteResult(result.counts, unit_ids=touched)
