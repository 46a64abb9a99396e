"""Importer for cases (ärenden): validates, guards against personal data, and stores each deadline."""

from django.db import connection

from servicelevel.importing.base import Column, Importer, RowProblem, WriteResult
from servicelevel.importing.fields import parse_datetime, parse_text
from servicelevel.importing.write import existing_by, upsert
from units.importers import parse_hsa_id
from units.models import CareUnit

from .bulk_cases import COLUMNS as CASE_COLUMNS
from .bulk_cases import upsert_cases
from .calendar import region_calendar
from .models import Case
from .personal_data import looks_like_personnummer


class CasesImporter(Importer):
    kind = "cases"
    key = ("case_id",)
    columns = (
        Column("case_id", parse_text),
        Column("unit_hsa_id", parse_hsa_id),
        Column("service_code", parse_text, required=False, default=""),
        Column("received_at", parse_datetime),
        Column("first_response_at", parse_datetime, required=False, blank=True),
        Column("delay_notified_at", parse_datetime, required=False, blank=True),
    )

    def prepare(self):
        self.units = {
            h: (pk, same_day)
            for h, pk, same_day in CareUnit.objects.values_list("hsa_id", "id", "same_day_contact")
        }
        self.calendar = region_calendar()

    def screen(self, column, text):
        if looks_like_personnummer(text):
            return "ser ut som ett personnummer — portalen tar inte emot personuppgifter om patienter"
        return None

    def clean(self, values):
        values["unit_id"], values["same_day"] = self.lookup(
            self.units, values["unit_hsa_id"], "unit_hsa_id", "enheten"
        )
        received = values["received_at"]
        for name in ("first_response_at", "delay_notified_at"):
            if values[name] is not None and values[name] < received:
                raise RowProblem(
                    name, f"{values[name].isoformat()} är före received_at {received.isoformat()}"
                )
        values["deadline"] = self.calendar.deadline(received, same_day_contact=values["same_day"])
        return values

    def write(self, rows):
        records = [
            (
                v["case_id"],
                v["unit_id"],
                v["service_code"],
                v["received_at"],
                v["first_response_at"],
                v["delay_notified_at"],
                v["deadline"],
                v["same_day"],
            )
            for v in (r.values for r in rows)
        ]
        if connection.vendor == "postgresql":
            counts, touched = upsert_cases(records)  # COPY + one INSERT … ON CONFLICT
            return WriteResult(counts, unit_ids=touched)
        dicts = [dict(zip(CASE_COLUMNS, record, strict=True)) for record in records]
        existing = existing_by(Case, "case_id", [r["case_id"] for r in dicts])
        old_units = {c.case_id: c.unit_id for c in existing}
        result = upsert(Case, dicts, ("case_id",), existing)
        touched = result.unit_ids() | {old_units[c.case_id] for c in result.updated}
        return WriteResult(result.counts, unit_ids=touched)
