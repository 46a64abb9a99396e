"""API tokens in the admin: listed and shown, never made or changed here (a token is made by its owner at
/konto/api-nycklar/ or with create_api_token, so its secret is shown only to them); an administrator may
revoke one, through the same audited write as the owner's page (break-glass: a leaked token)."""

from django.contrib import admin, messages

from servicelevel.admin_mixins import ReadOnlyAdminMixin

from . import tokens
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "user",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("scope", "revoked_at")
    search_fields = ("name", "prefix", "user__username")
    actions = ["revoke_tokens"]

    @admin.action(description="Återkalla valda API-nycklar")
    def revoke_tokens(self, request, queryset):
        revoked = sum(1 for token in queryset if tokens.revoke(token=token, actor=request.user))
        self.message_user(request, f"API-nycklar återkallade: {revoked}.", messages.SUCCESS)
