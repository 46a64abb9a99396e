"""Reads for the rulebook pages (/regelverk/): the region's versions, the open drafts, one version or
draft as its groups of requirements (kind, parameters and conditions in words), catalogue and profiles,
and a draft's effect as tables. The same page shape serves a stored version (`file_of`) and a draft
(its parsed file), so a draft reads exactly as it will once published.

Access: `decision_for_user` and `draft_for_user` answer 404 for what is not there (or another region's)
and 403 for a role that may not read, or — a draft — may not keep the rulebook.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

from compliance.engine.roles import ROLE_WORDS
from compliance.engine.text import number, pct
from compliance.rulebook_effect import STATUS_WORDS, Effect
from servicelevel import kinds as k
from servicelevel import rulebook_file as rf
from servicelevel.models import Decision, RulebookDraft
from servicelevel.rulebook_drafts import draft_file
from servicelevel.rulebooks import file_of
from units.permissions import may_keep_rulebook, may_read_rulebook

UNITS_SHOWN = 200  # the effect's unit table is capped; the totals count every unit


# --- Access ------------------------------------------------------------------------------------------


def reader(user) -> None:
    if not may_read_rulebook(user):
        raise PermissionDenied("Regelverket visas för portalens roller.")


def keeper(user) -> None:
    if not may_keep_rulebook(user):
        raise PermissionDenied(
            "Bara Koncernstab kommunikation skapar utkast, publicerar och laddar upp regelverk."
        )


def decision_for_user(user, pk: int) -> Decision:
    reader(user)
    decision = Decision.of_region().filter(pk=pk).first()
    if decision is None:
        raise Http404("Versionen finns inte.")
    return decision


def draft_for_user(user, pk: int) -> RulebookDraft:
    keeper(user)
    draft = (
        RulebookDraft.objects.select_related("based_on", "published_as", "created_by")
        .filter(pk=pk, based_on__in=Decision.of_region())
        .first()
    )
    if draft is None:
        raise Http404("Utkastet finns inte.")
    return draft


# --- The list ------------------------------------------------------------------------------------------

IN_FORCE, COMING, PAST = "in_force", "coming", "past"
STATE_LABELS = {IN_FORCE: "Gäller i dag", COMING: "Kommande", PAST: "Har gällt"}


@dataclass(frozen=True)
class VersionRow:
    pk: int
    label: str
    number: str
    version: str
    title: str
    in_force_from: datetime.date
    in_force_until: datetime.date | None
    requirements: int
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def version_rows(today: datetime.date) -> list[VersionRow]:
    """The region's versions, the latest start first, each marked in force today, coming or past
    (2 queries: the versions with their requirement counts, the version in force)."""
    in_force = Decision.in_force(today)
    rows = []
    for d in Decision.of_region().annotate(n=Count("requirements")).order_by("-in_force_from", "-id"):
        if in_force is not None and d.pk == in_force.pk:
            state = IN_FORCE
        elif d.in_force_from > today:
            state = COMING
        else:
            state = PAST
        rows.append(
            VersionRow(
                d.pk, d.label, d.number, d.version, d.title, d.in_force_from, d.in_force_until, d.n, state
            )
        )
    return rows


@dataclass(frozen=True)
class DraftRow:
    pk: int
    label: str
    based_on: str
    created_by: str
    changed_at: datetime.datetime
    requirements: int


def draft_rows() -> list[DraftRow]:
    """The drafts not yet published, the latest changed first (one query)."""
    rows = []
    drafts = RulebookDraft.objects.filter(published_as=None, based_on__in=Decision.of_region())
    for draft in drafts.select_related("based_on", "created_by"):
        parsed = draft_file(draft)
        who = draft.created_by
        rows.append(
            DraftRow(
                draft.pk,
                f"{parsed.decision.number} version {parsed.decision.version}",
                draft.based_on.label,
                (who.get_full_name() or who.get_username()) if who else "–",
                draft.changed_at,
                len(parsed.requirements),
            )
        )
    return rows


# --- One version or draft ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterLine:
    name: str
    value: str
    description: str


@dataclass(frozen=True)
class RequirementLine:
    code: str
    name: str
    group: str
    kind: str
    kind_description: str
    parameters: tuple[ParameterLine, ...]
    conditions: tuple[str, ...]  # when it is not applicable, in words
    section: str
    level: int | None


@dataclass(frozen=True)
class GroupBlock:
    code: str
    name: str
    requirements: tuple[RequirementLine, ...]


@dataclass(frozen=True)
class ProfileLine:
    code: str
    services: tuple[str, ...]  # "FORNYA-RECEPT – Förnya recept"
    channels: tuple[str, ...]


@dataclass(frozen=True)
class RulebookPage:
    file: rf.RulebookFile
    groups: tuple[GroupBlock, ...]
    profiles: tuple[ProfileLine, ...]

    @property
    def requirement_count(self) -> int:
        return len(self.file.requirements)


def value_words(parameter: k.Parameter, value) -> str:
    """A parameter's value as a page shows it: a figure with its Swedish name, a share also as a
    percentage, a decimal comma."""
    if value is None:
        return "ingen gräns" if parameter.nullable else "–"
    if parameter.type == k.FIGURES_LIST:
        return ", ".join(f"{v} ({k.FIGURES.get(v, v)})" for v in value)
    if parameter.type == k.CHOICE:
        if value in k.FIGURES:
            return f"{value} ({k.FIGURES[value]})"
        if value in ROLE_WORDS:
            return f"{value} ({ROLE_WORDS[value][0]})"
        return {"services": "tjänster (services)", "channels": "kanaler (channels)"}.get(value, str(value))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if parameter.maximum == 1 and parameter.minimum == 0:
        return f"{number(value)} ({pct(value)})"
    return number(value)


def requirement_line(r: rf.Requirement, group_name: str) -> RequirementLine:
    kind = k.KINDS.get(r.kind)
    parameters = ()
    if kind is not None:
        parameters = tuple(
            ParameterLine(p.name, value_words(p, r.parameters.get(p.name)), p.description)
            for p in kind.parameters
        )
    return RequirementLine(
        r.code,
        r.name,
        group_name,
        r.kind,
        kind.description if kind else "",
        parameters,
        tuple(f"ej tillämpligt när {k.CONDITIONS.get(c, c)}" for c in r.applies_if),
        r.section or "",
        r.level,
    )


def rulebook_page(rulebook: rf.RulebookFile) -> RulebookPage:
    """A version's (or a draft's) file as the page shows it: its groups in page order with their
    requirements in file order, and every profile with its services and channels named."""
    names = {g.code: g.name for g in rulebook.groups}
    groups = tuple(
        GroupBlock(
            g.code,
            g.name,
            tuple(requirement_line(r, g.name) for r in rulebook.requirements if r.group == g.code),
        )
        for g in rulebook.groups
    )
    orphans = [r for r in rulebook.requirements if r.group not in names]  # the reader refuses these
    if orphans:
        groups += (GroupBlock("", "Utan område", tuple(requirement_line(r, r.group) for r in orphans)),)
    services = {s.code: s.name for s in rulebook.catalogue.services}
    channels = {c.code: c.name for c in rulebook.catalogue.channels}
    profiles = tuple(
        ProfileLine(
            code,
            tuple(f"{c} – {services.get(c, c)}" for c in p.services),
            tuple(f"{c} – {channels.get(c, c)}" for c in p.channels),
        )
        for code, p in rulebook.profiles.items()
    )
    return RulebookPage(rulebook, groups, profiles)


def version_page(decision: Decision) -> RulebookPage:
    return rulebook_page(file_of(decision))


def is_in_force(decision: Decision, day: datetime.date) -> bool:
    in_force = Decision.in_force(day)
    return in_force is not None and in_force.pk == decision.pk


def file_in_force(day: datetime.date) -> rf.RulebookFile | None:
    """The file of the version in force on `day`: the effect's "before"."""
    decision = Decision.in_force(day)
    return file_of(decision) if decision else None


# --- A draft's effect ----------------------------------------------------------------------------------


def level_words(level: int | None) -> str:
    return "ingen nivå" if level is None else f"nivå {level}"


def status_words(status: str | None) -> str:
    return STATUS_WORDS.get(status, status)


@dataclass(frozen=True)
class LevelRow:
    label: str
    before: int
    after: int


@dataclass(frozen=True)
class TransitionRow:
    code: str
    name: str
    before: str | None
    after: str | None
    units: int


@dataclass(frozen=True)
class UnitRow:
    hsa_id: str
    name: str
    level_before: str
    level_after: str
    level_changed: bool
    statuses: tuple  # rulebook_effect.StatusChange


@dataclass(frozen=True)
class EffectPage:
    effect: Effect
    levels: tuple[LevelRow, ...]
    transitions: tuple[TransitionRow, ...]
    units: tuple[UnitRow, ...]  # the first UNITS_SHOWN of effect.changes
    names: dict  # requirement code → name, of both versions

    @property
    def units_hidden(self) -> int:
        return len(self.effect.changes) - len(self.units)


def effect_page(effect: Effect, before: rf.RulebookFile | None, after: rf.RulebookFile) -> EffectPage:
    """The effect's totals as tables: units per level before and after (every level either side has),
    and per requirement each status change with its number of units."""
    levels = set(effect.levels_before) | set(effect.levels_after)
    ordered = sorted(levels, key=lambda level: (level is None, level or 0))
    names = {r.code: r.name for r in (before.requirements if before else ())}
    names.update({r.code: r.name for r in after.requirements})
    order = {code: i for i, code in enumerate(names)}
    transitions = []
    for code in sorted(effect.transitions, key=lambda c: order.get(c, len(order))):
        counts: Counter = effect.transitions[code]
        for (was, now), n in sorted(counts.items(), key=lambda item: -item[1]):
            transitions.append(TransitionRow(code, names.get(code, ""), was, now, n))
    return EffectPage(
        effect,
        tuple(
            LevelRow(
                level_words(level), effect.levels_before.get(level, 0), effect.levels_after.get(level, 0)
            )
            for level in ordered
        ),
        tuple(transitions),
        tuple(
            UnitRow(
                u.hsa_id,
                u.name,
                level_words(u.level_before),
                level_words(u.level_after),
                u.level_changed,
                u.statuses,
            )
            for u in effect.changes[:UNITS_SHOWN]
        ),
        names,
    )
