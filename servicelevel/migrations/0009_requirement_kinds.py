"""Each requirement gets its kind — the rule the engine judges it by — with that kind's parameters and its
applicability conditions, and decision 2026-0000277 its ladder (Bokningsnivå): the rulebook as data."""

from django.db import migrations, models

# Decision 2026-0000277: code → (kind, parameters). Every requirement needs a contact card; the booking
# (TB) requirements also bookable visits.
KINDS_2026_0000277 = {
    "TB1-VISA": ("booked_all", {"figure": "booked_visible"}),
    "TB1-AVBOKA": ("booked_all", {"figure": "booked_cancellable"}),
    "TB2-OMBOKA": ("any_positive", {"figures": ["booked_reschedulable"]}),
    "TB2-OMBOKA-ANDEL": ("share_trend", {"numerator": "booked_reschedulable", "denominator": "booked_total"}),
    "TB2-FRAMFORHALLNING": ("minimum", {"figure": "lookahead_weeks", "at_least": 8}),
    "TB3-OPPEN-KALLELSE": ("any_positive", {"figures": ["slots_open_invitation"]}),
    "TB3-OPPEN-KALLELSE-ANDEL": (
        "share_trend",
        {"numerator": "slots_open_invitation", "denominator": "slots_total"},
    ),
    "TB3-INVANARBOKNING": ("any_positive", {"figures": ["slots_citizen_bookable"]}),
    "TB3-INVANARBOKNING-ANDEL": (
        "share_trend",
        {"numerator": "slots_citizen_bookable", "denominator": "slots_total"},
    ),
    "AH0-DIGITAL-KONTAKT": ("digital_contact", {}),
    "AH1-REGIONALA-TJANSTER": ("regional_services", {}),
    "AH2-REGIONALA-MALLAR": ("regional_templates", {}),
    "AH3-BASUTBUD": ("base_offering", {"of": "services"}),
    "SV1-SVARSTID": (
        "response_time",
        {"threshold": 0.95, "working_days": 2, "same_day_hours": 24, "stretch_hours": 2},
    ),
    "AR1-LOKAL-ADMIN": ("local_admin_wide_mandate", {"min_units": 2}),
    "AR2-BEHORIGHETSADMIN": ("role_count", {"role": "behorighetsadministrator", "min": 1, "max": 2}),
}


# The kinds as this migration knew them (the model's choices; servicelevel/kinds.py is their home).
KIND_NAMES = (
    "booked_all", "any_positive", "minimum", "share_trend", "contact_card", "digital_contact",
    "regional_services", "regional_templates", "base_offering", "response_time", "local_admin_wide_mandate",
    "role_count",
)  # fmt: skip


def give_kinds(apps, schema_editor):
    Decision = apps.get_model("servicelevel", "Decision")
    Requirement = apps.get_model("servicelevel", "Requirement")
    Decision.objects.filter(number="2026-0000277").update(ladder="Bokningsnivå")
    for requirement in Requirement.objects.filter(decision__number="2026-0000277"):
        kind, parameters = KINDS_2026_0000277.get(requirement.code, ("", {}))
        # A threshold or a number of weeks set before is kept (weeks became the minimum's at_least).
        kept = dict(requirement.parameters or {})
        if "weeks" in kept:
            kept["at_least"] = kept.pop("weeks")
        requirement.kind = kind
        requirement.parameters = {**parameters, **kept}
        requirement.applies_if = (
            ["contact_card", "booking_system"] if requirement.group == "TB" else ["contact_card"]
        )
        requirement.save(update_fields=["kind", "parameters", "applies_if"])


class Migration(migrations.Migration):
    dependencies = [("servicelevel", "0008_dates_within_1900_2100")]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="ladder",
            field=models.CharField(blank=True, max_length=100, verbose_name="nivåtrappa"),
        ),
        migrations.AddField(
            model_name="requirement",
            name="kind",
            field=models.CharField(
                blank=True,
                choices=[(k, k) for k in KIND_NAMES],
                max_length=40,
                verbose_name="slag",
            ),
        ),
        migrations.AddField(
            model_name="requirement",
            name="applies_if",
            field=models.JSONField(blank=True, default=list, verbose_name="gäller om"),
        ),
        migrations.RunPython(give_kinds, migrations.RunPython.noop),
    ]
