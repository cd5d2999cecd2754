"""The sensitive-message word lists, edited by supervisors."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.models import SensitiveTerm


@admin.register(SensitiveTerm)
class SensitiveTermAdmin(admin.ModelAdmin):
    """Shared by every store, like the clock policies. A term is switched off rather
    than deleted, so the list keeps what was once matched."""

    list_display = ("term", "language", "topic", "is_active", "updated_at")
    list_filter = ("language", "topic", "is_active")
    search_fields = ("term",)
    ordering = ("language", "topic", "term")
    fields = ("language", "term", "topic", "is_active")
    actions = ("activate", "deactivate")

    @admin.action(description=_("Match the selected terms"), permissions=["change"])
    def activate(self, request, queryset):
        self._set_active(request, queryset, active=True)

    @admin.action(description=_("Stop matching the selected terms"), permissions=["change"])
    def deactivate(self, request, queryset):
        self._set_active(request, queryset, active=False)

    def _set_active(self, request, queryset, *, active: bool) -> None:
        changed = 0
        # One save per term (a few dozen at most), so updated_at moves with the change.
        for term in queryset.exclude(is_active=active):
            term.is_active = active
            term.save(update_fields=["is_active", "updated_at"])
            changed += 1
        self.message_user(request, ngettext("%(count)d term changed.", "%(count)d terms changed.", changed)
                          % {"count": changed}, messages.SUCCESS)
