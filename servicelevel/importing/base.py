"""The importer contract and the run: validate the whole file, then write all-or-nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .fields import FieldError, quote


@dataclass(frozen=True)
class Column:
    """One column of a kind. `required`: the column must be in the header. `blank`: a cell may be empty
    (then `default` is used). `max_length`: the most characters a cell may hold (checked before `parse`),
    taken from the model field the value is stored in (`length_of`), so SQLite refuses what PostgreSQL
    would. `description`: what the column holds, in Swedish, and `example`: a cell of the downloadable
    template's example row (an obviously fictive one) — both shown at /import/ and in the templates."""

    name: str
    parse: Callable[[str], Any]
    required: bool = True
    blank: bool = False
    default: Any = None
    max_length: int | None = None
    description: str = ""
    example: str = ""

    @property
    def accepts(self) -> str:
        """What a cell may hold, in Swedish: the parser's words (`fields.accepts`) and the length."""
        text = getattr(self.parse, "accepts", "")
        if self.max_length is not None:
            text = f"{text}, högst {self.max_length} tecken" if text else f"högst {self.max_length} tecken"
        return text

    @property
    def presence(self) -> str:
        """Whether the file must have the column and the cell a value, in Swedish."""
        if self.required and not self.blank:
            return "Ja"
        if self.required:
            return "Kolumnen ja, värdet får vara tomt"
        if self.default is True or self.default is False:
            return f"Nej (tomt = {'ja' if self.default else 'nej'})"
        return "Nej"


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
    """Raised by an importer's `clean` (or one of its checks) for one cell, or for the row as a whole with
    column '-'."""

    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


class RowProblems(RowProblem):
    """Several problems of one row at once: a check (or `clean`) that finds more than one raises this. A
    RowProblem itself, so code that catches one problem catches these too."""

    def __init__(self, problems: Iterable[RowProblem]):
        self.problems = list(problems)
        first = self.problems[0] if self.problems else RowProblem("-", "")
        super().__init__(first.column, first.message)


def _listed(problem: RowProblem) -> list[RowProblem]:
    return list(problem.problems) if isinstance(problem, RowProblems) else [problem]


def raise_problems(problems: Mapping[str, str]) -> None:
    """Raise a rule module's {column: message} (e.g. `booking_part_problems`) as RowProblems, all of
    them, in the rule's order; nothing when it is empty."""
    if problems:
        raise RowProblems(RowProblem(column, message) for column, message in problems.items())


def check(*needs: str):
    """Mark an importer method as one check of the default `clean`: `method(self, values)` runs when every
    value in `needs` is there — a column whose cell parsed (a blank optional cell counts: it has its
    default), or a value an earlier check added (e.g. `unit_id` from a lookup). A check may add values,
    and raises RowProblem or RowProblems; the other checks still run. So a rule whose input did not parse
    is skipped (its input's own message says what is wrong), never reported twice or run on a gap."""

    def mark(method):
        method.check_needs = frozenset(needs)
        return method

    return mark


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
    # Facts kept over time (units, offerings, admin_roles): per unit, the dates (first, end exclusive)
    # whose facts the file changed; `since` the earliest of them.
    altered: dict = field(default_factory=dict)

    @property
    def since(self):
        return min((start for start, _ in self.altered.values()), default=None)


class Importer:
    """One kind of file. Subclasses declare columns and key, their cross-field rules and lookups as
    `@check` methods, and implement `write`.

    `prepare` runs once before rows are cleaned: load lookups there (one query each), never per row.
    """

    kind: str = ""
    columns: tuple[Column, ...] = ()
    key: tuple[str, ...] = ()
    # Kept over time (units, offerings, admin_roles): `import_data --valid-from` says from when the file's
    # facts hold; run_import sets `valid_from` (None: the default) and `actor` before `write`.
    over_time: bool = False
    valid_from = None
    actor = None
    # What a file of this kind does, in Swedish (shown with its columns at /import/).
    description: str = ""
    # A streaming importer receives clean rows in chunks (`stage`) while the file is validated, inside the
    # import's transaction, then `finish` writes; otherwise `write` gets all rows at the end.
    streaming: bool = False
    # The `@check` methods, in the order they are defined (a base class's first): (name, needs).
    row_checks: tuple[tuple[str, frozenset[str]], ...] = ()
    # The columns the file's header has (set by the run before `prepare`).
    present_columns: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        checks: dict[str, frozenset[str]] = dict(cls.row_checks)
        for name, attribute in vars(cls).items():
            needs = getattr(attribute, "check_needs", None)
            if needs is not None:
                checks[name] = needs  # an override keeps its place
            elif name in checks:
                del checks[name]  # overridden by a plain method: no longer a check
        cls.row_checks = tuple(checks.items())

    @cached_property
    def _bound_checks(self) -> tuple[tuple[Callable[[dict], None], frozenset[str]], ...]:
        return tuple((getattr(self, name), needs) for name, needs in self.row_checks)

    @cached_property
    def _check_methods(self) -> tuple[Callable[[dict], None], ...]:
        return tuple(method for method, _ in self._bound_checks)

    @cached_property
    def _column_needs(self) -> frozenset[str]:
        """The columns some check needs (the rest of the needs are values earlier checks add)."""
        names = {c.name for c in self.columns}
        return frozenset(name for _, needs in self.row_checks for name in needs if name in names)

    def prepare(self) -> None:
        pass

    def screen(self, column: str, text: str) -> str | None:
        """A message when a raw cell must be refused whatever its column means (e.g. personal data)."""
        return None

    def row_may_need_screening(self, cells: list[str]) -> bool:
        """A cheap test of the whole row before `screen` looks at each cell; False skips the cells."""
        return True

    def clean(self, values: dict[str, Any]) -> dict[str, Any]:
        """Cross-field rules and reference lookups for one row: every `@check` whose needs are in `values`,
        each problem it finds collected; raises RowProblems with all of them, else returns `values`.

        The framework calls it for every row, with the cells that parsed (a cell that did not is absent),
        so a row's every problem is reported at once. An importer that overrides `clean` itself instead of
        declaring checks is called only for rows whose every cell parsed, and may raise RowProblem or
        RowProblems."""
        if not values.keys() >= self._column_needs:
            return self._clean_carefully(values, 0, [])
        return self.clean_complete(values)

    def clean_complete(self, values: dict[str, Any]) -> dict[str, Any]:
        """`clean` for a row whose every cell parsed, the common row: the framework knows, so the checks
        just run, one after the other, and a check's needs that are not columns are there, given by the
        checks before it. From the first problem on, each later check is run only if its needs are there."""
        methods = self._check_methods
        try:
            for method in methods:
                method(values)
        except RowProblem as found:  # `method` is the check that found it: go on with the next
            return self._clean_carefully(values, methods.index(method) + 1, _listed(found))
        return values

    def _clean_carefully(self, values: dict[str, Any], start: int, problems: list[RowProblem]) -> dict:
        """The checks from `start` on, each only when its needs are there; raises all problems found."""
        for method, needs in self._bound_checks[start:]:
            if not values.keys() >= needs:
                continue  # an input did not parse, or the check that gives it found a problem
            try:
                method(values)
            except RowProblem as found:
                problems.extend(_listed(found))
        if problems:
            raise RowProblems(problems)
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
