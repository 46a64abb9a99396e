"""Which importer handles which kind. Apps register theirs in `AppConfig.ready`."""

from .base import Importer

_importers: dict[str, type[Importer]] = {}

KINDS = ("units", "periods", "offerings", "booking", "cases", "admin_roles", "exemptions", "targets")


def register(*importers: type[Importer]) -> None:
    for importer in importers:
        _importers[importer.kind] = importer


def get(kind: str) -> type[Importer]:
    return _importers[kind]


def kinds() -> list[str]:
    return [k for k in KINDS if k in _importers]
