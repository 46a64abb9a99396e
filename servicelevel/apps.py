from django.apps import AppConfig


class ServicelevelConfig(AppConfig):
    name = "servicelevel"
    verbose_name = "Regelverk"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_migrate, post_save

        from .importers import PeriodsImporter
        from .importing import registry
        from .models import AuditEntry, Decision
        from .page_cache import changed
        from .permission_names import swedish_permission_names
        from .region_texts import decision_changed
        from .rulebooks import load_shipped_after_migrate
        from .security import mark_session_renewed
        from .signals import facts_changed

        registry.register(PeriodsImporter)
        # After Django's own post_migrate handler has created the permissions (contrib.auth comes first).
        post_migrate.connect(swedish_permission_names, dispatch_uid="servicelevel.swedish_permission_names")
        # The deployment's region's shipped rulebook files (SERVICELEVEL_REGION, docs/rulebooks.md).
        post_migrate.connect(load_shipped_after_migrate, dispatch_uid="servicelevel.rulebooks.load_shipped")
        # A new session's end is fresh at login; the sliding end starts from there (security.py).
        user_logged_in.connect(mark_session_renewed, dispatch_uid="servicelevel.mark_session_renewed")
        # Kept pages show facts, exemptions, imports and names: every committed change through the write
        # path or an import is told by facts_changed or leaves an audit entry (servicelevel/page_cache.py).
        facts_changed.connect(changed, dispatch_uid="servicelevel.page_cache.facts")
        post_save.connect(changed, sender=AuditEntry, dispatch_uid="servicelevel.page_cache.audit")
        # Every page shows the version in force's words, kept per process (region_texts.py): a version
        # stored or removed makes every process read them again once it is committed.
        post_save.connect(decision_changed, sender=Decision, dispatch_uid="servicelevel.region_texts")
        post_delete.connect(decision_changed, sender=Decision, dispatch_uid="servicelevel.region_texts")
