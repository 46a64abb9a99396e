"""Importer for exemptions decided elsewhere (the audit trail records them as imported)."""

from servicelevel.audit import audit
from servicelevel.importing.base import Column, WriteResult, check, length_of, raise_problems
from servicelevel.importing.fields import choice, parse_date, parse_text
from servicelevel.importing.write import existing_by, upsert
from servicelevel.models import Requirement
from servicelevel.selectors import requirement_ids_by_code
from units.importers import UNIT_COLUMN, UnitRowsImporter, unit_ids_by_hsa

from .models import Exemption
from .rules import dates_problems


class ExemptionsImporter(UnitRowsImporter):
    kind = "exemptions"
    key = ("exemption_id",)
    description = (
        "Avsteg som beslutats utanför portalen. Ett avsteg med ett id som redan finns uppdateras; varje "
        "nytt eller ändrat avsteg skrivs i granskningsloggen som importerat."
    )
    columns = (
        Column(
            "exemption_id",
            parse_text,
            max_length=length_of(Exemption.exemption_id),
            description="Avstegets id, t.ex. diarienumret.",
            example="AV-EXEMPEL-1",
        ),
        UNIT_COLUMN,
        Column(
            "requirement_code",
            parse_text,
            max_length=length_of(Requirement.code),
            description="Kravets kod i regelverket, t.ex. Skånes TB3-OPPEN-KALLELSE.",
            example="TB3-OPPEN-KALLELSE",
        ),
        Column(
            "reason",
            choice(*Exemption.Reason.values, case_sensitive=False),
            description="patientsakerhet = patienten kan komma till skada, teknisk = systemen stödjer inte "
            "funktionen.",
            example="teknisk",
        ),
        Column("valid_from", parse_date, description="Avstegets första dag.", example="2026-06-01"),
        Column(
            "valid_until",
            parse_date,
            description="Avstegets sista dag; ett avsteg är alltid tidsbegränsat. Inte före valid_from.",
            example="2026-12-31",
        ),
        Column(
            "status",
            choice(*Exemption.Status.values, case_sensitive=False),
            description="Avstegets läge: utkast, inskickat, godkänt, avslaget, avslutat i förtid (revoked) "
            "eller utgånget.",
            example="approved",
        ),
        Column(
            "ended_on",
            parse_date,
            required=False,  # the column may be left out when no row is revoked
            description="Dagen ett avslutat avsteg (revoked) upphörde; krävs då, och ska vara tomt annars.",
            example="",
        ),
        Column(
            "justification",
            parse_text,
            required=False,
            default="",
            description="Motiveringen till avsteget.",
            example="Exempel: bokningssystemet stödjer inte öppen kallelse",
        ),
    )

    def prepare(self):
        self.units = unit_ids_by_hsa()
        self.requirements = requirement_ids_by_code()

    @check("requirement_code")
    def requirement(self, values):
        values["requirement_id"] = self.lookup(
            self.requirements, values["requirement_code"], "requirement_code", "kravet"
        )

    @check("status", "ended_on")
    def dates(self, values):
        # The rules of Exemption.clean (exemptions/rules.py), every one it finds. A date that did not parse
        # is given as None, which the rules read as unknown (as the model's clean does for an empty field);
        # ended_on and status must have parsed, since None there means "not ended", a value of its own.
        raise_problems(
            dates_problems(
                status=values["status"],
                valid_from=values.get("valid_from"),
                valid_until=values.get("valid_until"),
                ended_on=values["ended_on"],
            )
        )

    def write(self, rows):
        fields = (
            "exemption_id",
            "unit_id",
            "requirement_id",
            "reason",
            "valid_from",
            "valid_until",
            "status",
            "ended_on",
            "justification",
        )
        records = [{**{f: r.values[f] for f in fields}, "imported": True} for r in rows]
        existing = existing_by(Exemption, "exemption_id", [r["exemption_id"] for r in records])
        old_units = {e.exemption_id: e.unit_id for e in existing}
        result = upsert(Exemption, records, ("exemption_id",), existing)
        for exemption in [*result.created, *result.updated]:
            audit(
                action="exemption_imported",
                object_type="exemption",
                object_id=exemption.exemption_id,
                detail={
                    "status": exemption.status,
                    "valid_from": str(exemption.valid_from),
                    "valid_until": str(exemption.valid_until),
                },
            )
        touched = result.unit_ids() | {old_units[e.exemption_id] for e in result.updated}
        return WriteResult(result.counts, unit_ids=touched)
