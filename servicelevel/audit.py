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


# Swedish words for the audit trail's action codes (the codes stay English and stable: exports and
# filters use them). `<model>_<verb>` codes from the write path are read from the model's verbose name.
ACTIONS = {
    "import": "Fil importerad",
    "closed_day_added": "Stängd dag tillagd",
    "closed_day_removed": "Stängd dag borttagen",
    "exemption_imported": "Avsteg importerat",
    "exemption_follow_ups_set": "Uppföljningsdatum satta",
    "exemption_follow_up_done": "Uppföljning gjord",
    "exemption_approval": "Godkännande av avsteg",
    "exemption_rejection": "Avslag på avsteg",
    "exemptiongroup_approval": "Godkännande av gemensamt beslut",
    "exemptiongroup_rejection": "Avslag på gemensamt beslut",
    "report_downloaded": "Rapport hämtad",
    "rulebook_loaded": "Regelboksversion inläst",
    "api_import_started": "Import begärd via API:t",
    "sign_in": "Inloggning via identitetsutfärdare",
    "sign_in_refused": "Inloggning nekad",
    "saml_response_refused": "SAML-svar avvisat",
}
# Each verb in the three forms Swedish agrees it in: with a common-gender noun ("vårdenhet skapad"), a
# neuter one ("avsteg skapat") and a plural ("bokningsuppgifter skapade"). A noun form: no agreement.
VERBS = {
    "created": ("skapad", "skapat", "skapade"),
    "changed": ("ändrad", "ändrat", "ändrade"),
    "deleted": ("borttagen", "borttaget", "borttagna"),
    "submitted": ("inskickad", "inskickat", "inskickade"),
    "approved": ("godkänd", "godkänt", "godkända"),
    "rejected": ("avslagen", "avslaget", "avslagna"),
    "revoked": ("återkallad", "återkallat", "återkallade"),
    "expired": ("utgången", "utgånget", "utgångna"),
    "withdrawn": ("tillbakadragen", "tillbakadraget", "tillbakadragna"),
    "approval": ": godkännande",
    "rejection": ": avslag",
}
# The models whose Swedish name is a neuter noun ("ett avsteg", "ett mål") or a plural; every other is
# common gender ("en vårdenhet"). A new model with a neuter or plural name belongs here.
NEUTER = {
    "decision",
    "requirement",
    "vardomrade",
    "offering",
    "exemption",
    "exemptiongroup",
    "exemptionapproval",
    "systemcapability",
    "target",
    "obstacle",
    "case",
    "unitresult",
    "requirementresult",
    "rulebookdraft",
}
PLURAL = {"bookingfigures"}


def agreed(verb: str, model_name: str) -> str:
    """The verb's form that agrees with the model's Swedish name: 'careunit' → 'skapad', 'exemption' →
    'skapat', 'bookingfigures' → 'skapade'."""
    forms = VERBS[verb]
    if isinstance(forms, str):
        return forms
    common, neuter, plural = forms
    return plural if model_name in PLURAL else neuter if model_name in NEUTER else common


def action_label(action: str) -> str:
    """'careunit_changed' → 'Vårdenhet ändrad', 'exemption_created' → 'Avsteg skapat'; unknown codes are
    shown as they are."""
    if action in ACTIONS:
        return ACTIONS[action]
    noun, _, verb = action.rpartition("_")
    if verb not in VERBS or not noun:
        return action
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.model_name == noun), None)
    name = str(model._meta.verbose_name) if model else noun
    words = agreed(verb, noun)
    return f"{name[:1].upper()}{name[1:]}{words if words.startswith(':') else ' ' + words}"


def detail_text(detail: dict) -> str:
    """A change's details as a sentence: 'booked_visible: 300 → 400; …', or an import's summary."""
    if not isinstance(detail, dict):
        return str(detail)
    changes = detail.get("changes")
    if isinstance(changes, dict):
        return "; ".join(
            f"{field}: {shown_value(old)} → {shown_value(new)}" for field, (old, new) in changes.items()
        )
    if "summary" in detail or "counts" in detail:  # an import's outcome, in Swedish
        from .importing.summary import import_detail_text

        return import_detail_text(detail)
    return "; ".join(f"{key}: {shown_value(value)}" for key, value in detail.items())


def shown_value(value) -> str:
    if value is None or value == "":
        return "–"
    if value is True:
        return "ja"
    if value is False:
        return "nej"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "–"
    return str(value)


# What the audit trail's object types are called in Swedish: an import's kind, or a model's name (read
# from the model's verbose name, as for action codes); unknown types are shown as they are.
OBJECT_TYPES = {
    "units": "Import: enheter",
    "periods": "Import: tidbokningsschemaperioder",
    "offerings": "Import: utbud",
    "booking": "Import: bokningsuppgifter",
    "cases": "Import: ärenden",
    "admin_roles": "Import: administrativa roller",
    "exemptions": "Import: avsteg",
    "targets": "Import: mål",
    "closed_day": "Stängd dag",
    "report": "Rapport",
}


def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPES:
        return OBJECT_TYPES[object_type]
    from django.apps import apps

    model = next((m for m in apps.get_models() if m._meta.model_name == object_type), None)
    if model is None:
        return object_type
    name = str(model._meta.verbose_name)
    return f"{name[:1].upper()}{name[1:]}"
