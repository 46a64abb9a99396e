"""Which importer handles which kind. Apps register theirs in `AppConfig.ready`."""

from .base import Importer

_importers: dict[str, type[Importer]] = {}

KINDS = ("units", "periods", "offerings", "booking", "cases", "admin_roles", "exemptions", "targets")
# Each kind in Swedish, for every page that names one (the import page, the dashboard's freshness table).
LABELS = {
    "units": "Enheter",
    "periods": "Tidbokningsschemaperioder",
    "offerings": "Utbud: tjänster och mallar",
    "booking": "Bokningsuppgifter per period",
    "cases": "Ärenden",
    "admin_roles": "Administrativa roller",
    "exemptions": "Avsteg beslutade utanför portalen",
    "targets": "Mål i handlingsplanen",
}


def register(*importers: type[Importer]) -> None:
    for importer in importers:
        _importers[importer.kind] = importer


def get(kind: str) -> type[Importer]:
    return _importers[kind]


def kinds() -> list[str]:
    return [k for k in KINDS if k in _importers]


def label(kind: str) -> str:
    """The kind in Swedish ("Ärenden"); a kind no importer knows reads as itself."""
    return LABELS.get(kind, kind)
