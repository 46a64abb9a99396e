from django.apps import AppConfig


class ServicelevelConfig(AppConfig):
    name = "servicelevel"
    verbose_name = "Regelverk"

    def ready(self):
        from .importers import PeriodsImporter
        from .importing import registry

        registry.register(PeriodsImporter)
