"""Importer for cases (ärenden): validates, guards against personal data, and stores each deadline."""

from django.db import connection

from servicelevel.importing.base import Column, Counts, Importer, RowProblem, WriteResult, length_of
from servicelevel.importing.fields import parse_datetime, parse_text
from servicelevel.importing.write import existing_by, upsert
from units.importers import parse_hsa_id
from units.models import CareUnit

from .bulk_cases import COLUMNS as CASE_COLUMNS
from .bulk_cases import CaseStage
from .calendar import region_calendar
from .models import Case
from .personal_data import looks_like_personnummer


class CasesImporter(Importer):
    kind = "cases"
    key = ("case_id",)
    columns = (
        Column("case_id", parse_text, max_length=length_of(Case.case_id)),
        Column("unit_hsa_id", parse_hsa_id),
        Column(
            "service_code", parse_text, required=False, default="", max_length=length_of(Case.service_code)
        ),
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

    def row_may_need_screening(self, cells):
        # One search over the joined row instead of one per cell; the separator is no digit, so no match
        # can span two cells.
        return looks_like_personnummer("\x1f".join(cells))

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

    @property
    def streaming(self) -> bool:
        return connection.vendor == "postgresql"

    @staticmethod
    def records(rows) -> list[tuple]:
        return [
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

    def stage(self, rows):
        """PostgreSQL: COPY each chunk into the staging table while the rest of the file is validated."""
        if not hasattr(self, "_stage"):
            self._stage = CaseStage()
        self._stage.add(self.records(rows))

    def close(self):
        if hasattr(self, "_stage"):
            self._stage.close()

    def finish(self):
        counts, touched = self._stage.upsert() if hasattr(self, "_stage") else (Counts(), set())
        return WriteResult(counts, unit_ids=touched)

    def write(self, rows):
        """SQLite (the embedded default): the generic upsert."""
        dicts = [dict(zip(CASE_COLUMNS, record, strict=True)) for record in self.records(rows)]
        existing = existing_by(Case, "case_id", [r["case_id"] for r in dicts])
        old_units = {c.case_id: c.unit_id for c in existing}
        result = upsert(Case, dicts, ("case_id",), existing)
        touched = result.unit_ids() | {old_units[c.case_id] for c in result.updated}
        return WriteResult(result.counts, unit_ids=touched)
