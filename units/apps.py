from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = "Vårdenheter"

    def ready(self):
        from servicelevel.importing import registry

        from . import importers, receivers

        registry.register(
            importers.UnitsImporter,
            importers.OfferingsImporter,
            importers.BookingImporter,
            importers.AdminRolesImporter,
        )
        receivers.connect()
