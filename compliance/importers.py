"""Importer for cases (ärenden): validates, guards against personal data, and stores each deadline."""

from django.db import connection

from servicelevel.importing.base import (
    Column,
    Counts,
    Importer,
    RowProblem,
    RowProblems,
    WriteResult,
    check,
    length_of,
)
from servicelevel.importing.fields import FieldError, parse_datetime, parse_text
from servicelevel.importing.write import existing_by, upsert
from units.history import same_day_history, same_day_on
from units.importers import UNIT_COLUMN, parse_hsa_id
from units.models import CareUnit

from .bulk_cases import COLUMNS as CASE_COLUMNS
from .bulk_cases import CaseStage
from .deadlines import local_date
from .models import Case, region_calendar
from .personal_data import looks_like_personnummer


class CasesImporter(Importer):
    kind = "cases"
    key = ("case_id",)
    description = (
        "Ärenden från 1177:s statistik, för svarstiden. Ett ärende med ett id som redan finns uppdateras, "
        "så en senare fil kan lägga till svaret. Inga personuppgifter: ett värde som ser ut som ett "
        "personnummer avvisas."
    )
    columns = (
        Column(
            "case_id",
            parse_text,
            max_length=length_of(Case.case_id),
            description="Ärendets id i 1177:s statistik (inget personnummer).",
            example="EXEMPEL-0001",
        ),
        UNIT_COLUMN,
        Column(
            "service_code",
            parse_text,
            required=False,
            default="",
            max_length=length_of(Case.service_code),
            description="Koden för tjänsten ärendet kom in genom.",
            example="KONTAKT",
        ),
        Column(
            "received_at",
            parse_datetime,
            description="När ärendet kom in. Tidsgränsen för svar räknas härifrån.",
            example="2026-10-07T08:00",
        ),
        Column(
            "first_response_at",
            parse_datetime,
            required=False,
            blank=True,
            description="Vårdens första svar; tomt = inte besvarat än. Inte före received_at.",
            example="2026-10-07T09:30",
        ),
        Column(
            "delay_notified_at",
            parse_datetime,
            required=False,
            blank=True,
            description="När invånaren fick besked om att svaret dröjer; tomt = inget besked. Inte före "
            "received_at.",
            example="",
        ),
    )

    def prepare(self):
        # Each unit's same-day contact over time: a bool for nearly all, the dates it changed otherwise.
        same_days = same_day_history()
        self.units = {h: (pk, same_days[pk]) for h, pk in CareUnit.objects.values_list("hsa_id", "id")}
        self.calendar = region_calendar()

    def row_may_need_screening(self, cells):
        # One search over the joined row instead of one per cell; the separator is no digit, so no match
        # can span two cells.
        return looks_like_personnummer("\x1f".join(cells))

    def screen(self, column, text):
        if looks_like_personnummer(text):
            return "ser ut som ett personnummer — portalen tar inte emot personuppgifter om patienter"
        return None

    @check("unit_hsa_id")
    def unit(self, values):
        values["unit_id"], values["same_day"] = self.lookup(
            self.units, values["unit_hsa_id"], "unit_hsa_id", "enheten"
        )

    @check("received_at")
    def not_before_receipt(self, values):
        received = values["received_at"]
        first, notice = values.get("first_response_at"), values.get("delay_notified_at")  # absent: bad cell
        if (first is not None and first < received) or (notice is not None and notice < received):
            raise RowProblems(
                RowProblem(name, f"{values[name].isoformat()} är före received_at {received.isoformat()}")
                for name in ("first_response_at", "delay_notified_at")
                if values.get(name) is not None and values[name] < received
            )

    @property
    def streaming(self) -> bool:
        return connection.vendor == "postgresql"

    def record(self, v) -> tuple:
        """The clean row as stored, with its deadline (computed here: it is no rule about the row)."""
        received, same_day = v["received_at"], v["same_day"]
        if same_day is not True and same_day is not False:
            same_day = same_day_on(same_day, local_date(received))
        return (
            v["case_id"],
            v["unit_id"],
            v["service_code"],
            received,
            v["first_response_at"],
            v["delay_notified_at"],
            self.calendar.deadline(received, same_day_contact=same_day),
            same_day,
        )

    def fast_parser(self, present, width):
        """The rows of a large file that are plainly fine, judged by the same parsers and rules as the full
        check, without its per-column bookkeeping (about a third of an import's Python time). Anything
        else — a blank or over-long cell, text that is not ASCII, a NUL, what looks like a personnummer,
        an unknown unit, a bad or out-of-order time, a row of another width — returns None and takes
        the full check, which words the message. tests/test_import_fast_path.py holds the two equal."""
        limits = {c.name: c.max_length for c in self.columns}
        case_at, unit_at, received_at = present["case_id"], present["unit_hsa_id"], present["received_at"]
        service_at = present.get("service_code")
        first_at, notice_at = present.get("first_response_at"), present.get("delay_notified_at")
        case_max, service_max = limits["case_id"], limits["service_code"]
        units, deadline = self.units, self.calendar.deadline

        def fast(cells):
            if len(cells) != width:
                return None
            joined = "\x1f".join(cells)  # one test of the row, as row_may_need_screening does
            if not joined.isascii() or "\x00" in joined or looks_like_personnummer(joined):
                return None
            case_id = cells[case_at].strip()
            if not case_id or len(case_id) > case_max:
                return None
            service = cells[service_at].strip() if service_at is not None else ""
            if len(service) > service_max:
                return None
            try:
                unit_id, same_day = units[parse_hsa_id(cells[unit_at])]
                text = cells[received_at].strip()
                received = parse_datetime(text) if text else None
                text = cells[first_at].strip() if first_at is not None else ""
                first = parse_datetime(text) if text else None
                text = cells[notice_at].strip() if notice_at is not None else ""
                notice = parse_datetime(text) if text else None
            except (KeyError, FieldError):
                return None
            if received is None or (first is not None and first < received):
                return None
            if notice is not None and notice < received:
                return None
            if same_day is not True and same_day is not False:
                same_day = same_day_on(same_day, local_date(received))
            due = deadline(received, same_day_contact=same_day)
            return (case_id, unit_id, service, received, first, notice, due, same_day)

        return fast

    def stage(self, records):
        """PostgreSQL: COPY each chunk into the table while the rest of the file is validated."""
        if not hasattr(self, "_stage"):
            self._stage = CaseStage()
        self._stage.add(records)

    def close(self):
        if hasattr(self, "_stage"):
            self._stage.close()

    def finish(self):
        counts, touched = self._stage.upsert() if hasattr(self, "_stage") else (Counts(), set())
        return WriteResult(counts, unit_ids=touched)

    def write(self, rows):
        """SQLite (the embedded default): the generic upsert."""
        dicts = [dict(zip(CASE_COLUMNS, self.record(r.values), strict=True)) for r in rows]
        existing = existing_by(Case, "case_id", [r["case_id"] for r in dicts])
        old_units = {c.case_id: c.unit_id for c in existing}
        result = upsert(Case, dicts, ("case_id",), existing)
        touched = result.unit_ids() | {old_units[c.case_id] for c in result.updated}
        return WriteResult(result.counts, unit_ids=touched)
