from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = "Uppföljning"

    def ready(self):
        from servicelevel.importing import registry

        from . import receivers  # noqa: F401 - connects facts_changed
        from .importers import CasesImporter

        registry.register(CasesImporter)

        from servicelevel.validity import register_stored_dates

        from .corrections import stored_dates_altered

        register_stored_dates(stored_dates_altered)
