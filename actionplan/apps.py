from django.apps import AppConfig


class ActionplanConfig(AppConfig):
    name = "actionplan"
    verbose_name = "Handlingsplan"

    def ready(self):
        from servicelevel.importing import registry

        from .importers import TargetsImporter

        registry.register(TargetsImporter)
