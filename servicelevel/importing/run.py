"""Run one import: read → validate every row → (if clean) write in one transaction → summary."""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from django.db import DataError, IntegrityError, transaction

from servicelevel.audit import audit
from servicelevel.models import AuditEntry
from servicelevel.signals import notify_facts_changed
from servicelevel.validity import correction_text

from . import registry
from .base import Counts, Importer, Row, RowError, RowProblem, RowProblems, row_parser
from .fields import QUOTE_LIMIT, quote
from .reader import FileProblem, read_table
from .summary import audit_detail

# At most this many messages are kept and printed; the rest are only counted. A file of a million bad rows
# must not hold a million messages (peak memory grew with them), and nobody reads past the first screens.
MAX_ERRORS = 1000


class ErrorLog(list):
    """The first `limit` problems (RowError) and, in `total`, how many there were in all."""

    def __init__(self, limit: int = MAX_ERRORS):
        super().__init__()
        self.limit = limit
        self.total = 0

    def add(self, line: int, column: str, message: str) -> None:
        self.total += 1
        if len(self) < self.limit:
            self.append(RowError(line, column, message))


def thousands(number: int) -> str:
    return f"{number:,}".replace(",", " ")


class ImportRejected(Exception):
    """The file was rejected; nothing was written. `errors` are the problems kept (at most MAX_ERRORS),
    `total` how many were found."""

    def __init__(self, filename: str, errors: list[RowError]):
        self.filename = filename
        self.errors = errors
        self.total = max(getattr(errors, "total", 0), len(errors))
        super().__init__(f"{self.total} fel")

    def lines(self) -> list[str]:
        lines = [e.format(self.filename) for e in self.errors]
        if self.total > len(self.errors):
            lines.append(f"… och {thousands(self.total - len(self.errors))} fel till")
        return lines


AUDIT_NAME_MAX = AuditEntry._meta.get_field("object_id").max_length


def audit_name(filename: str) -> str:
    """The file's name as kept in the audit entry, cut to fit its column: the end is kept (a date or a
    version is usually there), after "…"."""
    name = Path(filename).name
    return name if len(name) <= AUDIT_NAME_MAX else "…" + name[-(AUDIT_NAME_MAX - 1) :]


@dataclass
class ImportReport:
    kind: str
    counts: Counts
    rows: int
    dry_run: bool
    dates: str = ""  # for facts kept over time: from when, and which stored dates it alters (Swedish)

    def summary(self) -> str:
        """The command line's line, `units: 12 created, 3 updated, 40 unchanged` (the spec's contract; the
        portal says it in Swedish: summary.py), then from when a change holds when it is a correction."""
        return f"{self.kind}: {self.counts}" + (f"; {self.dates}" if self.dates else "")


# Rows per chunk written. The first chunk's validation and the last chunk's write overlap with nothing,
# so chunks are small; below 10,000 the per-chunk statements cost more than that saves (measured at 5,000).
STAGE_CHUNK = 10_000


def short(name: str) -> str:
    """A column name from the header as the COLUMN of a message, cut like a quoted value."""
    return name if len(name) <= QUOTE_LIMIT else name[:QUOTE_LIMIT] + "…"


PROGRESS_EVERY = 5_000  # lines between two reports to `on_line` (a cheap test in the hot loop)


def validate(importer, table, filename: str, on_line=None) -> tuple[list[Row], ErrorLog, int]:
    """Check every row. Returns (clean rows, errors, number of clean rows). A streaming importer gets the
    clean rows' records (`importer.record`) in chunks through `stage` instead (memory stays bounded)
    until the first error; after an error only errors are counted, and only the first MAX_ERRORS of them
    kept, so a file of bad rows takes memory independent of its length."""
    errors = ErrorLog()
    names = [c.name for c in importer.columns]
    present: dict[str, int] = {}
    for index, name in enumerate(table.header):
        if not name:
            continue
        if name in present:
            errors.add(1, short(name), "kolumnen förekommer två gånger")
        elif name not in names:
            errors.add(1, short(name), f"okänd kolumn (tillåtna: {', '.join(names)})")
        else:
            present[name] = index
    for col in importer.columns:
        if col.required and col.name not in present:
            errors.add(1, col.name, "obligatorisk kolumn saknas")
    if errors:
        return [], errors, 0

    # Which optional columns the file has: an importer may keep a stored value when its column is absent
    # (an empty cell is a value: the column's default).
    importer.present_columns = frozenset(present)
    importer.prepare()
    streaming = importer.streaming
    clean = 0
    rows: list[Row] = []
    seen_keys: dict[tuple, int] = {}
    width = len(table.header)
    parse_row = row_parser(importer, present)
    key_of = itemgetter(*importer.key)  # the value itself for a one-column key, else a tuple
    # A streaming importer may offer a fast path for the rows it can judge at once (most of a large file):
    # it returns the row's record, or None to send the row through the full check below, which alone
    # words the messages. Its key is record[0].
    fast = importer.fast_parser(present, width) if streaming else None
    # A row's messages in the file's column order, left to right: the row as a whole ("-") first, then
    # the file's columns, then any column of the kind the file leaves out (an optional one a rule names).
    order = {"-": -1, **present}
    for index, col in enumerate(importer.columns):
        order.setdefault(col.name, width + index)

    def place(problem: tuple[str, str]) -> int:
        return order.get(problem[0], width + len(importer.columns))

    # An importer with its own `clean` (not `@check`s) was written for rows whose every cell parsed.
    checks_partial_rows = type(importer).clean is Importer.clean
    clean_row = importer.clean
    clean_complete_row = importer.clean_complete if checks_partial_rows else clean_row
    record_of = importer.record
    for line, cells in table.rows:
        if on_line is not None and line % PROGRESS_EVERY == 0:
            on_line(line)
        if fast is not None:
            record = fast(cells)
            if record is not None and record[0] not in seen_keys:
                seen_keys[record[0]] = line
                clean += 1
                if not errors:
                    rows.append(record)
                    if len(rows) >= STAGE_CHUNK:
                        importer.stage(rows)
                        rows = []
                continue
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.add(line, "-", f"raden har {len(cells)} fält men rubrikraden {width}")
            rows.clear()  # nothing will be written: do not hold the clean rows read so far
            continue
        values, problems = parse_row(cells)
        # Every problem of the row: the cells that did not parse, a duplicated key, and the importer's
        # rules on the cells that did (each rule whose inputs parsed; see Importer.clean).
        if not problems or all(name in values for name in importer.key):
            key = key_of(values)
            if key in seen_keys:
                parts = key if len(importer.key) > 1 else (key,)
                problems.append(
                    (
                        importer.key[-1],
                        f"nyckeln {'/'.join(map(str, parts))} finns redan på rad {seen_keys[key]}",
                    )
                )
            else:
                seen_keys[key] = line
        if not problems or checks_partial_rows:
            try:
                values = clean_row(values) if problems else clean_complete_row(values)
            except RowProblems as found:
                problems.extend((problem.column, problem.message) for problem in found.problems)
            except RowProblem as problem:
                problems.append((problem.column, problem.message))
        if problems:
            if len(problems) > 1:
                problems.sort(key=place)  # stable: within a column, the cell's own problem first
            for col, msg in problems:
                errors.add(line, col, msg)
            rows.clear()  # nothing will be written: do not hold the clean rows read so far
            continue
        clean += 1
        if not errors:
            rows.append(record_of(values) if streaming else Row(line, values))
            if streaming and len(rows) >= STAGE_CHUNK:
                importer.stage(rows)
                rows = []
    if streaming and rows and not errors:
        importer.stage(rows)
        rows = []
    return ([] if errors else rows), errors, clean


def run_import(
    kind: str,
    path: str | Path,
    *,
    dry_run: bool = False,
    actor=None,
    progress=None,
    on_line=None,
    valid_from=None,
) -> ImportReport:
    """Import one file of `kind`. Raises ImportRejected (nothing written) or returns the report.
    `valid_from`: for the kinds kept over time (`Importer.over_time`), the date the file's facts hold
    from (default: today, or the beginning for a unit's first facts; servicelevel/validity.py).
    `progress(message)`, if given, hears (in Swedish) when the import waits for another of its kind;
    `on_line(line)`, if given, hears every few thousand lines how far the check has come (a progress bar)."""
    from servicelevel import locks

    filename = str(path)
    importer = registry.get(kind)()
    importer.valid_from = valid_from
    importer.actor = actor
    try:
        table = read_table(path)
    except FileProblem as problem:
        raise ImportRejected(filename, [RowError(problem.line, "-", str(problem))]) from None
    try:
        with transaction.atomic():  # validation too: a streaming importer stages rows as it goes
            # One import of a kind at a time (dry runs too: they write, then roll back): two files with
            # overlapping rows would otherwise lock them in opposite orders and deadlock. Taken before
            # `prepare` reads its lookups, so those see what the import before it committed.
            waiting = f"Väntar på en annan import av samma slag ({kind}) …"
            locks.hold(locks.import_lock(kind), on_wait=(lambda: progress(waiting)) if progress else None)
            try:
                try:
                    rows, errors, count = validate(importer, table, filename, on_line)
                except FileProblem as problem:  # the CSV broke part-way: nothing is written
                    raise ImportRejected(filename, [RowError(problem.line, "-", str(problem))]) from None
                if errors:
                    raise ImportRejected(filename, errors)  # leaving the block rolls back what was staged
                result = importer.finish() if importer.streaming else importer.write(rows)
            finally:
                importer.close()
            dates = correction_text(result.altered, valid_from)
            if dry_run:
                transaction.set_rollback(True)
            elif result.counts.changed:  # a file that changes nothing leaves no trace at all
                audit(
                    action="import",
                    object_type=kind,
                    object_id=audit_name(filename),
                    actor=actor,
                    detail=audit_detail(rows=count, counts=result.counts)
                    | _dates_detail(result, valid_from, dates),
                )
                changed = result.unit_ids is None or bool(result.unit_ids) or bool(result.same_day_changed)
                if changed:
                    notify_facts_changed(
                        unit_ids=result.unit_ids,
                        same_day_changed=result.same_day_changed,
                        kind=kind,
                        since=result.since,
                    )
    except (IntegrityError, DataError) as exc:
        # The validation above is meant to catch everything the database would refuse (a constraint,
        # a length, a range); this is its last word, and reaching it is a defect of the portal.
        detail = quote(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__, 200)
        raise ImportRejected(
            filename,
            [
                RowError(
                    1,
                    "-",
                    "databasen avvisade filen fast varje rad klarade kontrollen — ett fel i portalen, "
                    f"inte i filen; inget har skrivits. Skicka filen till portalens förvaltning ({detail})",
                )
            ],
        ) from None
    return ImportReport(kind=kind, counts=result.counts, rows=count, dry_run=dry_run, dates=dates)


def _dates_detail(result, valid_from, dates: str) -> dict:
    """The audit entry of a file kept over time: the date its facts hold from and, for a correction,
    what it says about the stored dates."""
    if not result.altered and valid_from is None:
        return {}
    detail = {"valid_from": (valid_from or result.since).isoformat()} if (valid_from or result.since) else {}
    if dates:
        detail["correction"] = dates
    return detail
