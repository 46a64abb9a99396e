"""Run management commands the way a person does, capturing exit status and output."""

import io
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import CommandError


@dataclass
class Ran:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line and "filen avvisades" not in line]


def manage(*args) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*map(str, args), stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return Ran(code, out.getvalue(), err.getvalue())


UNITS_HEADER = (
    "hsa_id;name;forvaltning;vardomrade;unit_kind;unit_type;booking_system;has_contact_card;"
    "same_day_contact;provider;active\n"
)


def unit_line(
    hsa="SE2321000255-A1B2",
    name="Vårdcentralen Exempel",
    fvg="Primärvård Skåne",
    vo="Primärvård Sydväst",
    kind="VUE",
    utype="mottagning",
    system="PMO",
    card="ja",
    same_day="nej",
    provider="",
    active="ja",
) -> str:
    return f"{hsa};{name};{fvg};{vo};{kind};{utype};{system};{card};{same_day};{provider};{active}\n"
