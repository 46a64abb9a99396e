"""Load decision 2026-0000277, its 16 requirements and the starter catalogue, so a plain `migrate` on an
empty database leaves the rulebook in place. Idempotent (update_or_create)."""

from django.db import migrations

from servicelevel import rulebook_2026_0000277 as data


def load(apps, schema_editor):
    Decision = apps.get_model("servicelevel", "Decision")
    Requirement = apps.get_model("servicelevel", "Requirement")
    CatalogueService = apps.get_model("servicelevel", "CatalogueService")
    CatalogueTemplate = apps.get_model("servicelevel", "CatalogueTemplate")
    BaseOfferingProfile = apps.get_model("servicelevel", "BaseOfferingProfile")

    decision, _ = Decision.objects.update_or_create(number=data.DECISION["number"], defaults=data.DECISION)
    for order, (code, group, level, name, section, is_trend, parameters) in enumerate(data.REQUIREMENTS, start=1):
        Requirement.objects.update_or_create(
            decision=decision, code=code,
            defaults={"group": group, "level": level, "name": name, "section": section, "is_trend": is_trend,
                      "parameters": parameters, "order": order},
        )
    services = {}
    for code, name, digital_contact in data.SERVICES:
        services[code], _ = CatalogueService.objects.update_or_create(
            code=code, defaults={"name": name, "digital_contact": digital_contact})
    for code, name in data.TEMPLATES:
        CatalogueTemplate.objects.update_or_create(code=code, defaults={"name": name})
    for unit_type, codes in data.PROFILES.items():
        profile, _ = BaseOfferingProfile.objects.get_or_create(unit_type=unit_type)
        profile.services.set([services[c] for c in codes])


class Migration(migrations.Migration):
    dependencies = [("servicelevel", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
