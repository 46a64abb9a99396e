"""The role kinds: `local_admin_wide_mandate` and `role_count`, judged on who holds which role."""

from __future__ import annotations

from .text import count
from .types import MET, NOT_MET, Judgement, RequirementRule, UnitFacts

# role → (one, several): the role's name in Swedish
ROLE_WORDS = {
    "lokal_administrator": ("lokal administratör", "lokala administratörer"),
    "behorighetsadministrator": ("behörighetsadministratör", "behörighetsadministratörer"),
}


def local_admin_wide_mandate(facts: UnitFacts, rule: RequirementRule, _rulebook, _as_of) -> Judgement:
    """Every local administrator here must hold the role at `min_units` or more units (a wider mandate)."""
    holders = facts.local_admins
    if not holders:
        return Judgement(MET, "Ingen lokal administratör", 0.0)
    wide = rule.parameters["min_units"]
    narrow = sorted(p for p, units in holders.items() if units < wide)
    n = len(holders)
    where = "bara på denna enhet" if wide == 2 else f"på färre än {wide} enheter"
    if not narrow:
        return Judgement(
            MET,
            f"{count(n, 'lokal administratör', 'lokala administratörer')}, alla med uppdrag på flera enheter",
            float(n),
        )
    return Judgement(
        NOT_MET,
        f"{len(narrow)} av {n} lokala administratörer har rollen {where} "
        "— rollen ska bara användas med övergripande uppdrag",
        float(n),
    )


def role_count(facts: UnitFacts, rule: RequirementRule, _rulebook, _as_of) -> Judgement:
    role, low, high = rule.parameters["role"], rule.parameters["min"], rule.parameters["max"]
    holders = facts.local_admins.keys() if role == "lokal_administrator" else facts.permission_admins
    n = len(holders)
    status = MET if low <= n and (high is None or n <= high) else NOT_MET
    return Judgement(status, f"{count(n, *ROLE_WORDS[role])} — {_bounds(low, high)} ska finnas", float(n))


NUMBER_WORDS = {0: "noll", 1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem"}


def _bounds(low: int, high: int | None) -> str:
    def word(n):
        return NUMBER_WORDS.get(n, str(n))

    if high is None:
        return f"minst {word(low)}"
    if low == high:
        return f"exakt {word(low)}"
    return f"{word(low)} till {word(high)}"
