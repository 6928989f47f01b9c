"""The `apikey` header in the OpenAPI schema (drf-spectacular), named as upstream names it."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class HordeApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apps.accounts.authentication.HordeApiKeyAuthentication"
    name = "APIKeyHeader"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "apikey"}
