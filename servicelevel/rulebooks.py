"""Rulebook versions in the database: a parsed file loaded as a version, and a stored version as a file.

The one write path for decisions and their requirements (docs/rulebooks.md, "Versions"): `load`
validates what the file reader cannot (the region, a version already stored), writes the version, its
requirements and the catalogue registry's new entries in one transaction, audits it and has today's
results judged again. A stored version is never changed afterwards; a change is a new version.
`file_of(decision)` gives the version back as the record `load` takes, so `dump(file_of(d))` is a file
`load_rulebook` accepts and loading the identical file again is recognised as "unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import locks
from . import rulebook_file as rf
from .audit import audit
from .models import CatalogueChannel, CatalogueService, CatalogueTemplate, Decision, Requirement
from .region import region_code
from .signals import notify_facts_changed, rulebook_loaded

SHIPPED = Path(__file__).resolve().parent / "fixtures" / "rulebooks"
LOAD_LOCK = "rulebook:load"


class LoadRefused(Exception):
    """The file is well-formed but may not be loaded here; the message is Swedish and names the key."""

    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


def read(text: str, filename: str, *, region: str | None = None) -> tuple[rf.RulebookFile, Decision | None]:
    """A file's text as a version that may be loaded here, and the identical stored version if there is
    one; `rf.RulebookRefused` with every problem as `FILE:LINE: key: message` otherwise."""
    rulebook = rf.parse(text, filename)
    try:
        return rulebook, check(rulebook, region=region)
    except LoadRefused as refused:
        problem = rf.Problem(rf.key_line(text, refused.key), refused.key, refused.message)
        raise rf.RulebookRefused([problem], filename) from None


@dataclass(frozen=True)
class Loaded:
    decision: Decision
    created: bool  # False: the identical version was stored already


def stored_version(rulebook: rf.RulebookFile) -> Decision | None:
    return Decision.objects.filter(number=rulebook.decision.number, version=rulebook.decision.version).first()


def check(rulebook: rf.RulebookFile, *, region: str | None = None) -> Decision | None:
    """Refuses a file of another region, or a different file under a stored number and version. Returns
    the stored identical version, if there is one."""
    region = region or region_code()
    if rulebook.region.code != region:
        raise LoadRefused(
            "region.code",
            f"filen gäller {rulebook.region.code}, men portalen följer {region} (SERVICELEVEL_REGION)",
        )
    stored = stored_version(rulebook)
    if stored is not None and file_of(stored) != rulebook:
        raise LoadRefused(
            "decision.version",
            f"{rulebook.decision.number} version {rulebook.decision.version} finns redan med annat "
            "innehåll; en inläst version ändras aldrig – ge den en ny version",
        )
    return stored


def load(rulebook: rf.RulebookFile, *, actor=None, source: str = "", region: str | None = None) -> Loaded:
    """Store `rulebook` as a new version (or recognise it as stored), audited; today's results are
    judged again once the transaction commits."""
    with transaction.atomic():
        # One load at a time: a second load of the same version (two people publishing at once) then
        # finds the first one's row stored, instead of colliding on the (number, version) constraint.
        locks.hold(LOAD_LOCK)
        stored = check(rulebook, region=region)
        if stored is not None:
            return Loaded(stored, created=False)
        decision = _write(rulebook)
        new_entries = _register_catalogue(rulebook.catalogue)
        audit(
            action="rulebook_loaded",
            object_type="decision",
            object_id=decision.label,
            actor=actor,
            detail={
                "region": rulebook.region.code,
                "number": decision.number,
                "version": decision.version,
                "in_force_from": decision.in_force_from.isoformat(),
                "requirements": len(rulebook.requirements),
                "new_catalogue_entries": new_entries,
                "source": source,
            },
        )
        rulebook_loaded.send(sender=Decision, decision=decision)
        notify_facts_changed(unit_ids=None)
    return Loaded(decision, created=True)


def _write(rulebook: rf.RulebookFile) -> Decision:
    d = rulebook.decision
    decision = Decision.objects.create(
        number=d.number,
        version=d.version,
        title=d.title,
        in_force_from=d.in_force_from,
        in_force_until=d.in_force_until,
        replaces=d.replaces or "",
        approved_by=d.approved_by or "",
        ladder=rulebook.ladder.name if rulebook.ladder else "",
        region_code=rulebook.region.code,
        region_name=rulebook.region.name,
        groups=[{"code": g.code, "name": g.name} for g in rulebook.groups],
        catalogue=_catalogue_data(rulebook.catalogue),
        profiles={
            code: {"services": list(p.services), "channels": list(p.channels)}
            for code, p in rulebook.profiles.items()
        },
        loaded_at=timezone.now(),
    )
    Requirement.objects.bulk_create(
        Requirement(
            decision=decision,
            code=r.code,
            group=r.group,
            level=r.level,
            name=r.name,
            section=r.section or "",
            is_trend=r.kind == "share_trend",
            kind=r.kind,
            parameters=dict(r.parameters),
            applies_if=list(r.applies_if),
            order=order,
        )
        for order, r in enumerate(rulebook.requirements, start=1)
    )
    return decision


def _catalogue_data(catalogue: rf.Catalogue) -> dict:
    return {
        "services": [
            {"code": s.code, "name": s.name, "digital_contact": s.digital_contact} for s in catalogue.services
        ],
        "templates": [{"code": t.code, "name": t.name} for t in catalogue.templates],
        "channels": [{"code": c.code, "name": c.name} for c in catalogue.channels],
    }


def _register_catalogue(catalogue: rf.Catalogue) -> list[str]:
    """The registry offerings point at (one row per code for the region): entries this version names
    for the first time are added; an existing entry keeps its row, takes the newest name and flag, and
    keeps the date it was retired. Returns the codes added."""
    added = []
    for model, entries, extra in (
        (CatalogueService, catalogue.services, lambda s: {"digital_contact": s.digital_contact}),
        (CatalogueTemplate, catalogue.templates, lambda t: {}),
        (CatalogueChannel, catalogue.channels, lambda c: {}),
    ):
        existing = {row.code: row for row in model.objects.filter(code__in=[e.code for e in entries])}
        for entry in entries:
            values = {"name": entry.name, **extra(entry)}
            row = existing.get(entry.code)
            if row is None:
                model.objects.create(code=entry.code, **values)
                added.append(entry.code)
            elif any(getattr(row, k) != v for k, v in values.items()):
                model.objects.filter(pk=row.pk).update(**values)
    return added


def file_of(decision: Decision) -> rf.RulebookFile:
    """The stored version as the record its file parses to."""
    catalogue = decision.catalogue or {}
    return rf.RulebookFile(
        region=rf.Region(decision.region_code, decision.region_name),
        decision=rf.Decision(
            number=decision.number,
            version=decision.version,
            title=decision.title,
            in_force_from=decision.in_force_from,
            in_force_until=decision.in_force_until,
            replaces=decision.replaces or None,
            approved_by=decision.approved_by or None,
        ),
        groups=tuple(rf.Group(g["code"], g["name"]) for g in decision.groups),
        ladder=rf.Ladder(decision.ladder) if decision.ladder else None,
        catalogue=rf.Catalogue(
            services=tuple(
                rf.Service(s["code"], s["name"], bool(s.get("digital_contact")))
                for s in catalogue.get("services", ())
            ),
            templates=tuple(rf.Template(t["code"], t["name"]) for t in catalogue.get("templates", ())),
            channels=tuple(rf.Channel(c["code"], c["name"]) for c in catalogue.get("channels", ())),
        ),
        profiles={
            code: rf.Profile(tuple(p.get("services", ())), tuple(p.get("channels", ())))
            for code, p in decision.profiles.items()
        },
        requirements=tuple(
            rf.Requirement(
                code=r.code,
                group=r.group,
                name=r.name,
                kind=r.kind,
                section=r.section or None,
                level=r.level,
                parameters=dict(r.parameters),
                applies_if=tuple(r.applies_if),
            )
            for r in decision.requirements.order_by("order", "id")
        ),
    )


def shipped_files(region: str) -> list[Path]:
    """The rulebook files the project ships for a region, oldest version first (by in_force_from)."""
    found = []
    for path in sorted(SHIPPED.glob("*.yaml")):
        parsed = rf.parse(path.read_text(encoding="utf-8"), str(path))
        if parsed.region.code == region:
            found.append((parsed.decision.in_force_from, path.name, path))
    return [path for _, _, path in sorted(found)]


def load_shipped(region: str | None = None) -> list[Loaded]:
    """Every shipped file of the deployment's region, loaded (or recognised as stored): what `migrate`
    ends with, so a new deployment follows its region's decision without a command."""
    region = region or region_code()
    outcomes = []
    for path in shipped_files(region):
        parsed = rf.parse(path.read_text(encoding="utf-8"), str(path))
        outcomes.append(load(parsed, source=f"{path.name} (migrate)", region=region))
    return outcomes


def load_shipped_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: once the servicelevel app is migrated. A stored version that differs from its
    shipped file is reported, never overwritten (a version is immutable)."""
    if sender.name != "servicelevel" or using != "default":
        return
    try:
        load_shipped()
    except rf.RulebookRefused as refused:
        import sys

        sys.stderr.write(f"rulebook: {refused}\n")
