"""Services for cases (ärenden) outside the importer: a case removed by hand (e.g. one imported by
mistake) is audited and its unit judged again."""

from __future__ import annotations

from servicelevel.writes import delete_fact, unit_of

from .models import Case


def case_delete(*, case: Case, actor) -> None:
    delete_fact(case, actor=actor, touches=unit_of)
