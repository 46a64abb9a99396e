"""The fast write path for cases on PostgreSQL, chunk by chunk while the file is validated: new cases
are COPied straight into `compliance_case`; cases that exist go through a temporary staging table and one
INSERT … ON CONFLICT that updates changed ones and leaves equal ones untouched.

Memory stays bounded (one chunk in flight). The counts are exact: new cases are counted as they are
COPied, and the upsert's RETURNING tells updated (`xmax <> 0`) from written anew.
"""

from __future__ import annotations

import io
import sys
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection
from psycopg import Copy
from psycopg.copy import FileWriter
from psycopg.errors import UniqueViolation

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
SWITCH_INTERVAL = 0.0002  # seconds; see CaseStage
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

# One index probe per id, forced by the correlated subquery (about 2 µs a probe). As a join, or as
# `case_id = ANY(%s)`, the planner chose to read the whole table (a hash join or a parallel scan: 0.3 s
# alone, more beside the import's own Python on two cores).
EXISTING = (
    "SELECT id FROM unnest(%s::text[]) AS chunk(id) "
    "WHERE (SELECT true FROM compliance_case c WHERE c.case_id = chunk.id)"
)


def copy_data(raw, records: list[tuple]) -> bytes:
    """COPY's binary format of `records` (tuples in COLUMNS order), made without the database; `raw` is
    the psycopg connection, whose adapters dump the values."""
    buffer = io.BytesIO()
    # The cursor lends its adapters only; nothing is sent through it.
    with raw.cursor() as cursor, Copy(cursor, binary=True, writer=FileWriter(buffer)) as copy:
        copy.set_types(TYPES)  # binary: psycopg's C dumpers, no text formatting per value
        for record in records:
            copy.write_row(record)
    return buffer.getvalue()


def send(cursor, table: str, payload: bytes) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(payload)


class CaseStage:
    """Writing for one import, inside its transaction.

    One worker thread writes each chunk on the import's own database connection while the main thread
    validates the next one, so PostgreSQL's work and Python's overlap on two cores. New cases are COPied
    straight into `compliance_case` (a COPY into the real table costs the database about half of an
    INSERT … ON CONFLICT from a staging table): while a file's chunks are all new, untested, in a
    savepoint; from the first chunk that meets an existing case on, each chunk asks which of its case ids
    exist and sends only those through the staging table's upsert. The existence test cannot go stale
    before the COPY: cases are created only by the cases import, which holds the cases lock for its whole
    transaction (servicelevel.locks; test_concurrency). At most one chunk is in flight, so chunks
    are written in order; an error in the worker is raised in the main thread at the next chunk or at
    `upsert`, and the transaction rolls everything back."""

    def __init__(self):
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg serialises use of a connection across threads
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="case-stage")
        self.in_flight: Future | None = None
        self.started = False
        self.all_new = True  # until a chunk meets a case that exists
        self.created_table = False
        self.counts = Counts()
        self.units: set[int] = set()
        # The worker waits on the socket at every block it sends or receives, and then for the GIL, which
        # the validating main thread gives up only every `switchinterval` (5 ms by default): a chunk's
        # writes took 2–3× the database's time. For the import's duration the interval is 0.2 ms; the main
        # thread pays nothing for it while the worker does not ask. Restored in `close`.
        self.switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(SWITCH_INTERVAL)

    def add(self, records: list[tuple]) -> None:
        """`records` are tuples in COLUMNS order."""
        # The COPY data is made here, in one pass of psycopg's C dumpers: the worker then sends it in a few
        # large writes. A worker calling write_row once per row would wait for the GIL at each of them
        # while this thread validates, and the chunk took twice as long.
        payload = copy_data(self.raw, records)
        self._wait()  # one chunk in flight: memory stays bounded and chunks are written in order
        self.in_flight = self.worker.submit(self._write_chunk, records, payload)

    def _wait(self) -> None:
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            future.result()

    def _write_chunk(self, records: list[tuple], payload: bytes) -> None:
        with connection.wrap_database_errors, self.raw.cursor() as cursor:  # Django's exception classes
            if not self.started:
                # Check the unit foreign key row by row inside each chunk's write, which runs beside
                # Python's validation, instead of 300,000 deferred checks queued for the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self.started = True
            if self.all_new and self._copy_if_all_new(cursor, records, payload):
                return
            cursor.execute(EXISTING, [[r[0] for r in records]])
            existing = {case_id for (case_id,) in cursor.fetchall()}
            if existing:  # a file that updates cases: split the chunk (its data is made again)
                new = [r for r in records if r[0] not in existing]
                payload = copy_data(self.raw, new) if new else b""
            else:
                new = records
            if new:
                send(cursor, "compliance_case", payload)
                self.counts.created += len(new)
                self.units.update({r[1] for r in new})
            if existing:
                self._upsert(cursor, [r for r in records if r[0] in existing])

    def _copy_if_all_new(self, cursor, records: list[tuple], payload: bytes) -> bool:
        """A file of new cases (a new month) needs no existence test: the chunk is COPied as it is, in a
        savepoint. The first case that exists stops that COPY; it is rolled back and this file's chunks
        are tested from then on. True when the chunk was written."""
        cursor.execute("SAVEPOINT case_chunk")
        try:
            send(cursor, "compliance_case", payload)
        except UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT case_chunk")
            self.all_new = False
            return False
        cursor.execute("RELEASE SAVEPOINT case_chunk")
        self.counts.created += len(records)
        self.units.update({r[1] for r in records})
        return True

    def _upsert(self, cursor, records: list[tuple]) -> None:
        """Cases that exist: staged, then one INSERT … ON CONFLICT updates the changed ones."""
        if not self.created_table:
            cursor.execute(STAGE)
            self.created_table = True
        send(cursor, "case_stage", copy_data(self.raw, records))
        cursor.execute(UPSERT)
        written = 0
        for created, unit_id, n in cursor.fetchall():
            self.units.add(unit_id)
            if created is True:  # deleted by hand since the existence test: written anew
                self.counts.created += n
            elif created is False:
                self.counts.updated += n
            written += n
        self.counts.unchanged += len(records) - written
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
        sys.setswitchinterval(self.switch_interval)
