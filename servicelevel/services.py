"""Services for the schedule periods and the catalogue's registry: every edit in the admin goes through
them. Each validates, saves only what changed, audits old → new and has every unit judged again.

A decision's versions, requirements, catalogue lists and profiles are never edited: a change is a new
version, loaded through `servicelevel/rulebooks.py`."""

from __future__ import annotations

from .models import CatalogueChannel, CatalogueService, CatalogueTemplate, SchedulePeriod
from .writes import Saved, delete_fact, every_unit, save_fact


def period_save(*, period: SchedulePeriod, actor) -> Saved:
    """Periods never overlap (`SchedulePeriod.clean`), so the admin refuses what PostgreSQL would."""
    return save_fact(period, actor=actor, touches=every_unit)


def period_delete(*, period: SchedulePeriod, actor) -> None:
    delete_fact(period, actor=actor, touches=every_unit)


def catalogue_service_save(*, service: CatalogueService, actor) -> Saved:
    return save_fact(service, actor=actor, touches=every_unit)


def catalogue_template_save(*, template: CatalogueTemplate, actor) -> Saved:
    return save_fact(template, actor=actor, touches=every_unit)


def catalogue_channel_save(*, channel: CatalogueChannel, actor) -> Saved:
    return save_fact(channel, actor=actor, touches=every_unit)
