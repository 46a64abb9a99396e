"""Administrativa roller (§2.4): AR1 and AR2."""

from __future__ import annotations

from .text import count
from .types import COUNT, MET, NOT_MET, Judgement, UnitFacts


def judge_roles(facts: UnitFacts) -> dict[str, Judgement]:
    return {"AR1-LOKAL-ADMIN": _local_admins(facts), "AR2-BEHORIGHETSADMIN": _permission_admins(facts)}


# Both count people: the local administrators here, the permission administrators.
VALUE_KINDS = {"AR1-LOKAL-ADMIN": COUNT, "AR2-BEHORIGHETSADMIN": COUNT}


def _local_admins(facts: UnitFacts) -> Judgement:
    """Every local administrator here must hold the role at two or more units (a wider mandate)."""
    holders = facts.local_admins
    if not holders:
        return Judgement(MET, "Ingen lokal administratör", 0.0)
    narrow = sorted(p for p, units in holders.items() if units < 2)
    n = len(holders)
    if not narrow:
        return Judgement(
            MET,
            f"{count(n, 'lokal administratör', 'lokala administratörer')}, alla med uppdrag på flera enheter",
            float(n),
        )
    return Judgement(
        NOT_MET,
        f"{len(narrow)} av {n} lokala administratörer har rollen bara på denna enhet "
        "— rollen ska bara användas med övergripande uppdrag",
        float(n),
    )


def _permission_admins(facts: UnitFacts) -> Judgement:
    n = len(facts.permission_admins)
    status = MET if 1 <= n <= 2 else NOT_MET
    return Judgement(
        status,
        f"{count(n, 'behörighetsadministratör', 'behörighetsadministratörer')} — en till två ska finnas",
        float(n),
    )
