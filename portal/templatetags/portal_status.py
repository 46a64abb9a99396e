"""`{{ status|status_label }}`: a requirement status in the engine's words (compliance.engine.types
.STATUS_LABELS), for the badge partial, so no template spells them."""

from django import template

from compliance.engine.types import STATUS_LABELS

register = template.Library()


@register.filter
def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)
