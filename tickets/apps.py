from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("After-sales desk")

    def ready(self):
        from tickets.api import schema  # noqa: F401  (registers the OpenAPI auth extension)
