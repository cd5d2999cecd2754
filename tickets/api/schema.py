"""OpenAPI schema hints for drf-spectacular: how API keys authenticate.

Imported by ``TicketsConfig.ready()`` so the extension is registered before the
schema is generated.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "tickets.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API key made with `manage.py create_api_key NAME --store CODE`, sent as "
                "`Authorization: Bearer KEY`. A key sees and writes only its stores."
            ),
        }
