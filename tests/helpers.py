"""Plain helpers the test files share: management commands run the way a person does (exit status and
output captured), users in a role, a page's HTML, a PDF's text, the units file's lines."""

import io
import re
from dataclasses import dataclass

from django.core.management import call_command
from django.core.management.base import CommandError

# Tests make many users (factories, the permission matrix's roles); the production hasher's million PBKDF2
# rounds would cost most of the suite's time and prove nothing about the portal.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


def user_in(role, units=(), **fields):
    """A user (UserFactory with `fields`) in the role's group, granted `units` if any."""
    from units.permissions import ensure_groups, grant_units

    from . import factories as f

    user = f.UserFactory(**fields)
    user.groups.add(ensure_groups()[role])
    if units:
        grant_units(user, units)
    return user


def user_with_address(role, username, units=(), email=True, **fields):
    """A user in a role who has the address USERNAME@skane.se (none with email=False): the ones the
    workflow's e-mails and reminders are sent to."""
    return user_in(role, units, username=username, email=f"{username}@skane.se" if email else "", **fields)


def html_of(response) -> str:
    """A page's HTML, after checking it answered 200."""
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def text_of(pdf) -> str:
    """The text of a PDF's every page (a pypdf reader) on one line: words a narrow column wrapped (an
    HSA-id at its hyphen, a name at a space) read as they are written."""
    text = "\n".join(page.extract_text() for page in pdf.pages)
    return " ".join(re.sub(r"-\s+", "-", text).split())
