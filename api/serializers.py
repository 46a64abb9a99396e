"""The API's response shapes (they are also its OpenAPI schema, drf-spectacular reads them)."""

from __future__ import annotations

from rest_framework import serializers


class UnitListItem(serializers.Serializer):
    hsa_id = serializers.CharField()
    name = serializers.CharField()
    # Where the unit belonged on the stored date (the organisation its result kept; the filters too).
    forvaltning = serializers.CharField(source="then_forvaltning_name")
    vardomrade = serializers.CharField(source="then_vardomrade_name", allow_null=True, default=None)
    provider = serializers.CharField(source="then_provider_name", allow_null=True, default=None)
    unit_type = serializers.CharField()
    booking_system = serializers.CharField()
    active = serializers.BooleanField()
    as_of = serializers.DateField(allow_null=True, help_text="Det sparade datum resultaten gäller.")
    booking_level = serializers.IntegerField(source="level", allow_null=True)
    booking_level_with_exemptions = serializers.BooleanField(source="level_with_exemptions", allow_null=True)
    requirements_met = serializers.IntegerField(source="met")
    requirements_not_met = serializers.IntegerField(source="not_met")
    share_in_time = serializers.FloatField(source="sv1_share", allow_null=True)
    url = serializers.CharField(help_text="Enhetens adress i API:t.")


class _Page(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Nästa sida (markör), eller null.")
    previous = serializers.URLField(allow_null=True)


class UnitPage(_Page):
    results = UnitListItem(many=True)


class RequirementOutcome(serializers.Serializer):
    status = serializers.CharField()
    exemption_id = serializers.CharField(allow_null=True)
    exemption_unneeded = serializers.BooleanField()
    reason = serializers.CharField(help_text="Varför, på svenska.")
    value = serializers.FloatField(allow_null=True)


class ResponseTime(serializers.Serializer):
    month = serializers.CharField()
    assessed = serializers.IntegerField()
    in_time = serializers.IntegerField()
    late_notified = serializers.IntegerField()
    late = serializers.IntegerField()
    overdue = serializers.IntegerField()
    pending = serializers.IntegerField()
    share_in_time = serializers.FloatField(allow_null=True)
    share_within_2h = serializers.FloatField(allow_null=True)


class UnitDetail(serializers.Serializer):
    """export_compliance's fields for one unit, each requirement with its reason and measured value."""

    as_of = serializers.DateField()
    decision = serializers.CharField()
    decision_version = serializers.CharField()
    hsa_id = serializers.CharField()
    name = serializers.CharField()
    forvaltning = serializers.CharField()
    vardomrade = serializers.CharField(allow_blank=True)
    booking_level = serializers.IntegerField(allow_null=True)
    booking_level_with_exemptions = serializers.BooleanField()
    requirements = serializers.DictField(child=RequirementOutcome())
    response_time = ResponseTime(allow_null=True)


class Rulebook(serializers.Serializer):
    """The version in force as its rulebook file says it (docs/rulebooks.md), as JSON."""

    region = serializers.DictField()
    decision = serializers.DictField()
    groups = serializers.ListField(child=serializers.DictField())
    ladder = serializers.DictField(allow_null=True)
    catalogue = serializers.DictField()
    profiles = serializers.DictField()
    requirements = serializers.ListField(child=serializers.DictField())


class Exemption(serializers.Serializer):
    exemption_id = serializers.CharField()
    unit = serializers.CharField(source="unit.hsa_id")
    requirement = serializers.CharField(source="requirement.code")
    reason = serializers.CharField()
    status = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    imported = serializers.BooleanField()
    url = serializers.CharField()


class ExemptionPage(_Page):
    results = Exemption(many=True)


class ExemptionDetail(Exemption):
    justification = serializers.CharField(allow_blank=True)
    group = serializers.IntegerField(source="group_id", allow_null=True)


class ImportUpload(serializers.Serializer):
    file = serializers.FileField()


class ImportStarted(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField()


class ImportMessage(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True, help_text="Radnumret i filen, om felet gäller en rad.")
    column = serializers.CharField(allow_blank=True)
    message = serializers.CharField()


class ImportJob(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    filename = serializers.CharField()
    status = serializers.CharField()
    done = serializers.BooleanField()
    summary = serializers.CharField(allow_blank=True)
    message = serializers.CharField(allow_blank=True)
    problems = ImportMessage(many=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class Error(serializers.Serializer):
    detail = serializers.CharField()
