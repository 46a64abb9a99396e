"""The fast write path for cases on PostgreSQL: chunk by chunk while the file is validated, COPY into a
temporary staging table, then one INSERT … ON CONFLICT that creates new cases, updates changed ones and
leaves equal ones untouched.

About 7× faster than bulk_create/bulk_update for large files, and memory stays bounded: rows go to the
staging table in chunks. The counts come back from the same statement (`xmax = 0` marks a row the INSERT
created), so the summary is exact.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection

from servicelevel.importing.base import Counts

COLUMNS = (
    "case_id",
    "unit_id",
    "service_code",
    "received_at",
    "first_response_at",
    "delay_notified_at",
    "deadline",
    "deadline_same_day",
)
UPDATABLE = COLUMNS[1:]
TYPES = ("varchar", "int8", "varchar", "timestamptz", "timestamptz", "timestamptz", "timestamptz", "bool")

STAGE = """
CREATE TEMPORARY TABLE case_stage (
    case_id varchar(64) NOT NULL, unit_id bigint NOT NULL, service_code varchar(100) NOT NULL,
    received_at timestamptz NOT NULL, first_response_at timestamptz, delay_notified_at timestamptz,
    deadline timestamptz NOT NULL, deadline_same_day boolean NOT NULL
) ON COMMIT DROP
"""

# The old unit of an updated case comes from a subquery in RETURNING: it reads the statement's snapshot,
# which still holds the row as it was. Only updated rows are probed (created ones have xmax = 0), so a
# file of new cases costs no extra lookups.
UPSERT = f"""
WITH written AS (
    INSERT INTO compliance_case ({", ".join(COLUMNS)})
    SELECT {", ".join(COLUMNS)} FROM case_stage
    ON CONFLICT (case_id) DO UPDATE SET {", ".join(f"{c} = EXCLUDED.{c}" for c in UPDATABLE)}
    WHERE ({", ".join(f"compliance_case.{c}" for c in UPDATABLE)})
          IS DISTINCT FROM ({", ".join(f"EXCLUDED.{c}" for c in UPDATABLE)})
    RETURNING (xmax = 0) AS created, unit_id,
        CASE WHEN xmax = 0 THEN NULL
             ELSE (SELECT old.unit_id FROM compliance_case old WHERE old.case_id = compliance_case.case_id)
        END AS old_unit_id
)
SELECT created, unit_id, count(*) FROM written GROUP BY created, unit_id
UNION ALL
SELECT DISTINCT NULL::boolean, old_unit_id, 0 FROM written WHERE old_unit_id <> unit_id
"""


class CaseStage:
    """Staging for one import, inside its transaction.

    The main thread COPYs each chunk into the staging table (Python work, it holds the GIL anyway); one
    worker thread then runs the chunk's INSERT … ON CONFLICT on the import's own database connection while
    the main thread validates the next chunk — PostgreSQL's work and Python's overlap on two cores. At most
    one chunk is in flight, so chunks are written in order; an error in the worker is raised in the main
    thread at the next chunk or at `upsert`, and the transaction rolls everything back."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg serialises use of a connection across threads
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-stage")
        self.in_flight: Future | None = None
        self.created_table = False
        self.staged = 0
        self.counts = Counts()
        self.units: set[int] = set()

    def add(self, records: list[tuple]) -> None:
        """`records` are tuples in COLUMNS order."""
        self._wait()  # the staging table is free again once the previous chunk is written
        with connection.wrap_database_errors, self.raw.cursor() as cursor:  # Django's exception classes
            if not self.created_table:
                cursor.execute(STAGE)
                # Check the unit foreign key row by row inside each chunk's INSERT, which runs beside
                # Python's validation, instead of 300,000 deferred checks queued for the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self.created_table = True
            with cursor.copy(f"COPY case_stage ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(TYPES)  # binary: psycopg's C dumpers, no text formatting per value
                for record in records:
                    copy.write_row(record)
        self.staged += len(records)
        self.in_flight = self.worker.submit(self._write_chunk, len(records))

    def _wait(self) -> None:
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            future.result()

    def _write_chunk(self, staged: int) -> None:
        with connection.wrap_database_errors, self.raw.cursor() as cursor:
            cursor.execute(UPSERT)
            written = 0
            for created, unit_id, n in cursor.fetchall():
                self.units.add(unit_id)
                if created is True:
                    self.counts.created += n
                elif created is False:
                    self.counts.updated += n
                written += n
            self.counts.unchanged += staged - written
            cursor.execute("TRUNCATE case_stage")

    def upsert(self) -> tuple[Counts, set[int]]:
        """Finish: wait for the last chunk. Returns the counts and the units whose cases changed (including
        a unit a case moved away from)."""
        self._wait()
        if self.created_table:
            with self.raw.cursor() as cursor:
                cursor.execute("DROP TABLE case_stage")
        return self.counts, self.units

    def close(self) -> None:
        """Before the transaction ends, in every case: no chunk may still be writing when it rolls back."""
        self.worker.shutdown(wait=True)
