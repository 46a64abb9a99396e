"""The Bearer token in the OpenAPI schema (drf-spectacular reads this extension when api/apps.py loads it)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearer"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "API-nyckel från /konto/api-nycklar/"}
