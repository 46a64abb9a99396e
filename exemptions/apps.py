from django.apps import AppConfig


class ExemptionsConfig(AppConfig):
    name = "exemptions"
    verbose_name = "Avsteg"

    def ready(self):
        from servicelevel.importing import registry

        from .importers import ExemptionsImporter

        registry.register(ExemptionsImporter)
