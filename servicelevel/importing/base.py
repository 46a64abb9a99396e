"""The importer contract and the run: validate the whole file, then write all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .fields import FieldError, quote


@dataclass(frozen=True)
class Column:
    """One column of a kind. `required`: the column must be in the header. `blank`: a cell may be empty
    (then `default` is used). `max_length`: the most characters a cell may hold (checked before `parse`),
    taken from the model field the value is stored in (`length_of`), so SQLite refuses what PostgreSQL
    would."""

    name: str
    parse: Callable[[str], Any]
    required: bool = True
    blank: bool = False
    default: Any = None
    max_length: int | None = None


def length_of(attribute) -> int:
    """The max_length of a model's CharField, given as its class attribute: `length_of(CareUnit.name)`."""
    return attribute.field.max_length


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.column}: {self.message}"


class RowProblem(Exception):
    """Raised by an importer's `clean` for one cell (or the row as a whole, with column '-')."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class Row:
    line: int
    values: dict[str, Any]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int | None = None  # only for kinds that replace per unit

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deleted)

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.deleted:  # the spec's three counts stay first and alone when nothing was removed
            text += f" ({self.deleted} deleted)"
        return text


@dataclass
class WriteResult:
    counts: Counts
    unit_ids: set[int] | None = field(default_factory=set)  # units whose facts changed; None = all
    same_day_changed: set[int] = field(default_factory=set)


class Importer:
    """One kind of file. Subclasses declare columns and key, then implement `clean` and `write`.

    `prepare` runs once before rows are cleaned: load lookups there (one query each), never per row.
    """

    kind: str = ""
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()
    # A streaming importer receives clean rows in chunks (`stage`) while the file is validated, inside the
    # import's transaction, then `finish` writes; otherwise `write` gets all rows at the end.
    streaming: bool = False

    def prepare(self) -> None:
        pass

    def screen(self, column: str, text: str) -> str | None:
        """A message when a raw cell must be refused whatever its column means (e.g. personal data)."""
        return None

    def row_may_need_screening(self, cells: list[str]) -> bool:
        """A cheap test of the whole row before `screen` looks at each cell; False skips the cells."""
        return True

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Cross-field checks and reference lookups for one parsed row; raise RowProblem."""
        return values

    def write(self, rows: list[Row]) -> WriteResult:
        raise NotImplementedError

    def record(self, values: dict[str, Any]) -> tuple:
        """A streaming importer: the clean row as `stage` takes it; its key first."""
        raise NotImplementedError

    def fast_parser(self, present: dict[str, int], width: int) -> Callable[[list[str]], tuple | None] | None:
        """A streaming importer may return a function judging a row's cells at once: the row's `record`
        when the full check (`row_parser`, `clean`) would accept it and give that record, else None (the
        row then takes the full check, which words the messages). `present`: column name → index;
        `width`: the header's width. None: every row takes the full check."""
        return None

    def stage(self, records: list[tuple]) -> None:
        raise NotImplementedError

    def finish(self) -> WriteResult:
        raise NotImplementedError

    def close(self) -> None:
        """Called before the import's transaction ends, whatever happened: stop any work still running."""

    # Helpers shared by importers ------------------------------------------------------------------

    @staticmethod
    def lookup(mapping: dict, value, column: str, what: str):
        try:
            return mapping[value]
        except KeyError:
            raise RowProblem(column, f"{what} {value!r} finns inte") from None


def row_parser(importer: Importer, present: dict[str, int]):
    """A function parsing one row's cells into (values, [(column, message), ...]).

    Built once per file: the per-row loop is the import's hot path (a million cases), so everything that
    does not depend on the row is decided here."""
    plan = [
        (c.name, present.get(c.name), c.parse, c.blank or not c.required, c.default, c.max_length)
        for c in importer.columns
    ]
    screening = importer.screen if type(importer).screen is not Importer.screen else None
    prescreen = importer.row_may_need_screening

    def parse(cells: list[str]) -> tuple[dict, list]:
        values, problems = {}, []
        width = len(cells)
        screen = screening if screening is not None and prescreen(cells) else None
        for name, index, parser, may_be_empty, default, max_length in plan:
            text = cells[index].strip() if index is not None and index < width else ""
            if not text:
                if may_be_empty:
                    values[name] = default
                else:
                    problems.append((name, "värde saknas"))
                continue
            if screen is not None:
                refusal = screen(name, text)
                if refusal:
                    problems.append((name, refusal))
                    continue
            if max_length is not None and len(text) > max_length:
                # Before the parser and any lookup: PostgreSQL would refuse the value at the write,
                # SQLite would store it whole; neither must see it.
                problems.append(
                    (name, f"för långt, högst {max_length} tecken (är {len(text)}): {quote(text)}")
                )
                continue
            try:
                values[name] = parser(text)
            except FieldError as exc:
                problems.append((name, str(exc)))
        return values, problems

    return parse
