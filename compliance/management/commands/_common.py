"""Shared argument handling for the compliance commands."""

import contextlib
import datetime

from django.core.management.base import CommandError

from compliance.services import today
from servicelevel.dates import YEARS_TEXT, DayOutOfBounds, InvalidDay, command_day, parse_day


def parse_as_of(value: str | None) -> datetime.date:
    """`--as-of`: the portal's date rule (servicelevel.dates: YYYY-MM-DD, 1900–2100), wrong usage else."""
    return command_day(value) if value else today()


def parse_month(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parse_day(value + "-01")
    except DayOutOfBounds:
        raise CommandError(f"ogiltig månad för --month: {value!r} ({YEARS_TEXT})", returncode=2) from None
    except InvalidDay:
        raise CommandError(f"ogiltig månad för --month: {value!r} (ÅÅÅÅ-MM)", returncode=2) from None
    return value


def unit_ids_for(hsa_id: str | None):
    from units.models import CareUnit

    if not hsa_id:
        return None
    ids = list(CareUnit.objects.filter(hsa_id=hsa_id.strip()).values_list("id", flat=True))
    if not ids:
        raise CommandError(f"okänd enhet {hsa_id!r}", returncode=2)
    return ids


@contextlib.contextmanager
def output(path: str | None, *, command, encoding: str = "utf-8"):
    """The command's standard output by default; a file with --output."""
    if not path or path == "-":
        stream = command.stdout._out  # the raw stream: OutputWrapper would add line endings per write
        yield stream
        stream.flush()
        return
    try:
        stream = open(path, "w", encoding=encoding, newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise CommandError(f"kan inte skriva till {path}: {exc.strerror}", returncode=2) from None
    with stream:
        yield stream
