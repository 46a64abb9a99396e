"""One way to write the audit trail."""

from .models import AuditEntry


def audit(
    *,
    action: str,
    object_type: str,
    object_id: str = "",
    actor=None,
    actor_label: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        actor=actor,
        actor_label=actor_label or (actor.get_username() if actor else "system"),
        detail=detail or {},
    )
