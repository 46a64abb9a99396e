"""Importers for the kinds the units app owns: units, offerings, booking, admin_roles."""

from decimal import Decimal
from functools import lru_cache

from django.utils import timezone

from servicelevel.audit import audit
from servicelevel.importers import EXAMPLE_PERIOD
from servicelevel.importing.base import (
    Column,
    Counts,
    Importer,
    RowProblem,
    WriteResult,
    check,
    length_of,
    raise_problems,
)
from servicelevel.importing.fields import (
    FieldError,
    accepts,
    choice,
    parse_bool,
    parse_count,
    parse_decimal,
    parse_text,
    quote,
)
from servicelevel.importing.write import existing_by, upsert
from servicelevel.models import (
    CatalogueChannel,
    CatalogueService,
    CatalogueTemplate,
    Decision,
    SchedulePeriod,
    UnitType,
)
from servicelevel.validity import valid_on_or_after

from . import rules
from .history import UNIT_VALUES, first_day, restate_sets, restate_units
from .models import AdminRole, BookingFigures, CareUnit, Forvaltning, Offering, Person, Provider, Vardomrade
from .validators import HSA_ID_MAX, HSA_ID_MIN, PROFILE_MAX, hsa_id_problem, profile_problem


@accepts(f"HSA-id: SE, 10 siffror, '-' och bokstäver A–Z/siffror, {HSA_ID_MIN}–{HSA_ID_MAX} tecken")
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


@accepts(f"kod för en basutbudsprofil: gemena a–z, siffror och '-', högst {PROFILE_MAX} tecken")
def parse_profile(text: str) -> str:
    value = text.strip().lower()  # as unit_type: a code is a code whatever its case
    problem = profile_problem(value)
    if problem:
        raise FieldError(problem)
    return value


def decision_today() -> Decision | None:
    """The version in force today (the files' references are checked against it, as the pages are)."""
    return Decision.in_force(timezone.localdate())


# The templates' example unit and area: obviously fictive (a unit no region has), the same in every kind.
EXAMPLE_UNIT = "SE2321000255-EXEMPEL"
EXAMPLE_AREA = "Exempelområdet"
UNIT_COLUMN = Column(
    "unit_hsa_id",
    parse_hsa_id,
    description="Vårdenhetens HSA-id; enheten ska redan finnas i portalen (importera enheter först).",
    example=EXAMPLE_UNIT,
)


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
    over_time = True
    description = (
        "En rad per vårdenhet. En enhet med ett HSA-id som redan finns uppdateras. Förvaltningar, "
        "vårdområden och vårdgivare skapas efter namn när de är nya."
    )
    columns = (
        Column(
            "hsa_id",
            parse_hsa_id,
            description="Vårdenhetens HSA-id. Alla andra slag av filer anger enheten med det.",
            example=EXAMPLE_UNIT,
        ),
        Column(
            "name",
            parse_text,
            max_length=length_of(CareUnit.name),
            description="Enhetens namn som det visas i portalen.",
            example="Exempelmottagningen (fiktiv)",
        ),
        Column(
            "forvaltning",
            parse_text,
            max_length=length_of(Forvaltning.name),
            description="Förvaltningen enheten hör till, med namn.",
            example="Exempelförvaltningen",
        ),
        Column(
            "vardomrade",
            parse_text,
            max_length=length_of(Vardomrade.name),
            description="Vårdområdet enheten hör till, med namn. Ett vårdområde hör till en enda "
            "förvaltning.",
            example=EXAMPLE_AREA,
        ),
        Column(
            "unit_kind",
            choice(*CareUnit.Kind.values, case_sensitive=False),
            description="VUE = vårdutförande enhet, TUE = tjänsteutförande enhet.",
            example="VUE",
        ),
        Column(
            "unit_type",
            choice(*UnitType.values, case_sensitive=False),
            description="Enhetstyp; avgör vilket basutbud som krävs.",
            example="mottagning",
        ),
        Column(
            "booking_system",
            choice(*CareUnit.BookingSystem.values, case_sensitive=False),
            description="Bokningssystemet enheten använder; ingen = inga bokningsbara besök "
            "(tidbokningskraven gäller då inte).",
            example="PMO",
        ),
        Column(
            "has_contact_card",
            parse_bool,
            description="Om enheten har ett kontaktkort på 1177.se. Utan kontaktkort gäller inga krav.",
            example="ja",
        ),
        Column(
            "same_day_contact",
            parse_bool,
            description="Om enheten lovar kontakt samma dag (vårdgarantin); styr svarstidens tidsgräns.",
            example="nej",
        ),
        Column(
            "provider",
            parse_text,
            required=False,
            default="",
            max_length=length_of(Provider.name),
            description="Den privata vårdgivaren som driver enheten, med namn; tomt = regiondriven enhet.",
            example="",
        ),
        Column(
            "active",
            parse_bool,
            required=False,
            default=True,
            description="Om enheten är aktiv; en inaktiv enhet bedöms inte.",
            example="ja",
        ),
        Column(
            "profile",
            parse_profile,
            required=False,
            default="",
            max_length=length_of(CareUnit.profile),
            description="Enhetens basutbudsprofil i beslutet som gäller, när enheten är en variant av sin "
            "enhetstyp; tomt = enhetstypens profil. Utan kolumnen behåller en enhet som redan finns sin "
            "profil.",
            example="",
        ),
    )

    def prepare(self):
        self.vardomrade_owner = dict(Vardomrade.objects.values_list("name", "forvaltning__name"))
        # The profiles of today's version, read once and only when the file names profiles at all.
        self.profiles = None
        if "profile" in self.present_columns:
            decision = decision_today()
            self.profiles = (decision.profiles, decision.label) if decision is not None else ({}, "")

    @check("profile")
    def known_profile(self, values):
        if values["profile"] and self.profiles is not None:
            problem = rules.profile_unknown_problem(values["profile"], *self.profiles)
            if problem:
                raise RowProblem("profile", problem)

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
                # No column: a stored unit keeps its profile (set in the admin or by an earlier file).
                **({"profile": v["profile"]} if "profile" in self.present_columns else {}),
            }
            for v in (r.values for r in rows)
        ]
        existing = {u.hsa_id: u for u in existing_by(CareUnit, "hsa_id", [r["hsa_id"] for r in records])}
        # New units: their first version holds from the date given, or from the beginning (nothing is
        # known before the first file). Stored ones are restated from the date given, or today.
        new = [r for r in records if r["hsa_id"] not in existing]
        day_new = first_day(self.valid_from, known=False)
        CareUnit.objects.bulk_create(
            [CareUnit(**{"profile": "", **r}, valid_from=day_new) for r in new], batch_size=2000
        )
        created = set(
            CareUnit.objects.filter(hsa_id__in=[r["hsa_id"] for r in new]).values_list("id", flat=True)
        )
        day = first_day(self.valid_from, known=True)
        changes = []
        for record in records:
            unit = existing.get(record["hsa_id"])
            if unit is None:
                continue
            merged = {name: getattr(unit, name) for name in UNIT_VALUES} | {
                k: v for k, v in record.items() if k != "hsa_id"
            }
            changes.append((unit, tuple(merged[name] for name in UNIT_VALUES), day))
        restated = restate_units(changes, actor=self.actor)
        counts = Counts(created=len(new), updated=restated.updated, unchanged=restated.unchanged)
        altered = dict(restated.altered) | {pk: (day_new, None) for pk in created}
        return WriteResult(
            counts,
            unit_ids=set(restated.unit_ids) | created,
            same_day_changed=restated.same_day_changed,
            altered=altered,
        )


class OfferingsImporter(UnitRowsImporter):
    kind = "offerings"
    key = ("unit_hsa_id", "kind", "code")
    over_time = True
    description = (
        "Enheternas utbud av tjänster, mallar och digitala kanaler. Ersätter per enhet: för varje enhet i "
        "filen blir dess utbud precis filens rader; enheter som inte finns med lämnas som de är."
    )
    columns = (
        UNIT_COLUMN,
        Column(
            "kind",
            choice(*Offering.Kind.values, case_sensitive=False),
            description="tjanst = en tjänst i 1177:s e-tjänster, mall = en meddelandemall, kanal = en "
            "digital kanal ur beslutets katalog (t.ex. Journalen; alltid regional).",
            example="tjanst",
        ),
        Column(
            "code",
            parse_text,
            max_length=length_of(Offering.code),
            description="För regional: koden i den regionala katalogen (t.ex. KONTAKT). För lokal: enhetens "
            "eget namn på tjänsten eller mallen.",
            example="KONTAKT",
        ),
        Column(
            "variant",
            choice(*Offering.Variant.values, case_sensitive=False),
            description="regional = ur den regionala katalogen, lokal = enhetens egen.",
            example="regional",
        ),
        Column(
            "open",
            parse_bool,
            required=False,
            default=True,
            description="Om tjänsten är öppen för invånare. Gäller bara tjänster: en mall är alltid öppen, "
            "och för en kanal läses fältet inte.",
            example="ja",
        ),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()
        # Regional services, templates and channels are those of today's version's catalogue: the registry
        # keeps every code any version (or another region's, in the same database) named.
        decision = decision_today()
        catalogue = (decision.catalogue or {}) if decision else {}
        listed = {part: [e["code"] for e in catalogue.get(part, ())] for part in ("services", "templates")}
        self.services = dict(
            CatalogueService.objects.filter(code__in=listed["services"]).values_list("code", "id")
        )
        self.templates = dict(
            CatalogueTemplate.objects.filter(code__in=listed["templates"]).values_list("code", "id")
        )
        codes = [c["code"] for c in catalogue.get("channels", ())]
        self.channels = dict(CatalogueChannel.objects.filter(code__in=codes).values_list("code", "id"))
        self.channels_known = ", ".join(codes) or "inga"

    @check("kind", "code", "variant")
    def catalogue_entry(self, values):
        values["catalogue_service_id"] = values["catalogue_template_id"] = None
        values["catalogue_channel_id"] = None
        kind = values["kind"]
        if kind == Offering.Kind.KANAL:
            if values["variant"] != Offering.Variant.REGIONAL:
                raise RowProblem("variant", rules.CHANNEL_IS_REGIONAL)
            if values["code"] not in self.channels:
                raise RowProblem(
                    "code",
                    f"kanalen {quote(values['code'])} finns inte i beslutets katalog (kanaler: "
                    f"{self.channels_known})",
                )
            values["catalogue_channel_id"] = self.channels[values["code"]]
        elif values["variant"] == Offering.Variant.REGIONAL:
            if kind == Offering.Kind.TJANST:
                values["catalogue_service_id"] = self.lookup(
                    self.services, values["code"], "code", "den regionala tjänsten"
                )
            else:
                values["catalogue_template_id"] = self.lookup(
                    self.templates, values["code"], "code", "den regionala mallen"
                )

    @check("kind")
    def templates_are_open(self, values):
        if values["kind"] in (Offering.Kind.MALL, Offering.Kind.KANAL):
            # 'open' applies to services only (spec): a template is never closed (rules.template_open_problem
            # refuses a closed one in forms) and a channel's is ignored, so the cell is not read for them.
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
                "catalogue_channel_id": v["catalogue_channel_id"],
            }
            for v in (r.values for r in rows)
        ]
        return replace_over_time(Offering, records, valid_from=self.valid_from, actor=self.actor)


BOOKED_PARTS, SLOT_PARTS = BookingFigures.BOOKED_PARTS, BookingFigures.SLOT_PARTS


@accepts("tal ≥ 0 med högst två decimaler")
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
    description = (
        "Bokningssystemens siffror per enhet och tidbokningsschemaperiod. Finns enhetens siffror för "
        "perioden redan uppdateras de."
    )
    columns = (
        UNIT_COLUMN,
        Column(
            "period",
            parse_text,
            max_length=length_of(SchedulePeriod.code),
            description="Periodens kod; perioden ska redan finnas i portalen.",
            example=EXAMPLE_PERIOD,
        ),
        Column(
            "booked_total",
            parse_count,
            description="Bokade tider under perioden, hur de än bokats.",
            example="400",
        ),
        Column(
            "booked_visible",
            parse_count,
            description="Av de bokade: de som invånaren ser på 1177.se. Högst booked_total.",
            example="400",
        ),
        Column(
            "booked_cancellable",
            parse_count,
            description="Av de bokade: de som invånaren kan avboka på 1177.se. Högst booked_total.",
            example="400",
        ),
        Column(
            "booked_reschedulable",
            parse_count,
            description="Av de bokade: de som invånaren kan omboka på 1177.se. Högst booked_total.",
            example="120",
        ),
        Column(
            "slots_total",
            parse_count,
            description="Bokningsbara tider under perioden.",
            example="500",
        ),
        Column(
            "slots_open_invitation",
            parse_count,
            description="Av de bokningsbara: de som bokas via öppen kallelse (initierad av vården). Högst "
            "slots_total.",
            example="0",
        ),
        Column(
            "slots_citizen_bookable",
            parse_count,
            description="Av de bokningsbara: de som invånaren själv kan boka på 1177.se. Högst slots_total.",
            example="50",
        ),
        Column(
            "lookahead_weeks",
            parse_weeks,
            description="Hur många veckor framåt invånaren kan boka tid.",
            example="9",
        ),
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
    """person_id is opaque (spec: e.g. the person's HSA-id), unlike what people type in the portal and the
    admin (`rules.person_id_problem`). The optional `name` column teaches the portal the person's name; an
    empty cell (or no column) leaves a known name as it is."""

    kind = "admin_roles"
    key = ("person_id", "unit_hsa_id", "role")
    over_time = True
    description = (
        "Vem som har en administrativ roll i 1177:s personalverktyg vid en enhet. Ersätter per enhet: för "
        "varje enhet i filen blir dess roller precis filens rader."
    )
    columns = (
        Column(
            "person_id",
            parse_text,
            max_length=length_of(AdminRole.person_id),
            description="Personens id, t.ex. personens HSA-id (portalen tolkar det inte).",
            example="SE2321000255-EXPERSON",
        ),
        UNIT_COLUMN,
        Column(
            "role",
            choice(*AdminRole.Role.values, case_sensitive=False),
            description="Rollen vid enheten: lokal administratör eller behörighetsadministratör.",
            example="lokal_administrator",
        ),
        Column(
            "name",
            parse_text,
            required=False,
            default="",
            max_length=length_of(Person.name),
            description="Personens namn (valfritt). Ett tomt fält ändrar inte ett namn som portalen redan "
            "känner.",
            example="Anna Exempelsson",
        ),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()
        self.names: dict[str, str] = {}  # person_id → the name its first named row gave

    @check("person_id", "name")
    def one_name_per_person(self, values):
        person, name = values["person_id"], values["name"]
        first = self.names.setdefault(person, name) if name else name  # an empty cell names no one
        if first != name:
            raise RowProblem(
                "name",
                f"personen {quote(person)} har ett annat namn på en tidigare rad i filen ({quote(first)})",
            )

    def write(self, rows):
        records = [
            {"unit_id": r.values["unit_id"], "person_id": r.values["person_id"], "role": r.values["role"]}
            for r in rows
        ]
        before = {
            (r.unit_id, r.person_id, r.role)
            for r in AdminRole.objects.filter(unit_id__in={r["unit_id"] for r in records})
        }
        result = replace_over_time(AdminRole, records, valid_from=self.valid_from, actor=self.actor)
        renamed = self.write_names()
        # A row whose role was already there but whose person's name changed is an update, not unchanged.
        moved = sum(
            1
            for r in records
            if r["person_id"] in renamed and (r["unit_id"], r["person_id"], r["role"]) in before
        )
        result.counts.unchanged -= moved
        result.counts.updated += moved
        # AR1 looks at how many units a local administrator holds the role at: a change at one unit can
        # change the result at every other unit where the same person holds it (from the same date).
        persons = {r["person_id"] for r in records} | {p for _, p, _ in before}
        since = result.since
        if since is not None:
            others = AdminRole.versions.filter(person_id__in=persons).filter(valid_on_or_after(since))
            for unit_id in set(others.values_list("unit_id", flat=True)) - set(result.altered):
                result.altered[unit_id] = (since, None)
        result.unit_ids = set(result.altered)
        return result

    def write_names(self) -> set[str]:
        """Store the file's names (new people, changed names), each audited as the write path audits a
        change; returns the ids whose name was learnt or changed. The engine never reads names."""
        records = [{"person_id": person, "name": name} for person, name in self.names.items()]
        existing = existing_by(Person, "person_id", self.names)
        before = {p.person_id: p.name for p in existing}
        result = upsert(Person, records, ("person_id",), existing)
        for person in [*result.created, *result.updated]:
            old = before.get(person.person_id)
            changes = {"name": [old, person.name]}
            if old is None:
                changes = {"person_id": [None, person.person_id], **changes}
            audit(
                action="person_created" if old is None else "person_changed",
                object_type="person",
                object_id=person.person_id,
                detail={"changes": changes},
            )
        return {p.person_id for p in [*result.created, *result.updated]}


def replace_over_time(model, records: list[dict], *, valid_from, actor) -> WriteResult:
    """Replace per unit, kept over time: for every unit in `records`, its set of `model` facts becomes the
    records' from `valid_from` (default: today, or the beginning for a unit whose set the portal has never
    held) until each fact's next recorded change."""
    unit_ids = {r["unit_id"] for r in records}
    known = set(model.versions.filter(unit_id__in=unit_ids).values_list("unit_id", flat=True).distinct())
    day_of = {u: first_day(valid_from, known=u in known) for u in unit_ids}
    wanted = {tuple(r[name] for name in model.KEY): tuple(r[name] for name in model.VALUES) for r in records}
    restated = restate_sets(model, wanted, day_of, actor=actor)
    counts = Counts(
        created=restated.created,
        updated=restated.updated,
        unchanged=restated.unchanged,
        deleted=restated.deleted,
    )
    return WriteResult(counts, unit_ids=restated.unit_ids, altered=dict(restated.altered))
