from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Uppföljning"

    def ready(self):
        from servicelevel.importing import registry

        from . import receivers  # noqa: F401 - connects facts_changed
        from .importers import CasesImporter

        registry.register(CasesImporter)
