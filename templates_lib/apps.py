from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TemplatesLibConfig(AppConfig):
    name = "templates_lib"
    verbose_name = _("Reply templates")
